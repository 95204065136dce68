//! The node as its hospital's record custodian, on the four-hospital network: 1,000 records
//! submitted over Hospital A's medchain RPC are stored, anchored in a few `anchor_batch`
//! transactions and finalized with the roots the node returned; Hospital B's listener refuses
//! bad tokens, roles and records, each with its code; erased records lose their data keys; no
//! file and no log holds a record's plaintext.

use std::time::Duration;

use futures::StreamExt;
use jsonrpsee::http_client::HttpClient;
use medchain_app_api::{
	auth::Role,
	types::{
		AnchorStatus, ErasureStatus, GetRecord, HospitalsQuery, PatientApproval, RecordChallenge,
		SubmitRecord, SubmittedRecord,
	},
	ErrorCode, MedchainApiClient, RecordId,
};
use medchain_primitives::records::RecordStatus;
use medchain_runtime::RuntimeCall;
use medchain_store::{erasure::any_window_unwraps, kek::Kek, MAX_BULK_RECORDS, MAX_RECORD_BYTES};
use medchain_tests::network::{ALL, FIRST_FINALITY, HOSPITAL_A};
use medchain_tests::{
	client::{rpc::wait_until, runtime_api, tx, Chain},
	custodian::{anchor_batches, error_code as code, files_under, files_without, pseudonym_of},
	network::LocalNetwork,
	Result,
};
use serde_json::json;
use sp_core::Pair;
use sp_keyring::Sr25519Keyring;

const RECORDS: usize = 1_000;
/// In every record's notes: no file under any node's base path, and no log, may contain it.
const MARKER: &str = "-plaintext-marker-q7x";
/// Accounts no local hospital uses.
const PATIENTS: [Sr25519Keyring; 4] =
	[Sr25519Keyring::Ferdie, Sr25519Keyring::Eve, Sr25519Keyring::One, Sr25519Keyring::Two];

/// Registers the patients with hospital `operator`'s key, all in the pool at once.
async fn register_patients(chain: &Chain, operator: Sr25519Keyring) -> Result<()> {
	let mut last = None;
	for patient in PATIENTS {
		let call = pallet_hospitals::Call::register_patient { patient: patient.to_account_id() };
		last = Some(tx::submit(chain, &operator.pair(), RuntimeCall::Hospitals(call)).await?);
	}
	let last = last.ok_or("no patients")?;
	wait_until("the patients' registration to be final", Duration::from_secs(90), || async {
		let (head, _) = chain.finalized_head().await?;
		for patient in PATIENTS {
			let key = pallet_hospitals::Patients::<medchain_runtime::Runtime>::hashed_key_for(
				patient.to_account_id(),
			);
			let registered: Option<pallet_hospitals::Patient<medchain_runtime::Runtime>> =
				chain.storage(&key, Some(head)).await?;
			if registered.is_none() {
				return Ok(None);
			}
		}
		Ok(Some(()))
	})
	.await
	.map_err(|e| format!("{e} (last registration {last:?})"))
}

fn diagnosis(index: usize) -> SubmitRecord {
	SubmitRecord {
		client_request_id: format!("visit-{index}"),
		patient: pseudonym_of(PATIENTS[index % PATIENTS.len()]),
		record_type: "DIAGNOSIS".into(),
		fields: json!({
			"diagnosis": format!("diagnosis {index}"),
			"icd10_code": "J10.1",
			"doctor": "Dr A",
			"date": "2026-11-30",
			"notes": format!("{index}{MARKER}"),
		})
		.as_object()
		.cloned()
		.unwrap_or_default(),
		valid_until: None,
	}
}

async fn submit_all(app: &HttpClient) -> Result<Vec<SubmittedRecord>> {
	// 800 in four bulk calls and 200 one by one, 32 calls at a time.
	let bulk =
		(0..4).map(|chunk| (chunk * 200..(chunk + 1) * 200).map(diagnosis).collect::<Vec<_>>());
	let singles = (800..RECORDS).map(|index| vec![diagnosis(index)]);
	let calls = bulk.chain(singles).map(|records| async move {
		match records.as_slice() {
			[one] => app.submit_record(one.clone()).await.map(|submitted| vec![submitted]),
			_ => app.submit_records(records).await,
		}
	});
	let results: Vec<_> = futures::stream::iter(calls).buffered(32).collect().await;
	let mut submitted = Vec::new();
	for result in results {
		submitted.extend(result.map_err(|e| e.to_string())?);
	}
	Ok(submitted)
}

