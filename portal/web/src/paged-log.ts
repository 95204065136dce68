// A page of the access log at a time, with the cursors of the pages shown (for `Pager`).
import { useState } from 'preact/hooks';
import type { AccessLogPage, Api } from './api';
import { useTask } from './components';

/** Rows per page the portal asks for. */
const PAGE = 50;

export function usePagedLog(api: Api, what: string) {
  const [page, setPage] = useState<AccessLogPage | null>(null);
  const [cursors, setCursors] = useState<(string | null)[]>([]);
  const task = useTask();
  /** Loads the page at `cursor` of `query`; `trail` is the cursors shown up to it. */
  const load = (query: Record<string, unknown>, cursor: string | null, trail: (string | null)[]) =>
    task.run(what, async () => {
      setPage(await api.accessLog({ ...query, limit: PAGE, ...(cursor && { cursor }) }));
      setCursors(trail);
    });
  return { page, cursors, load, ...task };
}
