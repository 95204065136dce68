// Small pieces every view uses: a labelled input, an error in words, a busy note.
import { useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import type { AccessLogPage } from './api';
import { describe, RETRYABLE } from './errors';

let nextControl = 0;
/** A unique id for a control, so its label points at it. */
export function controlId(name: string): string {
  nextControl += 1;
  return `${name.replace(/[^a-z0-9]/gi, '-')}-${nextControl}`;
}

export function Problem({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  if (!error) return null;
  const { sentence, detail, code } = describe(error);
  return (
    <div class="problem" role="alert" data-code={code}>
      <p class="sentence">{sentence}</p>
      {detail && <p class="detail">{detail}</p>}
      {onRetry && RETRYABLE.has(code) && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Section({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <section aria-labelledby={`${title}-title`.replace(/\s+/g, '-')}>
      <h2 id={`${title}-title`.replace(/\s+/g, '-')} tabIndex={-1}>
        {title}
      </h2>
      {children}
    </section>
  );
}

export function Busy({ what }: { what: string | null }) {
  return what ? (
    <p class="busy" role="status">
      {what}
    </p>
  ) : null;
}

/** Previous and next buttons over cursor pages: `trail` holds the cursors of the pages shown. */
export function Pager({
  label,
  trail,
  next,
  load,
}: {
  label: string;
  trail: (string | null)[];
  next: string | null;
  load: (cursor: string | null, trail: (string | null)[]) => void;
}) {
  return (
    <nav aria-label={label} class="pages">
      <button
        type="button"
        disabled={trail.length === 0}
        onClick={() => load(trail[trail.length - 2] ?? null, trail.slice(0, -1))}
      >
        Previous page
      </button>
      <button type="button" disabled={!next} onClick={() => load(next, [...trail, next])}>
        Next page
      </button>
    </nav>
  );
}

/**
 * One piece of work at a time in a view: what it is doing (for `Busy`), and its error (for
 * `Problem`), cleared when the next one starts.
 */
export function useTask() {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  /** Runs `work`, which may say what it is doing next. */
  const run = async (what: string, work: (say: (what: string) => void) => Promise<void>) => {
    setError(null);
    setBusy(what);
    try {
      await work(setBusy);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(null);
    }
  };
  return { busy, error, setError, run };
}

/** A labelled, required input for a 32-byte id (`0x` and 64 hex digits). */
export function IdInput({
  id,
  label,
  value,
  onInput,
}: {
  id: string;
  label: ComponentChildren;
  value: string;
  onInput: (value: string) => void;
}) {
  return (
    <>
      <label for={id}>{label}</label>
      <input
        id={id}
        required
        aria-required="true"
        pattern="0x[0-9a-fA-F]{64}"
        title="0x and 64 hex digits"
        autocomplete="off"
        value={value}
        onInput={(event) => onInput(event.currentTarget.value)}
      />
    </>
  );
}

/** A page of the access log: what is loading, its error, the rows as `rows` shows them, pages. */
export function LogPage({
  log,
  label,
  load,
  rows,
}: {
  log: { page: AccessLogPage | null; cursors: (string | null)[]; busy: string | null; error: unknown };
  label: string;
  load: (cursor: string | null, trail: (string | null)[]) => void;
  rows: (page: AccessLogPage) => ComponentChildren;
}) {
  return (
    <>
      <Busy what={log.busy} />
      <Problem error={log.error} />
      {log.page && (
        <>
          {rows(log.page)}
          <Pager label={label} trail={log.cursors} next={log.page.nextCursor} load={load} />
        </>
      )}
    </>
  );
}

/** A table that scrolls sideways at phone width, reachable by keyboard, with a header row. */
export function ScrollTable({
  label,
  caption,
  columns,
  children,
}: {
  label: string;
  caption: string;
  columns: string[];
  children: ComponentChildren;
}) {
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label={label}>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th scope="col" key={column}>
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
