//! A share's terms as the chain holds them, and the consent message the patient signs.
//!
//! The node and every signer compute both from the same [`ShareTerms`], the records' types and
//! the block time, so a signer never needs the bytes a node returns: it recomputes them, and
//! the node checks the signature against its own computation.

use medchain_primitives::{
	commitment::RecordId,
	shares::{grant_consent_message, FieldSelection, GrantTerms, PurposeOfUse, TokenKey},
	RecordType,
};

use crate::{fields, ids::Hash32, ApiError, ErrorCode, ShareTerms};

/// The chain's terms of a share (the runtime's bounded list encodes as this `Vec`).
pub type ChainTerms = GrantTerms<Vec<RecordId>, u32>;

fn invalid(message: impl Into<String>) -> ApiError {
	ErrorCode::InvalidShareTerms.error(message)
}

/// The records `terms` names; at least one.
pub fn record_ids(terms: &ShareTerms) -> Result<Vec<RecordId>, ApiError> {
	if terms.record_ids.is_empty() {
		return Err(invalid("recordIds names no record"));
	}
	Ok(terms.record_ids.iter().map(|id| id.0).collect())
}

/// The patient and the chain's terms for `terms`, whose records `records` are of types
/// `record_types`, on a chain with blocks of `slot_millis`.
pub fn chain_terms(
	terms: &ShareTerms,
	records: Vec<RecordId>,
	record_types: &[RecordType],
	slot_millis: u64,
) -> Result<([u8; 32], ChainTerms), ApiError> {
	let patient = terms.patient.0;
	let fields = match &terms.fields {
		None => FieldSelection::AllButNotes,
		Some(names) => FieldSelection::Only(fields::field_mask(record_types, names)?),
	};
	let purpose = PurposeOfUse::from_code(&terms.purpose).ok_or_else(|| {
		ErrorCode::InvalidPurpose
			.error(format!("{:?} is not an HL7 PurposeOfUse code", terms.purpose))
	})?;
	let token_key = terms
		.token_public
		.parse::<Hash32>()
		.map(|key| TokenKey::from_raw(key.0))
		.map_err(|_| invalid("tokenPublic is not 0x and 64 hex digits"))?;
	if terms.expires_in_hours == 0 {
		return Err(invalid("expiresInHours must be at least 1"));
	}
	let millis = u64::from(terms.expires_in_hours).saturating_mul(3_600_000);
	let duration = u32::try_from(millis.div_ceil(slot_millis.max(1)))
		.map_err(|_| invalid("expiresInHours is too long"))?;
	Ok((
		patient,
		GrantTerms {
			records,
			fields,
			grantee: terms.grantee_hospital,
			duration,
			max_uses: terms.max_uses,
			purpose,
			token_key,
		},
	))
}

/// The bytes `patient` signs to consent to `terms` with `nonce`, usable until block `deadline`
/// of the chain with genesis `genesis_hash` (`<Bytes>`-wrapped).
pub fn consent_message(
	genesis_hash: &[u8; 32],
	patient: &[u8; 32],
	terms: &ChainTerms,
	nonce: u64,
	deadline: u32,
) -> Vec<u8> {
	grant_consent_message(genesis_hash, patient, terms, nonce, &deadline)
}

#[cfg(test)]
mod tests {
	use super::*;

	fn share_terms() -> ShareTerms {
		ShareTerms {
			patient: [0x11; 32].into(),
			record_ids: vec![[0x22; 32].into()],
			fields: Some(vec!["icd10_code".into()]),
			grantee_hospital: Some(2),
			expires_in_hours: 2,
			max_uses: Some(3),
			purpose: "TREAT".into(),
			token_public: format!("0x{}", "33".repeat(32)),
		}
	}

	#[test]
	fn terms_become_the_chains_with_the_duration_in_blocks() {
		let terms = share_terms();
		let records = record_ids(&terms).unwrap();
		let (patient, chain) =
			chain_terms(&terms, records, &[RecordType::Diagnosis], 6_000).unwrap();
		assert_eq!(patient, [0x11; 32]);
		assert_eq!(chain.records, vec![[0x22; 32]]);
		assert_eq!(chain.duration, 1_200);
		assert_eq!((chain.grantee, chain.max_uses), (Some(2), Some(3)));
		assert_eq!(chain.purpose, PurposeOfUse::Treatment);
		assert!(matches!(chain.fields, FieldSelection::Only(_)));
	}

	#[test]
	fn bad_terms_are_refused_with_the_reason() {
		let code = |terms: ShareTerms| {
			let records = record_ids(&terms)?;
			chain_terms(&terms, records, &[RecordType::Diagnosis], 6_000).map(|_| ())
		};
		let error = |terms| code(terms).unwrap_err().code();
		assert_eq!(
			error(ShareTerms { record_ids: vec![], ..share_terms() }),
			ErrorCode::InvalidShareTerms.code()
		);
		assert_eq!(
			error(ShareTerms { token_public: "0x12".into(), ..share_terms() }),
			ErrorCode::InvalidShareTerms.code()
		);
		assert_eq!(
			error(ShareTerms { purpose: "FUN".into(), ..share_terms() }),
			ErrorCode::InvalidPurpose.code()
		);
		assert_eq!(
			error(ShareTerms { expires_in_hours: 0, ..share_terms() }),
			ErrorCode::InvalidShareTerms.code()
		);
		assert_eq!(
			error(ShareTerms { fields: Some(vec!["colour".into()]), ..share_terms() }),
			ErrorCode::UnknownField.code()
		);
	}

	#[test]
	fn the_consent_message_is_wrapped_and_binds_the_nonce() {
		let terms = share_terms();
		let records = record_ids(&terms).unwrap();
		let (patient, chain) =
			chain_terms(&terms, records, &[RecordType::Diagnosis], 6_000).unwrap();
		let message = consent_message(&[7; 32], &patient, &chain, 0, 100);
		assert!(message.starts_with(b"<Bytes>medchain/grant-consent/v1"));
		assert!(message.ends_with(b"</Bytes>"));
		assert_ne!(message, consent_message(&[7; 32], &patient, &chain, 1, 100));
	}
}
