// Open a record another hospital keeps, with the patient's share token: the granted fields,
// each verified against the chain by this hospital's node, and the others visibly absent.
import { useEffect, useState } from 'preact/hooks';
import type { Hex, RecordType, SharedFields } from '../api';
import type { Context } from '../app';
import { Busy, IdInput, Problem, Section, useTask } from '../components';
import { PURPOSES } from '../consent';
import { RpcError } from '../rpc';
import { QrScanner } from './qr';

/** The access id a `NotFinalYet` or `CustodianUnavailable` error names: logged, not opened. */
function loggedAccess(error: unknown): number | null {
  if (!(error instanceof RpcError) || typeof error.data !== 'object' || error.data === null) {
    return null;
  }
  const accessId = (error.data as { accessId?: unknown }).accessId;
  return typeof accessId === 'number' ? accessId : null;
}

export function OpenShared({ api }: Context) {
  const [types, setTypes] = useState<RecordType[]>([]);
  const [token, setToken] = useState('');
  const [recordId, setRecordId] = useState('');
  const [purpose, setPurpose] = useState('TREAT');
  const [opened, setOpened] = useState<SharedFields | null>(null);
  const { busy, error, setError, run } = useTask();
  useEffect(() => {
    api.recordTypes().then(setTypes, setError);
  }, [api]);

  const attempt = (open: () => Promise<SharedFields>) => {
    setOpened(null);
    return run('Logging the access on the chain and asking the custodian…', async () =>
      setOpened(await open()),
    );
  };
  const submit = (event: Event) => {
    event.preventDefault();
    void attempt(() => api.accessShared(token.trim(), recordId.trim() as Hex, purpose));
  };
  // Only a logged access is retried (`retryAccess`); one in no block yet must not be sent again.
  const pending = loggedAccess(error);
  const retry =
    pending === null ? undefined : () => void attempt(() => api.retryAccess(token.trim(), pending));
  const type = opened && types.find((candidate) => candidate.recordType === opened.recordType);

  return (
    <Section title="Open a shared record">
      <form onSubmit={submit} aria-label="Open a shared record">
        <label for="open-token">Share token</label>
        <input
          id="open-token"
          required
          autocomplete="off"
          value={token}
          onInput={(event) => {
            setToken(event.currentTarget.value);
            setError(null);
          }}
        />
        <QrScanner onScanned={setToken} />
        <IdInput
          id="open-record"
          label="Record id"
          value={recordId}
          onInput={(value) => {
            setRecordId(value);
            setError(null);
          }}
        />
        <label for="open-purpose">Purpose</label>
        <select id="open-purpose" value={purpose} onChange={(event) => setPurpose(event.currentTarget.value)}>
          {PURPOSES.map((code) => (
            <option key={code}>{code}</option>
          ))}
        </select>
        <button type="submit" disabled={busy !== null}>
          Open the record
        </button>
      </form>
      <Busy what={busy} />
      <Problem error={error} onRetry={retry} />
      {opened && (
        <div class="result" aria-live="polite">
          <h3>
            {opened.recordType} from hospital {opened.custodian}
          </h3>
          <p class="detail">
            Access {opened.accessId}, logged on the chain. Field root <code>{opened.fieldRoot}</code>
          </p>
          <dl class="fields" data-testid="shared-fields">
            {(type?.fields.map((field) => field.name) ?? Object.keys(opened.fields)).map((name) =>
              name in opened.fields ? (
                <div class="granted" key={name} data-field={name}>
                  <dt>{name.replace(/_/g, ' ')}</dt>
                  <dd>
                    {opened.fields[name] ?? '(empty)'}{' '}
                    <span class="verified">✓ verified against the chain</span>
                  </dd>
                </div>
              ) : (
                <div class="absent" key={name} data-field={name}>
                  <dt>{name.replace(/_/g, ' ')}</dt>
                  <dd>not shared with you</dd>
                </div>
              ),
            )}
          </dl>
        </div>
      )}
    </Section>
  );
}
