// Share a record: the custodian's staff set the terms with the patient, the patient's key signs
// the consent in this page (the secret never leaves it), and the share token is shown once.
import { useEffect, useRef, useState } from 'preact/hooks';
import { u8aToHex } from '@polkadot/util';
import QRCode from 'qrcode';
import type { CreatedShare, Hex, RecordType, ShareTerms } from '../api';
import type { Context } from '../app';
import { Busy, IdInput, Problem, Section, useTask } from '../components';
import { consentMessage, newShareToken, patientKey, PURPOSES } from '../consent';

export function ShareRecord({ api, session, members }: Context) {
  const [types, setTypes] = useState<RecordType[]>([]);
  const [recordId, setRecordId] = useState('');
  const [typeName, setTypeName] = useState('');
  const [fields, setFields] = useState<string[]>([]);
  const [grantee, setGrantee] = useState('');
  const [hours, setHours] = useState('24');
  const [maxUses, setMaxUses] = useState('');
  const [purpose, setPurpose] = useState('TREAT');
  const [secret, setSecret] = useState('');
  const [created, setCreated] = useState<{ share: CreatedShare; token: string } | null>(null);
  const { busy, error, setError, run } = useTask();
  useEffect(() => {
    api.recordTypes().then((loaded) => {
      setTypes(loaded);
      setTypeName(loaded[0]?.recordType ?? '');
    }, setError);
  }, [api]);
  const type = types.find((candidate) => candidate.recordType === typeName);

  const share = (event: Event) => {
    event.preventDefault();
    if (!type) return;
    setCreated(null);
    const signAndShare = async (say: (what: string) => void) => {
      const key = await patientKey(secret);
      const { token, tokenPublic } = await newShareToken();
      const terms: ShareTerms = {
        patient: key.pseudonym,
        recordIds: [recordId.trim() as Hex],
        fields,
        expiresInHours: Number(hours),
        purpose,
        tokenPublic,
        ...(grantee !== '' && { granteeHospital: Number(grantee) }),
        ...(maxUses !== '' && { maxUses: Number(maxUses) }),
      };
      const prepared = await api.prepareShare(terms);
      const message = consentMessage(
        session.genesisHash,
        terms,
        type,
        session.slotMillis,
        prepared.nonce,
        prepared.deadline,
      );
      if (u8aToHex(message) !== prepared.message) {
        throw new Error(
          'The node describes these terms differently from this page (is the record type right?). Nothing was signed.',
        );
      }
      say('Creating the share on the chain (it waits for finality)…');
      const signature = key.sign(message);
      const share = await api.createShare(terms, prepared.nonce, prepared.deadline, signature);
      setCreated({ share, token });
    };
    // The phrase is needed for one signature only.
    void run('Signing the consent in this page…', signAndShare).finally(() => setSecret(''));
  };

  return (
    <Section title="Share a record">
      <form onSubmit={share} aria-label="Share a record">
        <IdInput id="share-record" label="Record id" value={recordId} onInput={setRecordId} />
        <label for="share-type">Record type</label>
        <select
          id="share-type"
          value={typeName}
          onChange={(event) => {
            setTypeName(event.currentTarget.value);
            setFields([]);
          }}
        >
          {types.map((candidate) => (
            <option key={candidate.recordType}>{candidate.recordType}</option>
          ))}
        </select>
        <fieldset>
          <legend>Fields to share</legend>
          {type?.fields.map((field) => (
            <div class="check" key={`${type.recordType}-${field.name}`}>
              <input
                type="checkbox"
                id={`share-field-${field.name}`}
                checked={fields.includes(field.name)}
                onChange={(event) =>
                  setFields(
                    event.currentTarget.checked
                      ? [...fields, field.name]
                      : fields.filter((name) => name !== field.name),
                  )
                }
              />
              <label for={`share-field-${field.name}`}>{field.name.replace(/_/g, ' ')}</label>
            </div>
          ))}
        </fieldset>
        <label for="share-grantee">Hospital that may open it</label>
        <select id="share-grantee" value={grantee} onChange={(event) => setGrantee(event.currentTarget.value)}>
          <option value="">Any hospital holding the token</option>
          {[...members.values()].map((hospital) => (
            <option key={hospital.id} value={String(hospital.id)}>
              {hospital.name} ({hospital.id})
            </option>
          ))}
        </select>
        <label for="share-hours">For how many hours</label>
        <input
          id="share-hours"
          type="number"
          min="1"
          required
          value={hours}
          onInput={(event) => setHours(event.currentTarget.value)}
        />
        <label for="share-uses">At most this many opens (empty: no limit)</label>
        <input
          id="share-uses"
          type="number"
          min="1"
          value={maxUses}
          onInput={(event) => setMaxUses(event.currentTarget.value)}
        />
        <label for="share-purpose">Purpose</label>
        <select id="share-purpose" value={purpose} onChange={(event) => setPurpose(event.currentTarget.value)}>
          {PURPOSES.map((code) => (
            <option key={code}>{code}</option>
          ))}
        </select>
        <label for="share-secret">Patient’s secret phrase (stays in this page)</label>
        <input
          id="share-secret"
          type="password"
          autocomplete="off"
          data-1p-ignore
          required
          value={secret}
          onInput={(event) => setSecret(event.currentTarget.value)}
        />
        <button type="submit" disabled={busy !== null || fields.length === 0}>
          Sign and share
        </button>
        <Busy what={busy} />
        <Problem error={error} />
      </form>
      {created && <ShareToken token={created.token} share={created.share} />}
      {created && <Revoke api={api} grantId={created.share.grantId} />}
    </Section>
  );
}

/** The token, shown once, with its QR code and a copy button. */
function ShareToken({ token, share }: { token: string; share: CreatedShare }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (canvas.current) void QRCode.toCanvas(canvas.current, token, { margin: 2, width: 220 });
  }, [token]);
  return (
    <div class="result" role="status">
      <h3>Share {share.grantId} created</h3>
      <p>It expires {new Date(share.expiresAt).toLocaleString()}. This token is shown only once:</p>
      <p>
        <code data-testid="share-token">{token}</code>
      </p>
      <canvas ref={canvas} role="img" aria-label="The share token as a QR code" />
      <button
        type="button"
        onClick={async () => {
          await navigator.clipboard.writeText(token);
          setCopied(true);
        }}
      >
        {copied ? 'Copied' : 'Copy the token'}
      </button>
    </div>
  );
}

/** Revokes the share this page created, at the patient's request. */
function Revoke({ api, grantId }: { api: Context['api']; grantId: number }) {
  const [revoked, setRevoked] = useState(false);
  const { busy, error, run } = useTask();
  const revoke = () =>
    run('Revoking on the chain (it waits for finality)…', async () => {
      await api.revokeShare(grantId);
      setRevoked(true);
    });
  return (
    <div>
      {revoked ? (
        <p role="status" data-testid="revoked">
          Share {grantId} is revoked: its token opens nothing any more.
        </p>
      ) : (
        <button type="button" onClick={revoke} disabled={busy !== null}>
          Revoke share {grantId}
        </button>
      )}
      <Busy what={busy} />
      <Problem error={error} />
    </div>
  );
}
