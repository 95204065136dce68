// The patient's own page: every access to their records, with the hospital, the purpose, the
// time and the fields released; emergency (break-glass) accesses stand out.
import { useEffect } from 'preact/hooks';
import type { Context } from '../app';
import { LogPage, Problem, Section } from '../components';
import { usePagedLog } from '../paged-log';
import { useLive } from '../live';
import { emptyPage, isBreakGlass, outcome, reader, rowKey, type RowsProps } from '../access-words';


export function WhoSawMyData({ api, session, name: names }: Context) {
  const log = usePagedLog(api, 'Reading who opened your records…');
  const { page } = log;
  const load = (cursor: string | null, trail: (string | null)[]) =>
    log.load({ patient: session.patient }, cursor, trail);
  useEffect(() => {
    void load(null, []);
  }, [api]);
  // A new access to the patient's records shows at once on the first page.
  const liveError = useLive(api, session.patient && { patient: session.patient }, (event) => {
    if (['shareUsed', 'emergencyAccess'].includes(event.kind) && log.cursors.length === 0) {
      void load(null, []);
    }
  });
  const emergencies = page?.rows.filter(isBreakGlass).length ?? 0;
  return (
    <Section title="Who saw my data">
      <p>
        Every time a hospital opened one of your records, or tried to, the chain logged it. Nobody
        can remove an entry.
      </p>
      {emergencies > 0 && (
        <p class="problem" role="alert">
          {emergencies} emergency {emergencies === 1 ? 'access' : 'accesses'} without your share
          (break-glass) on this page: highlighted below.
        </p>
      )}
      <button type="button" onClick={() => void load(null, [])}>
        Refresh
      </button>
      <Problem error={liveError} />
      <LogPage
        log={log}
        label="Pages of your access log"
        load={(cursor, trail) => void load(cursor, trail)}
        rows={(page) => <AccessCards rows={page.rows} next={page.nextCursor} names={names} />}
      />
    </Section>
  );
}

/** Each access as a sentence: readable at phone width. */
function AccessCards({ rows, next, names }: RowsProps) {
  if (rows.length === 0) return <p>{emptyPage(next, 'Nobody has opened your records.')}</p>;
  return (
    <ul class="cards" aria-label="Accesses to your records, oldest first">
      {rows.map((row) => (
        <li key={rowKey(row)} class={isBreakGlass(row) ? 'break-glass' : row.outcome}>
          <p>
            <strong>{reader(row, names, true)}</strong>{' '}
            {row.outcome === 'granted' ? 'opened' : 'tried to open'} your{' '}
            {row.recordType ?? 'record'} on {new Date(row.time).toLocaleString()}
            {isBreakGlass(row) && <strong> in an emergency, without your share (break-glass)</strong>}
          </p>
          <p class="detail">
            Purpose {row.purpose}.{' '}
            {row.outcome === 'granted'
              ? `Fields released: ${row.fields?.join(', ') ?? 'none'}. ${outcome(row)}.`
              : `It was ${outcome(row)}.`}
          </p>
        </li>
      ))}
    </ul>
  );
}