#[tokio::test(flavor = "multi_thread")]
async fn records_are_stored_anchored_in_batches_and_refused_with_their_codes() -> Result<()> {
	let net = LocalNetwork::start_custodians()?;
	net.wait_finalized(&ALL, 1, FIRST_FINALITY).await?;
	let (a, b) = (&net.nodes[0], &net.nodes[1]);
	let chain = a.chain()?;
	register_patients(&chain, Sr25519Keyring::AliceStash)
		.await
		.map_err(|e| net.with_log_tails(e))?;
	let first_block = chain.finalized_number().await?;

	let app = a.app_rpc(Role::App)?;
	let submitted = submit_all(&app).await?;
	assert_eq!(submitted.len(), RECORDS);
	let mut ids: Vec<RecordId> = submitted.iter().map(|r| r.record_id).collect();
	ids.sort_unstable();
	ids.dedup();
	assert_eq!(ids.len(), RECORDS, "every record got its own id");
	// A retry returns the same record.
	let retry = app.submit_record(diagnosis(7)).await.map_err(|e| e.to_string())?;
	assert_eq!(
		(&retry.record_id, &retry.field_root),
		(&submitted[7].record_id, &submitted[7].field_root)
	);

	let auditor = a.app_rpc(Role::Auditor)?;
	consortium(&auditor, first_block).await?;
	// A subscription over plain HTTP gets its own error, not an internal one.
	let over_http = jsonrpsee::core::client::ClientT::request::<serde_json::Value, _>(
		&app,
		"medchain_subscribe",
		jsonrpsee::rpc_params![json!({ "hospital": 0 })],
	)
	.await;
	expect(code(over_http), ErrorCode::WebSocketRequired)?;
	wait_until("all records to be finalized", Duration::from_secs(240), || async {
		let calls = submitted.iter().map(|r| auditor.record_status(r.record_id));
		let statuses: Vec<_> = futures::stream::iter(calls).buffered(32).collect().await;
		let statuses = statuses
			.into_iter()
			.collect::<std::result::Result<Vec<_>, _>>()
			.map_err(|e| e.to_string())?;
		if let Some(failed) = statuses.iter().find(|s| s.status == AnchorStatus::Failed) {
			return Err(format!("an anchor failed: {failed:?}"));
		}
		Ok(statuses.iter().all(|s| s.status == AnchorStatus::Finalized).then_some(()))
	})
	.await
	.map_err(|e| net.with_log_tails(e))?;

	// On chain, at the finalized head: every record, with the root the node returned.
	let (head, last_block) = chain.finalized_head().await?;
	for record in &submitted {
		let anchor = chain
			.call(runtime_api::RECORD, record.record_id.0, Some(head))
			.await?
			.ok_or("record not on chain")?;
		assert_eq!(anchor.field_root, record.field_root.0, "{}", record.record_id);
		assert_eq!(anchor.custodian, HOSPITAL_A);
	}
	let (batches, anchors) = anchor_batches(&chain, first_block, last_block).await?;
	println!("{RECORDS} records anchored in {batches} anchor_batch transactions ({anchors} anchors, blocks {first_block}..={last_block})");
	assert!(
		anchors >= RECORDS && batches * 20 <= RECORDS,
		"{batches} batches for {RECORDS} records"
	);

	refusals(b, &a.custodian()?.app).await?;
	patient_reads(a, &submitted[4]).await?;
	erasure(&net, &submitted).await?;
	store_failure(b).await?;
	rotated_operator(a, submitted[2].record_id).await?;

	// The scan finds a planted copy, so it can fail; then the real files hold none.
	let canary = net.data_dir().join("canary");
	std::fs::write(&canary, format!("x{MARKER}x")).map_err(|e| e.to_string())?;
	assert!(no_plaintext_at_rest(net.data_dir()).is_err(), "the scan missed the canary");
	std::fs::remove_file(&canary).map_err(|e| e.to_string())?;
	no_plaintext_at_rest(net.data_dir())
}

/// Scans every file under `dir` (base paths, databases, the store, logs) for [`MARKER`].
fn no_plaintext_at_rest(dir: &std::path::Path) -> Result<()> {
	let scanned = files_without(dir, MARKER.as_bytes())
		.map_err(|path| format!("{path} holds record plaintext"))?;
	println!("no plaintext in {scanned} bytes under {}", dir.display());
	assert!(scanned > 0);
	Ok(())
}

