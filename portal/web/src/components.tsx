// Small pieces every view uses: a labelled input, an error in words, a busy note.
import type { ComponentChildren } from 'preact';
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
      <h2 id={`${title}-title`.replace(/\s+/g, '-')}>{title}</h2>
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
