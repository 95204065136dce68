// The patient's own page: every access to their records, with the hospital, the purpose, the
// time and the fields released; emergency (break-glass) accesses stand out.
import { useEffect, useState } from 'preact/hooks';
import type { AccessLogPage, AccessRow } from '../api';
import type { Context } from '../app';
import { Busy, Pager, Problem, Section } from '../components';
import { useHospitalNames } from '../hospitals';

const PAGE = 50;

export function WhoSawMyData({ api, session }: Context) {
  const [page, setPage] = useState<AccessLogPage | null>(null);
  const [cursors, setCursors] = useState<(string | null)[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const names = useHospitalNames(api);
  const load = async (cursor: string | null, trail: (string | null)[]) => {
    setError(null);
    setBusy('Reading who opened your records…');
    try {
      setPage(
        await api.accessLog({ patient: session.patient, limit: PAGE, ...(cursor && { cursor }) }),
      );
      setCursors(trail);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(null);
    }
  };
  useEffect(() => {
    void load(null, []);
  }, [api]);
  const emergencies = page?.rows.filter((row) => row.breakGlass).length ?? 0;
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
      <Busy what={busy} />
      <Problem error={error} />
      {page && (
        <>
          <AccessCards rows={page.rows} names={names} />
          <Pager
            label="Pages of your access log"
            trail={cursors}
            next={page.nextCursor}
            load={(cursor, trail) => void load(cursor, trail)}
          />
        </>
      )}
    </Section>
  );
}

/** Each access as a sentence: readable at phone width. */
function AccessCards({ rows, names }: { rows: AccessRow[]; names: (id?: number) => string }) {
  if (rows.length === 0) return <p>Nobody has opened your records.</p>;
  return (
    <ul class="cards" aria-label="Accesses to your records, oldest first">
      {rows.map((row) => (
        <li
          key={`${row.block}-${row.accessId ?? row.reason}`}
          class={row.breakGlass ? 'break-glass' : row.outcome}
        >
          <p>
            <strong>{names(row.accessorHospital ?? row.hospital)}</strong>{' '}
            {row.outcome === 'granted' ? 'opened' : 'tried to open'} your{' '}
            {row.recordType ?? 'record'} on {new Date(row.time).toLocaleString()}
            {row.breakGlass && <strong> in an emergency, without your share (break-glass)</strong>}
          </p>
          <p class="detail">
            Purpose {row.purpose}.{' '}
            {row.outcome === 'granted'
              ? `Fields released: ${row.fields?.join(', ') ?? 'none'} (${row.disclosure ?? ''}).`
              : `Refused: ${row.reason}.`}
          </p>
        </li>
      ))}
    </ul>
  );
}