/// Hospital A's admin erases record 0; patient Eve erases record 1 herself, on chain; an app
/// erases record 8 with patient Ferdie's approval. A's node destroys the three data keys:
/// neither the current KEK nor a copy of the retired one finds them in any file of A's base
/// path, while a surviving record's key is found.
async fn erasure(net: &LocalNetwork, submitted: &[SubmittedRecord]) -> Result<()> {
	let a = &net.nodes[0];
	let kek = a.base_path.join("chains/medchain_local/medchain/kek");
	let retired_copy = net.data_dir().join("hospital-a-kek-before-erasure");
	std::fs::copy(&kek, &retired_copy).map_err(|e| e.to_string())?;
	let ids: Vec<[u8; 32]> = submitted.iter().map(|r| r.record_id.0).collect();
	let (by_admin, by_patient, approved_by_patient, survivor) = (ids[0], ids[1], ids[8], ids[2]);

	let app = a.app_rpc(Role::App)?;
	let app_erase = app.erase_record(submitted[0].record_id, None).await;
	expect(code(app_erase), ErrorCode::Forbidden)?;
	let admin = a.app_rpc(Role::Admin)?;
	let requested =
		admin.erase_record(submitted[0].record_id, None).await.map_err(|e| e.to_string())?;
	assert_eq!(requested.status, ErasureStatus::Requested);
	// Record 8 is Ferdie's: an app erases it with his approval of the `<Bytes>`-wrapped
	// message (as polkadot.js `signRaw` signs), not with Eve's, nor with his signature of the
	// bare message (his key signs extrinsics too).
	let app_ref = &app;
	let record_8 = submitted[8].record_id;
	let approval = |signer: Sr25519Keyring, wrapped: bool| async move {
		let challenge = app_ref.record_challenge(record_8).await.map_err(|e| e.to_string())?;
		let message = hex::decode(challenge.erase_message.trim_start_matches("0x"))
			.map_err(|e| e.to_string())?;
		let bare = message
			.strip_prefix(b"<Bytes>".as_slice())
			.and_then(|rest| rest.strip_suffix(b"</Bytes>".as_slice()))
			.ok_or("the erase message is not <Bytes>-wrapped")?;
		let signed = if wrapped { message.as_slice() } else { bare };
		Ok::<_, String>(PatientApproval {
			challenge: challenge.challenge,
			signature: format!("0x{}", hex::encode(signer.pair().sign(signed).0)),
		})
	};
	let by_eve = app.erase_record(record_8, Some(approval(Sr25519Keyring::Eve, true).await?)).await;
	expect(code(by_eve), ErrorCode::SignatureInvalid)?;
	let bare =
		app.erase_record(record_8, Some(approval(Sr25519Keyring::Ferdie, false).await?)).await;
	expect(code(bare), ErrorCode::SignatureInvalid)?;
	let approved = app
		.erase_record(record_8, Some(approval(Sr25519Keyring::Ferdie, true).await?))
		.await
		.map_err(|e| e.to_string())?;
	assert_eq!(approved.status, ErasureStatus::Requested);
	// Record 1 is Eve's (patients take turns).
	let erase = RuntimeCall::Records(pallet_records::Call::erase { record_id: by_patient });
	tx::submit_and_finalize(&a.chain()?, &Sr25519Keyring::Eve.pair(), erase).await?.succeeded()?;

	let auditor = a.app_rpc(Role::Auditor)?;
	for record in [&submitted[0], &submitted[1], &submitted[8]] {
		wait_until("the erasure to destroy the data key", Duration::from_secs(120), || async {
			let status =
				auditor.record_status(record.record_id).await.map_err(|e| e.to_string())?;
			Ok(status.erasure.filter(|e| e.status == ErasureStatus::Erased && e.key_id.is_some()))
		})
		.await
		.map_err(|e| net.with_log_tails(e))?;
	}
	let chain = a.chain()?;
	let (head, _) = chain.finalized_head().await?;
	for id in [by_admin, by_patient, approved_by_patient] {
		let anchor =
			chain.call(runtime_api::RECORD, id, Some(head)).await?.ok_or("tombstone missing")?;
		assert!(matches!(anchor.status, RecordStatus::Erased { .. }), "{:?}", anchor.status);
	}

	let retired = Kek::read(&retired_copy, None).map_err(|e| e.to_string())?;
	let current = Kek::read(&kek, None).map_err(|e| e.to_string())?;
	assert!(current.epoch > retired.epoch, "the KEK was not rotated");
	let files = files_under(&a.base_path)?;
	let found = |kek: &Kek, id: &[u8; 32]| {
		files.iter().any(|(_, bytes)| any_window_unwraps(bytes, kek, id))
	};
	for id in [by_admin, by_patient, approved_by_patient] {
		assert!(!found(&retired, &id), "the retired KEK still opens an erased record's key");
		assert!(!found(&current, &id), "the current KEK still opens an erased record's key");
	}
	assert!(found(&current, &survivor), "the search misses a live key, so it proves nothing");

	let challenge = app.record_challenge(submitted[0].record_id).await;
	let read_erased = GetRecord {
		record_id: submitted[0].record_id,
		access_id: 0,
		challenge: challenge.map(|c| c.challenge).unwrap_or_default(),
		signature: format!("0x{}", "00".repeat(64)),
	};
	expect(code(app.get_record(read_erased).await), ErrorCode::RecordErased)?;
	Ok(())
}

