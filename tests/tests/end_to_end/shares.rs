//! A share's life on four real nodes. Hospital A anchors a patient's lab result; the patient
//! (through A's node) shares it with Hospital B under a share token; B's node reads it once
//! with the token's signature; the same signature replayed fails on chain; A confirms the
//! release; the patient revokes and B's next read fails; an auditor on Hospital C's node finds
//! the entry, its fields and its receipt through the runtime API, on finalized state.

use medchain_primitives::{
	access::{AccessKind, AccessQuery, Accessor},
	commitment::{CommittedRecord, RecordId},
	shares::{AccessRequest, FieldSelection, GrantTerms, PurposeOfUse},
	FieldMask, RecordType,
};
use medchain_runtime::{BlockNumber, Runtime, RuntimeCall, RuntimeEvent};
use medchain_tests::network::{ALL, FIRST_FINALITY, HOSPITAL_A, HOSPITAL_B};
use medchain_tests::{
	client::{runtime_api, tx, Chain},
	network::LocalNetwork,
	Result,
};
use medchain_token::ShareToken;
use sp_keyring::Sr25519Keyring;
use sp_runtime::{BoundedVec, DispatchError};

/// Node start-up includes compiling the runtime wasm, so the first finality wait is generous.
const OPERATOR_A: Sr25519Keyring = Sr25519Keyring::AliceStash;
const OPERATOR_B: Sr25519Keyring = Sr25519Keyring::BobStash;
const PATIENT: Sr25519Keyring = Sr25519Keyring::Ferdie;

/// `call` signed by `signer` through `chain`'s node, once a finalized block includes it.
async fn submit(chain: &Chain, signer: Sr25519Keyring, call: RuntimeCall) -> Result<tx::Included> {
	tx::submit_and_finalize(chain, &signer.pair(), call).await
}

/// Whether `included` failed with exactly the module error `expected`.
fn failed_with(included: &tx::Included, expected: pallet_access_log::Error<Runtime>) -> bool {
	let DispatchError::Module(expected) = DispatchError::from(expected) else { return false };
	matches!(
		included.error,
		Some(DispatchError::Module(actual)) if (actual.index, actual.error) == (expected.index, expected.error)
	)
}

fn access_call(request: &AccessRequest<BlockNumber>, token: &ShareToken) -> RuntimeCall {
	RuntimeCall::AccessLog(pallet_access_log::Call::access {
		grant: request.grant,
		record: request.record,
		purpose: request.purpose,
		uses: request.uses,
		valid_until: request.valid_until,
		signature: token.sign(request),
	})
}

