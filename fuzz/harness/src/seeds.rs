//! The first inputs of each target: well-formed messages the fuzzer mutates from. They are
//! replayed with the corpus, and `scripts/fuzz.sh` writes them into `fuzz/corpus/` (the
//! ignored test `write_seeds`).

use codec::Encode;
use medchain_app_api::{
	access_log_query::{Cursor, EntriesCursor, Query, RefusalsCursor},
	audit::AccessLogQuery,
};
use medchain_primitives::{
	access::BreakGlassReason,
	commitment::record_id,
	release::{Refusal, ReleaseRequest, ReleaseResponse},
	shares::{AccessRequest, FieldSelection, GrantTerms, PurposeOfUse},
	FieldMask, RecordType,
};
use medchain_runtime::RuntimeCall;
use medchain_token::ShareToken;
use sp_keyring::Sr25519Keyring;

/// One seed: its target, its name, its bytes.
pub type Seed = (&'static str, &'static str, Vec<u8>);

const REQUEST_ID: [u8; 32] = [1; 32];
const TOKEN_SECRET: [u8; 32] = [9; 32];

/// Every target's seeds.
pub fn seeds() -> Vec<Seed> {
	let mut seeds = dispatch();
	seeds.extend(commitment_and_release());
	seeds.extend(share_token());
	seeds.extend(rpc());
	seeds
}

/// Signer bytes as `dispatch` reads them.
const ADMIN_A: u8 = 0;
const OPERATOR_A: u8 = 1;
const ADMIN_B: u8 = 2;
const OPERATOR_B: u8 = 3;
const PATIENT: u8 = 4;
const NO_ROLE: u8 = 5;

fn calls(calls: &[(u8, RuntimeCall)]) -> Vec<u8> {
	calls.iter().flat_map(|(signer, call)| [vec![*signer], call.encode()].concat()).collect()
}

fn dispatch() -> Vec<Seed> {
	let record = record_id(0, &REQUEST_ID);
	let anchor = RuntimeCall::Records(pallet_records::Call::anchor {
		request_id: REQUEST_ID,
		patient: Sr25519Keyring::Eve.to_account_id(),
		record_type: RecordType::VitalSigns,
		field_root: [2; 32],
		ciphertext_digest: [3; 32],
	});
	let grant = RuntimeCall::Shares(pallet_shares::Call::create_grant {
		terms: GrantTerms {
			records: vec![record].try_into().unwrap_or_default(),
			fields: FieldSelection::AllButNotes,
			grantee: Some(1),
			duration: 1_000,
			max_uses: Some(2),
			purpose: PurposeOfUse::Treatment,
			token_key: ShareToken::from_secret(&TOKEN_SECRET).public_key(),
		},
	});
	let revoke = RuntimeCall::Shares(pallet_shares::Call::revoke { grant: 0 });
	let break_glass = RuntimeCall::AccessLog(pallet_access_log::Call::break_glass {
		record,
		reason: BreakGlassReason::LifeThreatening,
	});
	let amend = RuntimeCall::Records(pallet_records::Call::amend {
		record_id: record,
		field_root: [4; 32],
		ciphertext_digest: [5; 32],
	});
	let erase = RuntimeCall::Records(pallet_records::Call::erase { record_id: record });
	let propose = RuntimeCall::Hospitals(pallet_hospitals::Call::propose {
		proposal: pallet_hospitals::Proposal::UpgradeRuntime {
			code_hash: sp_core::H256::repeat_byte(1),
			check_version: true,
		},
	});
	let vote = RuntimeCall::Hospitals(pallet_hospitals::Call::vote { id: 0 });
	let remark = RuntimeCall::System(frame_system::Call::remark { remark: b"hello".to_vec() });
	vec![
		(
			"dispatch",
			"anchor-grant-revoke",
			calls(&[(OPERATOR_A, anchor.clone()), (PATIENT, grant), (PATIENT, revoke)]),
		),
		(
			"dispatch",
			"anchor-break-glass-amend-erase",
			calls(&[
				(OPERATOR_A, anchor),
				(OPERATOR_B, break_glass),
				(OPERATOR_A, amend),
				(PATIENT, erase),
			]),
		),
		("dispatch", "propose-vote", calls(&[(ADMIN_A, propose), (ADMIN_B, vote)])),
		("dispatch", "remark-no-role", calls(&[(NO_ROLE, remark)])),
	]
}

fn commitment_and_release() -> Vec<Seed> {
	use crate::release::{record, RECORD_ID, RECORD_TYPE};
	let (record, root) = record();
	let mask = FieldMask::all(RECORD_TYPE);
	let disclosed = record.disclose(&RECORD_ID, mask).unwrap_or_default();
	let mut seeds = Vec::new();
	if let Some(field) = disclosed.first().cloned() {
		let input = (RECORD_ID, RECORD_TYPE, &record.values, &record.salts, mask.0, root, field);
		seeds.push(("commitment", "vital-signs-all-fields", input.encode()));
	}
	seeds.extend([
		("release", "request", ReleaseRequest { access: 42 }.encode()),
		("release", "released", ReleaseResponse::Released(disclosed).encode()),
		("release", "refused", ReleaseResponse::Refused(Refusal::AlreadyServed).encode()),
	]);
	seeds
}

fn share_token() -> Vec<Seed> {
	let token = ShareToken::from_secret(&TOKEN_SECRET);
	let request = AccessRequest::<u32> {
		genesis_hash: [69; 32],
		grant: 0,
		record: [7; 32],
		accessor: 1,
		purpose: PurposeOfUse::Treatment,
		uses: 0,
		valid_until: 100,
	};
	let signature = token.sign(&request);
	vec![
		("share_token", "token-text", token.as_str().as_bytes().to_vec()),
		(
			"share_token",
			"signed-request",
			(TOKEN_SECRET, request, token.public_key(), signature).encode(),
		),
	]
}

