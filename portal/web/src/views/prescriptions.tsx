// Prescriptions: verify one (anyone with a token of this node), and, at a pharmacy, open it with
// the patient's share token and fill it, with the fills left shown. Issuing one is the record
// form with the PRESCRIPTION type (its refills and expiry are anchored with it).
import { useState } from 'preact/hooks';
import type { FilledPrescription, Hex, PrescriptionVerification } from '../api';
import type { Context } from '../app';
import { Busy, IdInput, Problem, Section, useTask } from '../components';

export function Prescriptions({ api, session, members }: Context) {
  const pharmacy = members.get(session.hospital)?.kind === 'pharmacy';
  const [recordId, setRecordId] = useState('');
  const [token, setToken] = useState('');
  const [verified, setVerified] = useState<PrescriptionVerification | null>(null);
  const [quantity, setQuantity] = useState('');
  const [filled, setFilled] = useState<FilledPrescription | null>(null);
  const { busy, error, run } = useTask();
  const verify = (event: Event) => {
    event.preventDefault();
    setFilled(null);
    void run(token ? 'Opening the prescription with the token…' : 'Reading the chain…', async () =>
      setVerified(await api.verifyPrescription(recordId.trim() as Hex, token.trim() || undefined)),
    );
  };
  const fill = (event: Event) => {
    event.preventDefault();
    void run('Recording the fill on the chain (it waits for finality)…', async () => {
      setFilled(await api.fillPrescription(recordId.trim() as Hex, Number(quantity)));
      setVerified(await api.verifyPrescription(recordId.trim() as Hex));
    });
  };

  return (
    <Section title="Prescriptions">
      <form onSubmit={verify} aria-label="Verify a prescription">
        <IdInput id="rx-record" label="Prescription record id" value={recordId} onInput={setRecordId} />
        {session.role === 'app' && (
          <>
            <label for="rx-token">Patient’s share token (optional: opens the prescribed fields)</label>
            <input
              id="rx-token"
              autocomplete="off"
              value={token}
              onInput={(event) => setToken(event.currentTarget.value)}
            />
          </>
        )}
        <button type="submit" disabled={busy !== null}>
          Verify
        </button>
      </form>
      <Busy what={busy} />
      <Problem error={error} />
      {verified && <Verification verified={verified} />}
      {verified && pharmacy && (
        <form onSubmit={fill} aria-label="Fill the prescription">
          <label for="rx-quantity">Quantity dispensed</label>
          <input
            id="rx-quantity"
            type="number"
            min="1"
            required
            value={quantity}
            onInput={(event) => setQuantity(event.currentTarget.value)}
          />
          <button type="submit" disabled={busy !== null || verified.fillsLeft === 0}>
            Fill ({verified.fillsLeft} left)
          </button>
        </form>
      )}
      {filled && (
        <p class="result" role="status">
          Fill {filled.fillNo} recorded in block #{filled.block}: {filled.fillsLeft} left.
        </p>
      )}
    </Section>
  );
}

function Verification({ verified }: { verified: PrescriptionVerification }) {
  return (
    <div class="result" aria-live="polite">
      <h3>{verified.authentic ? 'Authentic prescription' : 'NOT an authentic prescription'}</h3>
      <dl class="health">
        <dt>Prescriber</dt>
        <dd>
          {verified.prescriber.name} ({verified.prescriber.status})
        </dd>
        <dt>Status</dt>
        <dd>
          {verified.status}
          {verified.amendedBy && (
            <>
              {' '}
              by <code>{verified.amendedBy}</code>
            </>
          )}
        </dd>
        <dt>Issued</dt>
        <dd>{new Date(verified.anchoredAt).toLocaleString()}</dd>
        <dt>Expires</dt>
        <dd>
          {new Date(verified.expiresAt).toLocaleString()}
          {verified.expired && <strong> (expired)</strong>}
        </dd>
        <dt>Fills</dt>
        <dd data-testid="fills">
          {verified.fillsUsed} of {verified.fillsAllowed} used, {verified.fillsLeft} left
        </dd>
      </dl>
      {verified.fields && (
        <dl class="fields">
          {Object.entries(verified.fields.fields).map(([name, value]) => (
            <div class="granted" key={name}>
              <dt>{name.replace(/_/g, ' ')}</dt>
              <dd>
                {value ?? '(empty)'} <span class="verified">✓ verified against the chain</span>
              </dd>
            </div>
          ))}
        </dl>
      )}
      {verified.fills.length > 0 && (
        <ul class="cards" aria-label="Fills, oldest first">
          {verified.fills.map((fill) => (
            <li key={fill.fillNo}>
              Fill {fill.fillNo}: {fill.quantity} by {fill.pharmacy.name} on{' '}
              {new Date(fill.time).toLocaleString()}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
