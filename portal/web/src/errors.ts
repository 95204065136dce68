// Every error the page shows, in words: the node's codes (docs/rpc.md, "Error codes") each
// with its own sentence, and the node's message beside it for the details.
import { RpcError } from './rpc';

const SENTENCES: Record<number, string> = {
  [-32001]: 'This token is not known to this node. Check it, or ask for a new one.',
  [-32002]: 'Your role may not do this.',
  [-32003]: 'Too many requests at once. Wait a moment and try again.',
  [-32004]: 'The node is busy. Nothing was done; try again shortly.',
  [-32005]: 'This needs a live connection (WebSocket).',
  [-32010]: 'This record type is unknown.',
  [-32011]: 'A field is not part of this record type.',
  [-32012]: 'A required field is empty.',
  [-32013]: 'A field value is not valid.',
  [-32014]: 'The record is too large (at most 1 MiB of field values).',
  [-32015]: 'Too many records in one import batch (at most 500).',
  [-32017]: 'This request id was used before for a different record.',
  [-32018]: 'No such record is anchored on the chain.',
  [-32019]: 'The record was erased.',
  [-32021]: 'The request id is empty or too long.',
  [-32022]: 'The record is not anchored yet; try again once it is final.',
  [-32023]: 'The reading challenge is unknown, used or expired: start the read again.',
  [-32024]: 'The signature does not match: nothing was shared.',
  [-32025]: 'No finalized access entry logs this read yet.',
  [-32026]: 'This access was served already.',
  [-32027]: 'The share terms are not valid.',
  [-32028]: 'The chain refused the share.',
  [-32029]: 'Follow either one patient or one hospital.',
  [-32030]: 'This is not a share token: it starts with VIC_ and has 47 characters.',
  [-32031]: 'No share opens with this token: it was never created, or it expired long ago.',
  [-32032]: 'The patient revoked this share.',
  [-32033]: 'This share has expired.',
  [-32034]: 'This share was made for another hospital: access denied for this hospital.',
  [-32035]: 'This share has been used as often as the patient allowed.',
  [-32036]: 'This share does not cover this record.',
  [-32037]: 'The purpose is not the one the patient allowed.',
  [-32038]: 'The purpose is not valid.',
  [-32039]: 'The chain refused the access.',
  [-32040]: 'The node could not send its transaction.',
  [-32041]: 'The chain has not made this final yet. It stays queued: do not send it again; try again in a minute.',
  [-32050]: 'The record store failed; nothing was stored.',
  [-32051]: 'The record store is full; nothing was stored.',
  [-32060]: 'The custodian hospital did not answer yet; the access is logged. Try again in a moment.',
  [-32061]: 'The custodian hospital refused to release the fields.',
  [-32062]: 'The fields did not verify against the chain: they are not shown.',
  [-32063]: 'This access is too old to be served: open the record again.',
  [-32070]: 'The audit query is not valid.',
  [-32080]: 'This record is not a prescription.',
  [-32081]: 'This prescription was erased.',
  [-32082]: 'A newer version replaced this prescription.',
  [-32083]: 'This prescription has expired.',
  [-32084]: 'Open the prescription with the patient’s share token first.',
  [-32085]: 'Every fill of this prescription is used.',
  [-32086]: 'Only pharmacies fill prescriptions.',
  [-32602]: 'A value is malformed.',
};

/** Codes after which trying again later may succeed. */
export const RETRYABLE = new Set([-32003, -32004, -32041, -32060]);

/** The sentence for `error`, and the node's own words for the details. */
export function describe(error: unknown): { sentence: string; detail: string; code: number } {
  if (error instanceof RpcError) {
    const fallback = error.code === 0 ? 'The node did not answer.' : 'The node refused the request.';
    const sentence = SENTENCES[error.code] ?? fallback;
    const data =
      typeof error.data === 'string' ? error.data : error.data ? JSON.stringify(error.data) : '';
    return { sentence, detail: [error.message, data].filter(Boolean).join(': '), code: error.code };
  }
  // The page's own refusals (a malformed file, a consent the node describes differently) are
  // sentences already.
  const message = error instanceof Error ? error.message : String(error);
  return { sentence: message, detail: '', code: 0 };
}
