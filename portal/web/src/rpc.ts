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
