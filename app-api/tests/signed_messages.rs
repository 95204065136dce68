//! Known-answer vectors for what a patient's key signs, computed independently in Python
//! (`tests/vectors/signed_messages.py`): the read and erase messages of a record challenge, and
//! the consent message of a share. A client in another language checks itself against these.

use medchain_app_api::{challenge, consent, ShareTerms};
use medchain_primitives::RecordType;

const GENESIS: [u8; 32] = [0x07; 32];
const RECORD: [u8; 32] = [0x22; 32];
const CHALLENGE: [u8; 32] = [0x33; 32];

fn hex32(byte: u8) -> String {
	format!("0x{}", hex::encode([byte; 32]))
}

#[test]
fn record_challenge_messages() {
	assert_eq!(
		hex::encode(challenge::message(&GENESIS, &RECORD, &CHALLENGE)),
		concat!(
			"3c42797465733e586d6564636861696e2f6765742d7265636f72642f763107070707070707070707",
			"07070707070707070707070707070707070707070707222222222222222222222222222222222222",
			"22222222222222222222222222223333333333333333333333333333333333333333333333333333",
			"3333333333333c2f42797465733e"
		)
	);
	assert_eq!(
		hex::encode(challenge::erase_message(&GENESIS, &RECORD, &CHALLENGE)),
		concat!(
			"3c42797465733e606d6564636861696e2f65726173652d7265636f72642f76310707070707070707",
			"07070707070707070707070707070707070707070707070722222222222222222222222222222222",
			"22222222222222222222222222222222333333333333333333333333333333333333333333333333",
			"33333333333333333c2f42797465733e"
		)
	);
}

#[test]
fn consent_message() {
	let terms = ShareTerms {
		patient: [0x11; 32].into(),
		record_ids: vec![[0x22; 32].into()],
		fields: Some(vec!["icd10_code".into()]),
		grantee_hospital: Some(2),
		expires_in_hours: 2,
		max_uses: Some(3),
		purpose: "TREAT".into(),
		token_public: hex32(0x44),
	};
	let records = consent::record_ids(&terms).unwrap();
	// Two hours of 3-second blocks: 2,400 blocks.
	let (patient, chain_terms) =
		consent::chain_terms(&terms, records, &[RecordType::Diagnosis], 3_000).unwrap();
	assert_eq!(chain_terms.duration, 2_400);
	assert_eq!(
		hex::encode(consent::consent_message(&GENESIS, &patient, &chain_terms, 0, 100)),
		concat!(
			"3c42797465733e6d6564636861696e2f6772616e742d636f6e73656e742f76310707070707070707",
			"07070707070707070707070707070707070707070707070711111111111111111111111111111111",
			"11111111111111111111111111111111042222222222222222222222222222222222222222222222",
			"22222222222222222201020000000102000000600900000103000000004444444444444444444444",
			"4444444444444444444444444444444444444444440000000000000000640000003c2f4279746573",
			"3e"
		)
	);
}
