//! What a patient signs to read their own record, or to approve its erasure: the domain tag
//! (one per purpose), the chain's genesis hash, the record and the node's fresh challenge,
//! SCALE-encoded. The genesis hash keeps a signature from being replayed on another chain; the
//! single-use challenge, on this one; the tag, for the other purpose.

use codec::Encode;

/// Domain tag of a read.
pub const READ_DOMAIN: &[u8] = b"medchain/get-record/v1";
/// Domain tag of an erasure approval.
pub const ERASE_DOMAIN: &[u8] = b"medchain/erase-record/v1";

/// The bytes the patient signs with their pseudonym key (sr25519) to read the record.
pub fn message(genesis_hash: &[u8; 32], record_id: &[u8; 32], challenge: &[u8; 32]) -> Vec<u8> {
	(READ_DOMAIN, genesis_hash, record_id, challenge).encode()
}

/// The bytes the patient signs to approve the record's erasure.
pub fn erase_message(
	genesis_hash: &[u8; 32],
	record_id: &[u8; 32],
	challenge: &[u8; 32],
) -> Vec<u8> {
	(ERASE_DOMAIN, genesis_hash, record_id, challenge).encode()
}
