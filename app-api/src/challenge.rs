//! What a patient signs to read their own record: the domain tag, the chain's genesis hash,
//! the record and the node's fresh challenge, SCALE-encoded. The genesis hash keeps a signature
//! from being replayed on another chain; the single-use challenge, on this one.

use codec::Encode;

/// Domain tag of the message.
pub const DOMAIN: &[u8] = b"medchain/get-record/v1";

/// The bytes the patient signs with their pseudonym key (sr25519).
pub fn message(genesis_hash: &[u8; 32], record_id: &[u8; 32], challenge: &[u8; 32]) -> Vec<u8> {
	(DOMAIN, genesis_hash, record_id, challenge).encode()
}
