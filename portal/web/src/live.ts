// Follows finalized events while a view is shown (`medchain_subscribe` over a WebSocket).
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from './api';
import { subscribe, type Notification } from './rpc';

/** Calls `onEvent` for each finalized event of `filter` while mounted; the error that ended it. */
export function useLive(
  api: Api,
  filter: { patient: string } | { hospital: number } | null,
  onEvent: (event: Notification) => void,
): unknown {
  const [error, setError] = useState<unknown>(null);
  // The latest handler, without opening a new connection each render.
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const key = JSON.stringify(filter);
  useEffect(() => {
    if (!filter) return;
    let stop: (() => void) | null = null;
    let gone = false;
    subscribe(api.token, filter, (event) => handler.current(event), setError).then(
      (stopper) => (gone ? stopper() : (stop = stopper)),
      setError,
    );
    return () => {
      gone = true;
      stop?.();
    };
  }, [api, key]);
  return error;
}
