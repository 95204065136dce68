// Issue a record: a form built from the record type's fields (the node's `recordTypes`), with
// the required ones marked, and an import of many records from CSV or NDJSON.
import { useEffect, useState } from 'preact/hooks';
import type { Hex, RecordStatus, RecordType, SubmittedRecord } from '../api';
import type { Context } from '../app';
import { Busy, IdInput, Problem, Section } from '../components';
import { parseImport, type ImportedRecord } from '../import';
import { useLive } from '../live';

const BATCH = 100;

function requestId(): string {
  return `portal-${Date.now().toString(36)}-${crypto.getRandomValues(new Uint32Array(1))[0].toString(36)}`;
}

export function IssueRecord({ api, session }: Context) {
  const [types, setTypes] = useState<RecordType[]>([]);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api.recordTypes().then(setTypes, setError);
  }, [api]);
  return (
    <>
      <Section title="Issue a record">
        <Problem error={error} />
        {types.length > 0 && <RecordForm context={api} hospital={session.hospital} types={types} />}
      </Section>
      <Section title="Import records">
        <ImportForm api={api} />
      </Section>
    </>
  );
}

/** The anchors this hospital's records got, by record id, as the node's finalized events say. */
function useLiveAnchors(api: Context['api'], hospital: number) {
  const [anchored, setAnchored] = useState<Map<string, number>>(new Map());
  const error = useLive(api, { hospital }, (event) => {
    const recordId = event.recordId;
    if (event.kind === 'recordAnchored' && recordId) {
      setAnchored((known) => new Map(known).set(recordId, event.block));
    }
  });
  return { anchored, error };
}

function RecordForm({
  context: api,
  hospital,
  types,
}: {
  context: Context['api'];
  hospital: number;
  types: RecordType[];
}) {
  const live = useLiveAnchors(api, hospital);
  const [typeName, setTypeName] = useState(types[0].recordType);
  const [patient, setPatient] = useState('');
  const [validUntil, setValidUntil] = useState('');
  // One id per record until the node stores it: a retry after a lost answer stores nothing twice.
  const [clientRequestId, setClientRequestId] = useState(requestId);
  const [values, setValues] = useState<Record<string, string>>({});
  const [submitted, setSubmitted] = useState<SubmittedRecord | null>(null);
  const [status, setStatus] = useState<RecordStatus | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const type = types.find((candidate) => candidate.recordType === typeName) ?? types[0];

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setSubmitted(null);
    setStatus(null);
    setBusy('Storing the record…');
    const fields = Object.fromEntries(
      type.fields
        .map((field) => [field.name, (values[field.name] ?? '').trim()] as const)
        .filter(([, value]) => value !== ''),
    );
    try {
      setSubmitted(
        await api.submitRecord({
          clientRequestId,
          patient: patient.trim() as Hex,
          recordType: type.recordType,
          fields,
          ...(type.recordType === 'PRESCRIPTION' &&
            validUntil && { validUntil: new Date(`${validUntil}T23:59:59Z`).toISOString() }),
        }),
      );
      setValues({});
      setClientRequestId(requestId());
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(null);
    }
  };
  const refresh = async () => {
    if (!submitted) return;
    try {
      setStatus(await api.recordStatus(submitted.recordId));
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <form onSubmit={submit} aria-label="Issue a record">
      <label for="record-type">Record type</label>
      <select
        id="record-type"
        value={type.recordType}
        onChange={(event) => {
          setTypeName(event.currentTarget.value);
          setValues({});
          setClientRequestId(requestId());
        }}
      >
        {types.map((candidate) => (
          <option key={candidate.recordType} value={candidate.recordType}>
            {candidate.recordType}
          </option>
        ))}
      </select>
      <IdInput
        id="record-patient"
        label={
          <>
            Patient pseudonym <span class="required">(required)</span>
          </>
        }
        value={patient}
        onInput={setPatient}
      />
      {type.fields.map((field) => (
        <div class="field" key={`${type.recordType}-${field.name}`}>
          <label for={`field-${field.name}`}>
            {field.name.replace(/_/g, ' ')}
            {field.required && <span class="required"> (required)</span>}
          </label>
          {field.name === 'notes' ? (
            <textarea
              id={`field-${field.name}`}
              name={field.name}
              value={values[field.name] ?? ''}
              onInput={(event) => setValues({ ...values, [field.name]: event.currentTarget.value })}
            />
          ) : (
            <input
              id={`field-${field.name}`}
              name={field.name}
              required={field.required}
              aria-required={field.required ? 'true' : undefined}
              value={values[field.name] ?? ''}
              onInput={(event) => setValues({ ...values, [field.name]: event.currentTarget.value })}
            />
          )}
        </div>
      ))}
      {type.recordType === 'PRESCRIPTION' && (
        <div class="field">
          <label for="record-valid-until">Valid until (empty: a year; at most a year)</label>
          <input
            id="record-valid-until"
            type="date"
            value={validUntil}
            onInput={(event) => setValidUntil(event.currentTarget.value)}
          />
        </div>
      )}
      <button type="submit" disabled={busy !== null}>
        Issue the record
      </button>
      <Busy what={busy} />
      <Problem error={error} />
      {submitted && (
        <div class="result" role="status" aria-live="polite">
          <p>
            Stored. Record id <code data-testid="record-id">{submitted.recordId}</code>
          </p>
          {live.anchored.has(submitted.recordId) ? (
            <p>
              Status: <strong data-testid="record-status">finalized</strong> in block #
              {live.anchored.get(submitted.recordId)} (live)
            </p>
          ) : (
            <p>
              Status: <strong data-testid="record-status">{status?.status ?? submitted.status}</strong>
              {status?.blockNumber !== undefined && <> in block #{status.blockNumber}</>}
              {status?.reason && <> ({status.reason})</>}; it updates when the anchor is final
            </p>
          )}
          <button type="button" onClick={refresh}>
            Check the anchor now
          </button>
          <Problem error={live.error} />
        </div>
      )}
    </form>
  );
}

function ImportForm({ api }: { api: Context['api'] }) {
  const [records, setRecords] = useState<ImportedRecord[]>([]);
  const [done, setDone] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const [running, setRunning] = useState(false);
  const choose = async (event: Event) => {
    setError(null);
    setDone(0);
    const file = (event.currentTarget as HTMLInputElement).files?.[0];
    if (!file) return;
    try {
      setRecords(parseImport(file.name, await file.text(), requestId));
    } catch (caught) {
      setRecords([]);
      setError(caught);
    }
  };
  const run = async () => {
    setRunning(true);
    setError(null);
    try {
      for (let start = done; start < records.length; start += BATCH) {
        await api.submitRecords(records.slice(start, start + BATCH));
        setDone(Math.min(start + BATCH, records.length));
      }
    } catch (caught) {
      setError(caught);
    } finally {
      setRunning(false);
    }
  };
  return (
    <div>
      <label for="import-file">CSV or NDJSON file</label>
      <input id="import-file" type="file" accept=".csv,.ndjson,.jsonl" onChange={choose} />
      {records.length > 0 && (
        <>
          <p>{records.length} records read.</p>
          <label for="import-progress">Imported</label>
          <progress id="import-progress" max={records.length} value={done}>
            {done} of {records.length}
          </progress>
          <p role="status">
            {done} of {records.length} imported
          </p>
          <button type="button" onClick={run} disabled={running || done === records.length}>
            {done > 0 && done < records.length ? 'Resume the import' : 'Import'}
          </button>
        </>
      )}
      <Problem error={error} />
    </div>
  );
}
