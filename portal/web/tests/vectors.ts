// The page's signed messages against the known-answer vectors of docs/rpc.md (computed there
// independently of this code): the consent a patient signs, and the share token and its key.
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import type { Hex, RecordType } from '../src/api';
import { consentMessage, shareTokenKey, shareTokenOf } from '../src/consent';

const DIAGNOSIS: RecordType = {
  recordType: 'DIAGNOSIS',
  fields: ['diagnosis', 'icd10_code', 'severity', 'treatment', 'doctor', 'date', 'notes'].map(
    (name) => ({ name, required: false }),
  ),
};
const repeat = (byte: string): Hex => `0x${byte.repeat(32)}`;

function equal(what: string, actual: string, expected: string) {
  if (actual !== expected) throw new Error(`${what}:\n  got      ${actual}\n  expected ${expected}`);
  console.log(`ok ${what}`);
}

await cryptoWaitReady();
const message = consentMessage(
  repeat('07'),
  {
    patient: repeat('11'),
    recordIds: [repeat('22')],
    fields: ['icd10_code'],
    granteeHospital: 2,
    expiresInHours: 2,
    maxUses: 3,
    purpose: 'TREAT',
    tokenPublic: repeat('44'),
  },
  DIAGNOSIS,
  3000,
  0,
  100,
);
equal(
  'the consent vector',
  u8aToHex(message),
  '0x3c42797465733e' +
    '6d6564636861696e2f6772616e742d636f6e73656e742f7631' +
    '07'.repeat(32) +
    '11'.repeat(32) +
    '04' +
    '22'.repeat(32) +
    '0102000000' +
    '0102000000' +
    '60090000' +
    '0103000000' +
    '00' +
    '44'.repeat(32) +
    '0000000000000000' +
    '64000000' +
    '3c2f42797465733e',
);
equal('the consent is 201 bytes', String(message.length), '201');

const first = shareTokenOf(Uint8Array.from({ length: 32 }, (_, i) => i));
equal('the first token', first, 'VIC_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8');
equal(
  'the first token key',
  shareTokenKey(first),
  '0xf07c855718d231b07618afa14d56c683221deaa485395df861bf509c7c9788a2',
);
const second = shareTokenOf(new Uint8Array(32).fill(0xff));
equal('the second token', second, 'VIC___________________________________________8');
equal(
  'the second token key',
  shareTokenKey(second),
  '0xf6c71778e21916588c3c72791ae14971ad1c6fe680516b34609f48ec75997a14',
);
