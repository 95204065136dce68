// The node's medchain RPC, over HTTP to the listener that served this page, with the bearer
// token the person signed in with. The token stays in memory: a reload signs out.

/** A JSON-RPC error the node answered, with its code and data. */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data: unknown,
  ) {
    super(message);
  }
}

let nextId = 1;

/** Calls `method` with `params` as the holder of `token`. */
export async function call<T>(token: string, method: string, params: unknown[] = []): Promise<T> {
  let response: Response;
  try {
    response = await fetch('/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
    });
  } catch {
    throw new RpcError(0, 'the node did not answer', null);
  }
  let body: { result?: T; error?: { code: number; message: string; data?: unknown } };
  try {
    body = await response.json();
  } catch {
    throw new RpcError(0, `the node answered HTTP ${response.status} without JSON`, null);
  }
  if (body.error) {
    throw new RpcError(body.error.code, body.error.message, body.error.data ?? null);
  }
  return body.result as T;
}

/** One finalized event of `medchain_subscribe` (docs/rpc.md). */
export interface Notification {
  block: number;
  blockHash: string;
  kind: string;
  patient: string;
  hospitals: number[];
  grantId?: number;
  recordId?: string;
  accessId?: number;
  consentRequestId?: number;
}

/**
 * Follows `filter`'s finalized events over a WebSocket to the listener that served this page,
 * opened with a one-use ticket (a browser can't send the token on an upgrade). Returns what
 * stops it.
 */
export async function subscribe(
  token: string,
  filter: { patient: string } | { hospital: number },
  onEvent: (event: Notification) => void,
  onEnd: (error: RpcError) => void,
): Promise<() => void> {
  const { ticket } = await call<{ ticket: string }>(token, 'medchain_wsTicket');
  const url = new URL('/', window.location.href);
  url.protocol = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  url.search = `ticket=${ticket}`;
  const socket = new WebSocket(url);
  let stopped = false;
  const end = (error: RpcError) => {
    if (stopped) return;
    stopped = true;
    socket.close();
    onEnd(error);
  };
  socket.onopen = () =>
    socket.send(
      JSON.stringify({ jsonrpc: '2.0', id: nextId++, method: 'medchain_subscribe', params: [filter] }),
    );
  socket.onmessage = (message) => {
    let body;
    try {
      body = JSON.parse(String(message.data));
    } catch {
      return end(new RpcError(0, 'the node sent something that is not JSON', null));
    }
    if (body.method === 'medchain_notification') onEvent(body.params.result as Notification);
    else if (body.error) end(new RpcError(body.error.code, body.error.message, body.error.data ?? null));
  };
  socket.onclose = () => end(new RpcError(0, 'the live connection to the node closed', null));
  return () => {
    stopped = true;
    socket.close();
  };
}