#[tokio::test(flavor = "multi_thread")]
async fn a_share_is_used_once_revoked_and_audited_across_hospitals() -> Result<()> {
	let net = LocalNetwork::start()?;
	net.wait_finalized(&ALL, 1, FIRST_FINALITY).await?;
	let (a, b, auditor) = (net.nodes[0].chain()?, net.nodes[1].chain()?, net.nodes[2].chain()?);
	let patient = PATIENT.to_account_id();

	// Hospital A registers the patient and anchors a lab result.
	let register = pallet_hospitals::Call::register_patient { patient: patient.clone() };
	submit(&a, OPERATOR_A, RuntimeCall::Hospitals(register)).await?.succeeded()?;
	let record_id: RecordId = pallet_records::Pallet::<Runtime>::record_id(HOSPITAL_A, &[1; 32]);
	let values =
		RecordType::LabResult.fields().iter().map(|f| Some(f.as_bytes().to_vec())).collect();
	let committed = CommittedRecord::with_random_salts(RecordType::LabResult, values)
		.map_err(|e| format!("{e:?}"))?;
	let anchor = pallet_records::Call::anchor {
		request_id: [1; 32],
		patient: patient.clone(),
		record_type: RecordType::LabResult,
		field_root: committed.root(&record_id),
		ciphertext_digest: [2; 32],
	};
	submit(&a, OPERATOR_A, RuntimeCall::Records(anchor)).await?.succeeded()?;

	// The patient's wallet makes a token and shares the record with Hospital B, twice at most.
	let token = ShareToken::generate();
	let terms = GrantTerms {
		records: BoundedVec::truncate_from(vec![record_id]),
		fields: FieldSelection::AllButNotes,
		grantee: Some(HOSPITAL_B),
		duration: 1000,
		max_uses: Some(2),
		purpose: PurposeOfUse::Treatment,
		token_key: token.public_key(),
	};
	let created =
		submit(&a, PATIENT, RuntimeCall::Shares(pallet_shares::Call::create_grant { terms }))
			.await?
			.succeeded()?;
	let grant = created
		.iter()
		.find_map(|event| match event {
			RuntimeEvent::Shares(pallet_shares::Event::GrantCreated { grant, .. }) => Some(*grant),
			_ => None,
		})
		.ok_or("no GrantCreated event")?;

	// Hospital B's node reads it with the token holder's signature.
	let genesis = b.genesis_hash().await?;
	let request = AccessRequest {
		genesis_hash: genesis.0,
		grant,
		record: record_id,
		accessor: HOSPITAL_B,
		purpose: PurposeOfUse::Treatment,
		uses: 0,
		valid_until: b.finalized_number().await? + 100,
	};
	let read = submit(&b, OPERATOR_B, access_call(&request, &token)).await?;
	let read_block = read.block;
	let events = read.succeeded()?;
	let without_notes = FieldMask::without_notes(RecordType::LabResult);
	let access = events
		.iter()
		.find_map(|event| match event {
			RuntimeEvent::AccessLog(pallet_access_log::Event::AccessRecorded {
				access,
				fields,
				..
			}) if *fields == without_notes => Some(*access),
			_ => None,
		})
		.ok_or("no AccessRecorded event with the grant's fields")?;
	println!("B read record under grant {grant}: access {access} in block {read_block:?}");

	// The same signature again is refused on chain, visibly.
	let replay = submit(&b, OPERATOR_B, access_call(&request, &token)).await?;
	assert!(failed_with(&replay, pallet_access_log::Error::SignatureReplayed), "{replay:?}");

	// The custodian confirms the release.
	let confirm = pallet_access_log::Call::confirm_release { access, response_hash: [3; 32] };
	submit(&a, OPERATOR_A, RuntimeCall::AccessLog(confirm)).await?.succeeded()?;

	// The patient revokes; B's next read (with the right use count) is refused.
	let revoke = pallet_shares::Call::revoke { grant };
	submit(&a, PATIENT, RuntimeCall::Shares(revoke)).await?.succeeded()?;
	let second = AccessRequest { uses: 1, ..request };
	let refused = submit(&b, OPERATOR_B, access_call(&second, &token)).await?;
	assert!(failed_with(&refused, pallet_access_log::Error::GrantRevoked), "{refused:?}");

	// An auditor on Hospital C's node, on finalized state.
	let (finalized, _) = auditor.finalized_head().await?;
	let at = Some(finalized);
	let query = (AccessQuery::Patient(patient.clone()), 0u64, u64::MAX, 0u32, 100u32);
	let page = auditor.call(runtime_api::ACCESS_ENTRIES, query, at).await?;
	assert_eq!(page.next_cursor, None);
	let [(id, entry)] = page.entries.as_slice() else { return Err(format!("{page:?}")) };
	assert_eq!(*id, access);
	assert_eq!(entry.kind, AccessKind::Normal { grant });
	assert_eq!((entry.accessor, entry.custodian), (Accessor::Hospital(HOSPITAL_B), HOSPITAL_A));
	assert_eq!(entry.fields, without_notes);
	assert_eq!(entry.release.as_ref().map(|receipt| receipt.response_hash), Some([3; 32]));
	let grant_now = auditor.call(runtime_api::GRANT, grant, at).await?.ok_or("grant pruned")?;
	assert_eq!(grant_now.uses, 1);
	assert!(matches!(grant_now.status, medchain_primitives::shares::GrantStatus::Revoked { .. }));
	println!("auditor on C: entry {id} of {:?}, release {:?}", entry.kind, entry.release);
	Ok(())
}
