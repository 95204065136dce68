// What a patient's key signs to share, computed here from the terms the patient chose: the page
// never signs bytes the node sent (docs/rpc.md, "What a patient's key signs"). Also the share
// token, made in this page (docs/rpc.md, "The share token and its key").
import { Keyring } from '@polkadot/keyring';
import { hexToU8a, stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { cryptoWaitReady, ed25519PairFromSeed, sha256AsU8a } from '@polkadot/util-crypto';
import type { Hex, RecordType, ShareTerms } from './api';

/** The HL7 PurposeOfUse codes, in the chain's order. */
export const PURPOSES = [
  'TREAT',
  'ETREAT',
  'CAREMGT',
  'COC',
  'PATRQT',
  'HPAYMT',
  'HOPERAT',
  'HRESCH',
  'PUBHLTH',
  'HLEGAL',
] as const;

const CONSENT_DOMAIN = 'medchain/grant-consent/v1';
const TOKEN_DOMAIN = 'medchain/share/v1';

function u32(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value, true);
  return bytes;
}

function u64(value: number): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(value), true);
  return bytes;
}

function optionU32(value: number | undefined): Uint8Array {
  return value === undefined ? new Uint8Array([0]) : u8aConcat(new Uint8Array([1]), u32(value));
}

/** SCALE's compact length, for the at most 32 records a share holds. */
function compactLength(length: number): Uint8Array {
  if (length >= 64) throw new Error('a share holds at most 32 records');
  return new Uint8Array([length << 2]);
}

function id32(hex: Hex, what: string): Uint8Array {
  const bytes = hexToU8a(hex);
  if (bytes.length !== 32) throw new Error(`${what} is not 32 bytes`);
  return bytes;
}

/** The share's duration in blocks, as the chain counts it. */
export function durationBlocks(expiresInHours: number, slotMillis: number): number {
  return Math.ceil((expiresInHours * 3_600_000) / slotMillis);
}

/** The field mask of `fields` in `type`'s commitment order. */
export function fieldMask(type: RecordType, fields: string[]): number {
  let mask = 0;
  for (const field of fields) {
    const index = type.fields.findIndex((candidate) => candidate.name === field);
    if (index < 0) throw new Error(`${type.recordType} has no field ${field}`);
    mask |= 1 << index;
  }
  return mask >>> 0;
}

/** The consent message, `<Bytes>`-wrapped, for `terms` over records of `type`. */
export function consentMessage(
  genesisHash: Hex,
  terms: ShareTerms,
  type: RecordType,
  slotMillis: number,
  nonce: number,
  deadline: number,
): Uint8Array {
  const purpose = PURPOSES.indexOf(terms.purpose as (typeof PURPOSES)[number]);
  if (purpose < 0) throw new Error(`${terms.purpose} is not a purpose of use`);
  const fields = terms.fields
    ? u8aConcat(new Uint8Array([1]), u32(fieldMask(type, terms.fields)))
    : new Uint8Array([0]);
  return u8aConcat(
    stringToU8a('<Bytes>'),
    stringToU8a(CONSENT_DOMAIN),
    id32(genesisHash, 'the genesis hash'),
    id32(terms.patient, 'the patient'),
    compactLength(terms.recordIds.length),
    ...terms.recordIds.map((id) => id32(id, 'a record id')),
    fields,
    optionU32(terms.granteeHospital),
    u32(durationBlocks(terms.expiresInHours, slotMillis)),
    optionU32(terms.maxUses),
    new Uint8Array([purpose]),
    id32(terms.tokenPublic, 'the token key'),
    u64(nonce),
    u32(deadline),
    stringToU8a('</Bytes>'),
  );
}

/** A patient's pseudonym key, from a mnemonic or a secret URI; it stays in this page. */
export async function patientKey(secret: string) {
  await cryptoWaitReady();
  const pair = new Keyring({ type: 'sr25519' }).addFromUri(secret.trim());
  return { pseudonym: u8aToHex(pair.publicKey) as Hex, sign: (message: Uint8Array) => u8aToHex(pair.sign(message)) as Hex };
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The share token of 32 random bytes. */
export function shareTokenOf(random: Uint8Array): string {
  return `VIC_${base64url(random)}`;
}

/** A new share token and its public key: the token is shown once, the key goes on chain. */
export async function newShareToken(): Promise<{ token: string; tokenPublic: Hex }> {
  await cryptoWaitReady();
  const token = shareTokenOf(crypto.getRandomValues(new Uint8Array(32)));
  return { token, tokenPublic: shareTokenKey(token) };
}

/** The Ed25519 public key of `token`'s seed. */
export function shareTokenKey(token: string): Hex {
  const seed = sha256AsU8a(u8aConcat(stringToU8a(TOKEN_DOMAIN), stringToU8a(token)));
  return u8aToHex(ed25519PairFromSeed(seed).publicKey) as Hex;
}
