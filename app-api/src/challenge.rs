//! What a patient signs to read their own record, or to approve its erasure:
//! `<Bytes>` ‖ domain tag (one per purpose) ‖ SCALE(genesis hash, record, challenge) ‖ `</Bytes>`.
//!
//! The genesis hash keeps a signature from being replayed on another chain; the single-use
//! challenge, on this one; the tag, for the other purpose. The `<Bytes>` wrapping (polkadot.js
//! `signRaw`'s) keeps it from ever being an extrinsic's signing payload: the patient's key also
//! signs the patient's extrinsics. A signer computes these bytes itself from the record id, the
//! chain's genesis and the 32-byte challenge, and never signs bytes an endpoint hands it.

use codec::Encode;
use medchain_primitives::shares::wrap_in_bytes_tags;

/// Domain tag of a read.
pub const READ_DOMAIN: &[u8] = b"medchain/get-record/v1";
/// Domain tag of an erasure approval.
pub const ERASE_DOMAIN: &[u8] = b"medchain/erase-record/v1";

/// The bytes the patient signs with their pseudonym key (sr25519) to read the record.
pub fn message(genesis_hash: &[u8; 32], record_id: &[u8; 32], challenge: &[u8; 32]) -> Vec<u8> {
	wrap_in_bytes_tags(&(READ_DOMAIN, genesis_hash, record_id, challenge).encode())
}

/// The bytes the patient signs to approve the record's erasure.
pub fn erase_message(
	genesis_hash: &[u8; 32],
	record_id: &[u8; 32],
	challenge: &[u8; 32],
) -> Vec<u8> {
	wrap_in_bytes_tags(&(ERASE_DOMAIN, genesis_hash, record_id, challenge).encode())
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn messages_are_wrapped_and_differ_by_purpose_chain_record_and_challenge() {
		let read = message(&[1; 32], &[2; 32], &[3; 32]);
		assert!(read.starts_with(b"<Bytes>") && read.ends_with(b"</Bytes>"));
		assert_ne!(read, erase_message(&[1; 32], &[2; 32], &[3; 32]));
		assert_ne!(read, message(&[9; 32], &[2; 32], &[3; 32]));
		assert_ne!(read, message(&[1; 32], &[9; 32], &[3; 32]));
		assert_ne!(read, message(&[1; 32], &[2; 32], &[9; 32]));
	}
}