/// Ferdie reads record 4 (his): he logs the read on chain, signs A's challenge, and gets every
/// field back verified; A records the release. Each wrong step is refused with its code.
async fn patient_reads(a: &medchain_tests::node::Node, record: &SubmittedRecord) -> Result<()> {
	let chain = a.chain()?;
	let log_read = RuntimeCall::AccessLog(pallet_access_log::Call::patient_access {
		record: record.record_id.0,
	});
	let events = tx::submit_and_finalize(&chain, &Sr25519Keyring::Ferdie.pair(), log_read)
		.await?
		.succeeded()?;
	let access_id = tx::access_recorded(&events).ok_or("no AccessRecorded event")?;
	let app = a.app_rpc(Role::App)?;
	let signed = |signer: Sr25519Keyring, challenge: &RecordChallenge| -> Result<String> {
		let message =
			hex::decode(challenge.message.trim_start_matches("0x")).map_err(|e| e.to_string())?;
		Ok(format!("0x{}", hex::encode(signer.pair().sign(&message).0)))
	};
	let request = |challenge: &RecordChallenge, signature: String, access_id: u64| GetRecord {
		record_id: record.record_id,
		access_id,
		challenge: challenge.challenge.clone(),
		signature,
	};
	let challenge =
		|| async { app.record_challenge(record.record_id).await.map_err(|e| e.to_string()) };

	let wrong_key = challenge().await?;
	let by_eve = request(&wrong_key, signed(Sr25519Keyring::Eve, &wrong_key)?, access_id);
	expect(code(app.get_record(by_eve).await), ErrorCode::SignatureInvalid)?;
	let unlogged = challenge().await?;
	let no_entry =
		request(&unlogged, signed(Sr25519Keyring::Ferdie, &unlogged)?, access_id + 1_000);
	expect(code(app.get_record(no_entry).await), ErrorCode::AccessNotLogged)?;

	let first = challenge().await?;
	let read = request(&first, signed(Sr25519Keyring::Ferdie, &first)?, access_id);
	let fields = app.get_record(read.clone()).await.map_err(|e| e.to_string())?;
	assert_eq!((fields.field_root, fields.custodian), (record.field_root, HOSPITAL_A));
	let sent = diagnosis(4).fields;
	for (name, value) in &fields.fields {
		assert_eq!(value, sent.get(name).unwrap_or(&serde_json::Value::Null), "field {name}");
	}
	expect(code(app.get_record(read).await), ErrorCode::ChallengeInvalid)?;
	let again = challenge().await?;
	let replay = request(&again, signed(Sr25519Keyring::Ferdie, &again)?, access_id);
	expect(code(app.get_record(replay).await), ErrorCode::AccessAlreadyServed)?;

	wait_until("the release receipt to be final", Duration::from_secs(60), || async {
		let (head, _) = chain.finalized_head().await?;
		let entry = chain.call(runtime_api::ACCESS_ENTRY, access_id, Some(head)).await?;
		Ok(entry.and_then(|entry| entry.release))
	})
	.await?;
	Ok(())
}

