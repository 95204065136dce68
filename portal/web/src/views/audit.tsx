// The access log for auditors: one subject (patient, hospital, custodian or record), a time
// range, pages; granted reads beside refused attempts, accesses per day, and a FHIR download.
import { useState } from 'preact/hooks';
import type { AccessRow } from '../api';
import type { Context } from '../app';
import { LogPage, ScrollTable, Section } from '../components';
import { usePagedLog } from '../paged-log';
import { emptyPage, isBreakGlass, kind, outcome, reader, rowKey, type RowsProps } from '../access-words';

const SUBJECTS = ['patient', 'hospital', 'custodian', 'record'] as const;
type Subject = (typeof SUBJECTS)[number];

export function Audit({ api, name: names }: Context) {
  const [subject, setSubject] = useState<Subject>('patient');
  const [value, setValue] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const log = usePagedLog(api, 'Reading the access log…');

  const query = () => {
    const filter: Record<string, unknown> = {
      [subject]: subject === 'hospital' || subject === 'custodian' ? Number(value) : value.trim(),
    };
    if (from) filter.from = new Date(from).toISOString();
    if (to) filter.to = new Date(to).toISOString();
    return filter;
  };
  const load = (cursor: string | null, trail: (string | null)[]) => log.load(query(), cursor, trail);
  const download = () =>
    log.run('Exporting FHIR AuditEvents…', async () => {
      const bundle = await api.exportFhir('AuditEvent', { ...query(), limit: 500 });
      const link = document.createElement('a');
      link.href = URL.createObjectURL(
        new Blob([JSON.stringify(bundle, null, 2)], { type: 'application/fhir+json' }),
      );
      link.download = 'medchain-audit-bundle.json';
      link.click();
      URL.revokeObjectURL(link.href);
    });

  return (
    <Section title="Access log">
      <form
        aria-label="Filter the access log"
        onSubmit={(event) => {
          event.preventDefault();
          void load(null, []);
        }}
      >
        <label for="audit-subject">Accesses of</label>
        <select id="audit-subject" value={subject} onChange={(event) => setSubject(event.currentTarget.value as Subject)}>
          {SUBJECTS.map((name) => (
            <option key={name} value={name}>
              {name === 'hospital' ? 'a hospital (as reader)' : name === 'custodian' ? 'a custodian hospital' : `a ${name}`}
            </option>
          ))}
        </select>
        <label for="audit-value">{subject === 'hospital' || subject === 'custodian' ? 'Hospital id' : 'Id (0x and 64 hex digits)'}</label>
        <input id="audit-value" required value={value} onInput={(event) => setValue(event.currentTarget.value)} />
        <label for="audit-from">From</label>
        <input id="audit-from" type="datetime-local" value={from} onInput={(event) => setFrom(event.currentTarget.value)} />
        <label for="audit-to">Until</label>
        <input id="audit-to" type="datetime-local" value={to} onInput={(event) => setTo(event.currentTarget.value)} />
        <button type="submit">Show accesses</button>
        <button type="button" onClick={download} disabled={value.trim() === ''}>
          Download FHIR AuditEvents
        </button>
      </form>
      <LogPage
        log={log}
        label="Pages of the access log"
        load={(cursor, trail) => void load(cursor, trail)}
        rows={(page) => (
          <>
            <PerDay rows={page.rows} />
            <AccessTable rows={page.rows} next={page.nextCursor} names={names} />
          </>
        )}
      />
    </Section>
  );
}

function AccessTable({ rows, next, names }: RowsProps) {
  if (rows.length === 0) return <p>{emptyPage(next, 'No accesses match.')}</p>;
  return (
    <ScrollTable
      label="Accesses"
      caption="Accesses, oldest first"
      columns={['Time', 'Outcome', 'Kind', 'Hospital', 'Purpose', 'Fields', 'Record']}
    >
        {rows.map((row) => (
          <tr key={rowKey(row)} class={isBreakGlass(row) ? 'break-glass' : row.outcome}>
            <td>{new Date(row.time).toLocaleString()}</td>
            <td>{outcome(row)}</td>
            <td>{kind(row)}</td>
            <td>{reader(row, names)}</td>
            <td>{row.purpose}</td>
            <td>{row.fields?.join(', ') ?? '—'}</td>
            <td>
              <code>{row.recordId.slice(0, 10)}…</code>
            </td>
          </tr>
        ))}
      </ScrollTable>
  );
}

/** Accesses per day on this page, granted and refused, as bars. */
function PerDay({ rows }: { rows: AccessRow[] }) {
  const days = new Map<string, { granted: number; refused: number }>();
  for (const row of rows) {
    const day = row.time.slice(0, 10);
    const count = days.get(day) ?? { granted: 0, refused: 0 };
    count[row.outcome] += 1;
    days.set(day, count);
  }
  if (days.size === 0) return null;
  const most = Math.max(...[...days.values()].map((count) => count.granted + count.refused));
  const entries = [...days.entries()];
  const bar = 28;
  return (
    <figure>
      <svg
        role="img"
        aria-label={`Accesses per day: ${entries.map(([day, c]) => `${day}, ${c.granted} granted and ${c.refused} refused`).join('; ')}`}
        viewBox={`0 0 ${entries.length * (bar + 8) + 8} 120`}
        width={entries.length * (bar + 8) + 8}
        height="120"
      >
        {entries.map(([day, count], index) => {
          const granted = (count.granted / most) * 90;
          const refused = (count.refused / most) * 90;
          const x = 8 + index * (bar + 8);
          return (
            <g key={day}>
              <rect class="bar-granted" x={x} y={100 - granted} width={bar} height={granted} />
              <rect class="bar-refused" x={x} y={100 - granted - refused} width={bar} height={refused} />
              <text x={x} y="115" font-size="8">
                {day.slice(5)}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>Accesses per day on this page: granted (dark) and refused (light).</figcaption>
    </figure>
  );
}