fn rpc() -> Vec<Seed> {
	let json =
		|kind: u8, value: serde_json::Value| [vec![kind], value.to_string().into_bytes()].concat();
	let patient = format!("0x{}", hex::encode([8u8; 32]));
	let token = ShareToken::from_secret(&TOKEN_SECRET);
	let token_public = format!("0x{}", hex::encode(token.public_key().0));
	let log_query = serde_json::json!({
		"patient": patient,
		"from": "2026-12-01T00:00:00Z",
		"to": "2026-12-07T12:30:00.5+01:00",
		"limit": 50,
	});
	vec![
		(
			"rpc",
			"submit-records",
			json(
				0,
				serde_json::json!([{
					"clientRequestId": "visit-1",
					"patient": patient,
					"recordType": "VITAL_SIGNS",
					"fields": { "heart_rate": "72", "recorded_by": "nurse", "date": "2026-12-07" },
				}]),
			),
		),
		(
			"rpc",
			"access-shared",
			json(
				1,
				serde_json::json!({
					"shareToken": token.as_str(),
					"recordId": format!("0x{}", hex::encode([7u8; 32])),
					"purpose": "TREAT",
				}),
			),
		),
		(
			"rpc",
			"create-share",
			json(
				2,
				serde_json::json!({
					"terms": {
						"patient": patient,
						"recordIds": [format!("0x{}", hex::encode([7u8; 32]))],
						"fields": ["heart_rate", "date"],
						"granteeHospital": 1,
						"expiresInHours": 24,
						"maxUses": 3,
						"purpose": "TREAT",
						"tokenPublic": token_public,
					},
					"nonce": 0,
					"deadline": 100,
					"patientSignature": format!("0x{}", hex::encode([0u8; 64])),
				}),
			),
		),
		("rpc", "access-log-query", json(3, log_query.clone())),
		("rpc", "access-log-next-page", json(3, next_page(log_query))),
		("rpc", "hex-id", [vec![4], patient.into_bytes()].concat()),
		(
			"rpc",
			"ss58-id",
			[vec![4], Sr25519Keyring::Eve.to_account_id().to_string().into_bytes()].concat(),
		),
	]
}

/// `query` with a cursor of its own, past a page that ended inside one of the runtime's.
fn next_page(mut query: serde_json::Value) -> serde_json::Value {
	let parsed = serde_json::from_value::<AccessLogQuery>(query.clone())
		.ok()
		.and_then(|request| Query::parse(&request).ok());
	if let Some(parsed) = parsed {
		let cursor = Cursor {
			entries: EntriesCursor::Skip { cursor: 100, skip: 3 },
			refusals: RefusalsCursor::After(Some((1_796_100_000_000, 12, 1))),
			..parsed.cursor
		};
		query["cursor"] = cursor.to_hex().into();
	}
	query
}

#[test]
fn the_access_log_seed_has_a_cursor_of_its_query() {
	let (_, _, data) = rpc().into_iter().find(|seed| seed.1 == "access-log-next-page").unwrap();
	let request: AccessLogQuery = serde_json::from_slice(&data[1..]).unwrap();
	let query = Query::parse(&request).unwrap();
	assert_eq!(query.cursor.entries, EntriesCursor::Skip { cursor: 100, skip: 3 });
}

#[test]
fn the_dispatch_seeds_do_what_they_say() {
	use sp_runtime::transaction_validity::{InvalidTransaction, TransactionValidityError};
	let outcomes = |name: &str| {
		let (_, _, data) = dispatch().into_iter().find(|seed| seed.1 == name).unwrap();
		crate::dispatch::apply(&data)
	};
	assert_eq!(outcomes("anchor-grant-revoke"), vec![Ok(Ok(())); 3]);
	assert_eq!(outcomes("anchor-break-glass-amend-erase"), vec![Ok(Ok(())); 4]);
	assert_eq!(outcomes("propose-vote"), vec![Ok(Ok(())); 2]);
	let refused = TransactionValidityError::Invalid(InvalidTransaction::Custom(1));
	assert_eq!(outcomes("remark-no-role"), vec![Err(refused)]);
}

#[test]
fn the_commitment_and_release_seeds_reach_their_checks() {
	use crate::release::{record, RECORD_ID, RECORD_TYPE};
	use codec::Decode;
	let seed = |name: &str| seeds().into_iter().find(|seed| seed.1 == name).unwrap().2;
	let commitment = seed("vital-signs-all-fields");
	assert!(crate::commitment::Input::decode(&mut commitment.as_slice()).is_ok());
	let Some(ReleaseResponse::Released(fields)) = ReleaseResponse::read(&seed("released")) else {
		panic!("the released seed does not read");
	};
	let mask = FieldMask::all(RECORD_TYPE);
	assert!(medchain_primitives::release::verify_release(
		&record().1,
		&RECORD_ID,
		RECORD_TYPE,
		mask,
		&fields
	));
}

/// Writes every seed to `fuzz/corpus/<target>/seed-<name>`: `scripts/fuzz.sh` runs it
/// (`cargo test … -- --ignored write_seeds`).
#[test]
#[ignore = "writes into the source tree; scripts/fuzz.sh runs it"]
fn write_seeds() {
	let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../corpus");
	for (target, name, bytes) in seeds() {
		let dir = corpus.join(target);
		std::fs::create_dir_all(&dir).unwrap();
		std::fs::write(dir.join(format!("seed-{name}")), bytes).unwrap();
	}
}