/// With Hospital B's key file made immutable (`chattr +i`: writes fail even for root), a
/// submission is refused with `StoreUnavailable`. Where the file system has no immutable flag
/// it fails, unless `MEDCHAIN_ALLOW_SKIP` names `store-failure`.
async fn store_failure(b: &medchain_tests::node::Node) -> Result<()> {
	let keys = b.base_path.join("chains/medchain_local/medchain/store/keys-0.redb");
	let chattr = |flag: &str| std::process::Command::new("chattr").arg(flag).arg(&keys).status();
	let app = b.app_rpc(Role::App)?;
	if !chattr("+i").is_ok_and(|status| status.success()) {
		return medchain_tests::skip("store-failure", "`chattr +i` is not supported here");
	}
	let submitted = app.submit_record(diagnosis(9_999)).await;
	let restored = chattr("-i").map_err(|e| e.to_string())?;
	assert!(restored.success(), "could not clear the immutable flag of {}", keys.display());
	expect(code(submitted), ErrorCode::StoreUnavailable)
}

/// Once A's admin rotates A's operator key away, A's node signs with a key the chain no longer
/// admits: the pool refuses its erase with `TransactionRefused`.
async fn rotated_operator(a: &medchain_tests::node::Node, record_id: RecordId) -> Result<()> {
	let new_operator = sp_core::sr25519::Pair::from_string("//HospitalA//new-operator", None)
		.map_err(|e| format!("{e:?}"))?;
	let rotate =
		pallet_hospitals::Call::rotate_operator { new_operator: new_operator.public().into() };
	let chain = a.chain()?;
	tx::submit_and_finalize(&chain, &Sr25519Keyring::Alice.pair(), RuntimeCall::Hospitals(rotate))
		.await?
		.succeeded()?;
	let erase = a.app_rpc(Role::Admin)?.erase_record(record_id, None).await;
	expect(code(erase), ErrorCode::TransactionRefused)
}

/// Fails unless `result` is the code of `expected`.
fn expect(result: Result<i32>, expected: ErrorCode) -> Result<()> {
	let actual = result?;
	(actual == expected.code())
		.then_some(())
		.ok_or(format!("expected {expected:?}, got code {actual}"))
}

/// Any role reads its node's health, and the consortium's hospitals a page at a time.
async fn consortium(rpc: &HttpClient, first_block: u32) -> Result<()> {
	let health = rpc.health().await.map_err(|e| e.to_string())?;
	assert_eq!(health.hospital, 0);
	assert!(health.finalized_block >= first_block, "{health:?}");
	assert!(health.best_block >= health.finalized_block, "{health:?}");
	assert!(health.peers >= 1, "{health:?}");

	let page = |from, limit| HospitalsQuery { from, limit };
	let first = rpc.hospitals(Some(page(None, Some(3)))).await.map_err(|e| e.to_string())?;
	let ids: Vec<u32> = first.hospitals.iter().map(|hospital| hospital.id).collect();
	assert_eq!((ids, first.next), (vec![0, 1, 2], Some(3)));
	assert_eq!(first.hospitals[1].name, "Hospital B");
	assert!(first
		.hospitals
		.iter()
		.all(|h| h.status == "active" && h.validator && h.nodes.len() == 1));
	let rest = rpc.hospitals(Some(page(first.next, None))).await.map_err(|e| e.to_string())?;
	let ids: Vec<u32> = rest.hospitals.iter().map(|hospital| hospital.id).collect();
	assert_eq!((ids, rest.next), (vec![3], None));
	assert_eq!(rpc.hospitals(None).await.map_err(|e| e.to_string())?.hospitals.len(), 4);
	for limit in [0, 101] {
		let refused = code(rpc.hospitals(Some(page(None, Some(limit)))).await)?;
		assert_eq!(refused, jsonrpsee::types::error::INVALID_PARAMS_CODE, "limit {limit}");
	}
	Ok(())
}

