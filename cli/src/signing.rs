//! What a patient's key signs, recomputed here from values the command knows: the chain's
//! genesis, the record id, the node's 32-byte challenge, the share's terms, nonce and deadline.
//!
//! The patient's key also signs the patient's extrinsics, so the command never signs bytes an
//! endpoint hands it. The node's copy of the message is compared with the one computed here,
//! and a difference is refused before anything is signed: a rogue endpoint learns nothing it
//! could submit.

use medchain_app_api::{
	challenge, consent, types::to_hex, Hash32, RecordChallenge, RecordId, ShareTerms,
};
use medchain_client::{runtime_api, Chain};
use sp_core::{sr25519, Pair};

/// What a record challenge is for.
#[derive(Clone, Copy)]
pub enum Purpose {
	/// The patient reads their record (`getRecord`).
	Read,
	/// The patient approves the record's erasure (`eraseRecord`).
	Erase,
}

/// The patient's signature of `offered`, a challenge for `record`, after recomputing its
/// message: 0x-hex.
pub async fn sign_challenge(
	chain: &Chain,
	patient: &sr25519::Pair,
	record: RecordId,
	offered: &RecordChallenge,
	purpose: Purpose,
) -> crate::Result<String> {
	if offered.record_id != record {
		return Err(format!(
			"the node answered a challenge for record {} instead of {record}; nothing was signed",
			offered.record_id
		));
	}
	let record_id = record.0;
	let nonce = offered.challenge.parse::<Hash32>().map(|nonce| nonce.0).map_err(|_| {
		format!(
			"the node's challenge is not 32 bytes of hex ({} characters); nothing was signed",
			offered.challenge.len()
		)
	})?;
	let genesis = chain.genesis_hash().await?.0;
	let (message, offered_message) = match purpose {
		Purpose::Read => (challenge::message(&genesis, &record_id, &nonce), &offered.message),
		Purpose::Erase => {
			(challenge::erase_message(&genesis, &record_id, &nonce), &offered.erase_message)
		}
	};
	refuse_if_other(&message, offered_message, "the record challenge")?;
	Ok(sign(patient, &message))
}

/// The patient's signature of their consent to `terms` with `nonce` until block `deadline`,
/// computed from the records' types and the genesis the chain gives, and the block time this
/// CLI was built for: 0x-hex. `offered`, the node's copy of the message, must match if given.
/// The records' types come from `--node`: use the hospital's own node, over loopback or TLS.
pub async fn sign_consent(
	chain: &Chain,
	patient: &sr25519::Pair,
	terms: &ShareTerms,
	nonce: u64,
	deadline: u32,
	offered: Option<&str>,
) -> crate::Result<String> {
	let records = consent::record_ids(terms).map_err(|e| e.message)?;
	let mut types = Vec::with_capacity(records.len());
	for id in &records {
		let record = chain
			.call(runtime_api::RECORD, *id, None)
			.await?
			.ok_or_else(|| format!("record {} is not anchored on this chain", to_hex(id)))?;
		types.push(record.record_type);
	}
	// The block time this CLI was built for, not the node's word for it: a node that claimed
	// shorter blocks would stretch the share the patient signs.
	let slot_millis = medchain_runtime::SLOT_DURATION;
	let node_slot = chain.call(runtime_api::SLOT_DURATION, (), None).await?;
	if node_slot != slot_millis {
		return Err(format!(
			"the node says blocks last {node_slot} ms, this medchain was built for {slot_millis} ms: \
			 use a medchain built for this chain; nothing was signed"
		));
	}
	let (pseudonym, chain_terms) =
		consent::chain_terms(terms, records, &types, slot_millis).map_err(|e| e.message)?;
	if pseudonym != patient.public().0 {
		return Err(format!(
			"the signing key is not patient {}'s; nothing was signed",
			terms.patient
		));
	}
	let genesis = chain.genesis_hash().await?.0;
	let message = consent::consent_message(&genesis, &pseudonym, &chain_terms, nonce, deadline);
	if let Some(offered) = offered {
		refuse_if_other(&message, offered, "the consent message")?;
	}
	Ok(sign(patient, &message))
}

/// Refuses when the node's 0x-hex copy `offered` of `what` is not `computed`.
fn refuse_if_other(computed: &[u8], offered: &str, what: &str) -> crate::Result<()> {
	if offered.eq_ignore_ascii_case(&to_hex(computed)) {
		return Ok(());
	}
	Err(format!(
		"the node asked the patient to sign other bytes than {what} computed here (a rogue or \
		 outdated endpoint); nothing was signed"
	))
}

fn sign(patient: &sr25519::Pair, message: &[u8]) -> String {
	to_hex(patient.sign(message).as_ref())
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn only_the_computed_message_passes() {
		let message = challenge::message(&[1; 32], &[2; 32], &[3; 32]);
		assert!(refuse_if_other(&message, &to_hex(&message), "x").is_ok());
		let error =
			refuse_if_other(&message, &to_hex(&[0x06, 0x03]), "the record challenge").unwrap_err();
		assert!(error.contains("nothing was signed"), "{error}");
	}
}