/// Each refusal of Hospital B's medchain RPC, with its code.
async fn refusals(node: &medchain_tests::node::Node, other_nodes_token: &str) -> Result<()> {
	let record = || diagnosis(0);
	// Without a known token the listener answers at once, before reading the body: HTTP 401
	// and a JSON-RPC Unauthorized error. A's token is not B's.
	let call = |id: u32, method: &str, params: serde_json::Value| json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params });
	let submit = call(1, "medchain_submitRecord", json!([record()]));
	for token in [None, Some("mct_wrong"), Some(other_nodes_token)] {
		let (status, answer) = node.post_raw(token, &submit).await?;
		assert_eq!(
			(status, &answer["error"]["code"]),
			(401, &json!(ErrorCode::Unauthorized.code())),
			"{answer}"
		);
	}
	// Each call of a batch is checked on its own; a method outside the API is refused too.
	let auditor = node.custodian()?.auditor.clone();
	let batch = json!([
		call(1, "medchain_submitRecord", json!([record()])),
		call(2, "medchain_recordStatus", json!([format!("0x{}", "ab".repeat(32))])),
		call(3, "author_rotateKeys", json!([])),
	]);
	let (status, answers) = node.post_raw(Some(&auditor), &batch).await?;
	let mut answers = answers.as_array().ok_or("no batch answer")?.clone();
	answers.sort_by_key(|answer| answer["id"].as_u64());
	let codes: Vec<&serde_json::Value> = answers.iter().map(|a| &a["error"]["code"]).collect();
	assert_eq!(status, 200);
	assert_eq!(
		codes,
		[ErrorCode::Forbidden, ErrorCode::RecordNotFound, ErrorCode::Forbidden]
			.map(|c| json!(c.code()))
			.iter()
			.collect::<Vec<_>>()
	);
	expect(code(node.app_rpc(Role::Auditor)?.submit_record(record()).await), ErrorCode::Forbidden)?;
	expect(
		code(node.app_rpc(Role::Admin)?.submit_records(vec![record()]).await),
		ErrorCode::Forbidden,
	)?;

	let app = node.app_rpc(Role::App)?;
	let with = |change: &dyn Fn(&mut SubmitRecord)| {
		let mut record = record();
		change(&mut record);
		record
	};
	let big = "x".repeat(MAX_RECORD_BYTES);
	let cases: Vec<(SubmitRecord, ErrorCode)> = vec![
		(
			with(&|r| {
				r.fields.insert("notes".into(), json!(big));
			}),
			ErrorCode::RecordTooLarge,
		),
		(with(&|r| r.record_type = "XRAY".into()), ErrorCode::UnknownRecordType),
		(
			with(&|r| {
				r.fields.insert("blood_type".into(), json!("0+"));
			}),
			ErrorCode::UnknownField,
		),
		(
			with(&|r| {
				r.fields.remove("doctor");
			}),
			ErrorCode::MissingField,
		),
		(
			with(&|r| {
				r.fields.insert("severity".into(), json!(3));
			}),
			ErrorCode::InvalidFieldValue,
		),
		(with(&|r| r.client_request_id = String::new()), ErrorCode::InvalidRequestId),
	];
	for (record, expected) in cases {
		expect(code(app.submit_record(record).await), expected)?;
	}
	let too_many = (0..=MAX_BULK_RECORDS).map(diagnosis).collect();
	expect(code(app.submit_records(too_many).await), ErrorCode::TooManyRecords)?;
	let stored = app.submit_record(record()).await.map_err(|e| e.to_string())?;
	// B registered no patient, so this record is stored but never anchored.
	expect(
		code(node.app_rpc(Role::Admin)?.erase_record(stored.record_id, None).await),
		ErrorCode::RecordNotAnchored,
	)?;
	let conflicting = with(&|r| {
		r.fields.insert("diagnosis".into(), json!("something else"));
	});
	expect(code(app.submit_record(conflicting).await), ErrorCode::RequestIdConflict)?;
	expect(code(app.record_status(RecordId([0xab; 32])).await), ErrorCode::RecordNotFound)?;
	// Ids are typed: a malformed one fails the params (-32602), which name the encoding.
	let mut not_an_account = serde_json::to_value(record()).map_err(|e| e.to_string())?;
	not_an_account["patient"] = json!("5CiPPseXPECbkjWCa6MnjNokrgYjMqmKndv2rSnekmSK2DjL");
	let malformed = [
		("medchain_submitRecord", jsonrpsee::rpc_params![not_an_account], "an account id"),
		("medchain_recordStatus", jsonrpsee::rpc_params!["0x1234"], "a record id"),
	];
	for (method, params, named) in malformed {
		let answer =
			jsonrpsee::core::client::ClientT::request::<serde_json::Value, _>(&app, method, params)
				.await;
		match answer {
			Err(jsonrpsee::core::ClientError::Call(error))
				if error.code() == -32602
					&& error.data().is_some_and(|data| data.get().contains(named)) => {}
			other => {
				return Err(format!("{method}: expected -32602 naming {named:?}, got {other:?}"))
			}
		}
	}

	let discover: serde_json::Value =
		jsonrpsee::core::client::ClientT::request(&app, "rpc.discover", jsonrpsee::rpc_params![])
			.await
			.map_err(|e| e.to_string())?;
	assert!(discover["methods"].as_array().is_some_and(|methods| methods.len() >= 4));
	Ok(())
}
