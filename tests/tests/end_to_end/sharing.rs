//! Sharing end to end on the four-hospital `e2e` network, real nodes and real p2p. Hospital A
//! keeps patient P's diagnosis; P's tool makes share tokens and consent signatures, and A's node
//! creates the shares; Hospital B's app reads the record with a token alone
//! (`medchain_accessShared`): B's node logs the access on chain, fetches the fields from A's
//! node over the release protocol and verifies each against the anchor. Every refusal comes
//! back with its own code, P's subscriber sees P's events in order and no one else's, a stopped
//! custodian is retried, and no token is in any file or log. The numbered steps are the issue's.

use std::time::Duration;

use jsonrpsee::{core::ClientError, http_client::HttpClient};
use medchain_app_api::{
	audit::{AccessLogQuery, AuditRow, Disclosure, ExportFhir, FhirKind},
	auth::Role,
	ids,
	types::{AnchorStatus, Notification, NotificationKind, SubmitRecord, SubscribeFilter},
	AccessShared, CreateShare, CreatedShare, ErrorCode, MedchainApiClient, RetryAccess, ShareTerms,
	SharedFields,
};
use medchain_primitives::{
	access::Accessor,
	commitment::RecordId,
	records::RecordStatus,
	shares::{AccessRequest, FieldSelection, GrantId, PurposeOfUse},
};
use medchain_runtime::{RuntimeCall, RuntimeEvent};
use medchain_tests::network::{
	A, ALL, B, C, D, FIRST_FINALITY, HOSPITAL_A, HOSPITAL_B, HOSPITAL_D,
};
use medchain_tests::{
	client::{rpc::wait_until, runtime_api, tx, Chain},
	custodian::{
		expect_error as expect, files_without, grant_record, logged_access_id, pseudonym_of,
		register_patient,
	},
	metrics::{sample, scrape},
	network::LocalNetwork,
	node::run_cli,
	step, Result,
};
use medchain_token::ShareToken;
use serde_json::json;
use sp_core::Pair;
use sp_keyring::Sr25519Keyring;
use sp_runtime::BoundedVec;

const OPERATOR_A: Sr25519Keyring = Sr25519Keyring::AliceStash;
const OPERATOR_B: Sr25519Keyring = Sr25519Keyring::BobStash;
const OPERATOR_D: Sr25519Keyring = Sr25519Keyring::DaveStash;
const PATIENT: Sr25519Keyring = Sr25519Keyring::Ferdie;
/// A patient whose events P's subscriber must not see.
const OTHER_PATIENT: Sr25519Keyring = Sr25519Keyring::Eve;
/// Grants last this many blocks: long enough for the whole test.
const DURATION: u32 = 1_000;
/// The shortest grant the `e2e` chain allows (14 s).
const SHORT_DURATION: u32 = medchain_runtime::genesis_config_presets::E2E_MIN_GRANT_DURATION;

/// P's grant of `record_id` to B under a fresh token for `duration` blocks, created by P's own
/// transaction through `chain`.
async fn share(chain: &Chain, record_id: RecordId, duration: u32) -> Result<(ShareToken, GrantId)> {
	grant_record(chain, PATIENT, record_id, HOSPITAL_B, duration).await
}

/// P's share of `record_id` under a fresh token, created by Hospital A's node with P's consent:
/// P's tool (`medchain share`) makes the token and signs the consent to the terms (computing
/// the message from the chain at `node_url`, as polkadot.js `signRaw` wraps it), then A's app
/// calls `createShare`. A forged signature and one of the bare, unwrapped message are refused.
/// 24 hours, notes excluded.
async fn share_via_custodian(
	node_url: &str,
	app_a: &HttpClient,
	record_id: ids::RecordId,
	grantee: Option<u32>,
	max_uses: Option<u32>,
) -> Result<(ShareToken, CreatedShare)> {
	let made = run_cli(&["--json", "share", "new-token"], &[])?.json()?;
	let token =
		ShareToken::parse(made["token"].as_str().ok_or("a token")?).map_err(|e| e.to_string())?;
	let terms = ShareTerms {
		patient: pseudonym_of(PATIENT),
		record_ids: vec![record_id],
		fields: None,
		grantee_hospital: grantee,
		expires_in_hours: 24,
		max_uses,
		purpose: "TREAT".into(),
		token_public: made["tokenKey"].as_str().ok_or("a token key")?.to_owned(),
	};
	let consent = app_a.prepare_share(terms.clone()).await.map_err(|e| e.to_string())?;
	let share = |signature: String| CreateShare {
		terms: terms.clone(),
		nonce: consent.nonce,
		deadline: consent.deadline,
		patient_signature: signature,
	};
	let message =
		hex::decode(consent.message.trim_start_matches("0x")).map_err(|e| e.to_string())?;
	let forged = format!("0x{}", hex::encode(Sr25519Keyring::Eve.pair().sign(&message).0));
	expect(app_a.create_share(share(forged)).await, ErrorCode::SignatureInvalid)?;
	let bare = message
		.strip_prefix(b"<Bytes>".as_slice())
		.and_then(|rest| rest.strip_suffix(b"</Bytes>".as_slice()))
		.ok_or("the consent message is not <Bytes>-wrapped")?;
	let unwrapped = format!("0x{}", hex::encode(PATIENT.pair().sign(bare).0));
	expect(app_a.create_share(share(unwrapped)).await, ErrorCode::SignatureInvalid)?;
	let (nonce, deadline) = (consent.nonce.to_string(), consent.deadline.to_string());
	let mut sign = vec!["--json", "--node", node_url, "share", "sign-consent"];
	let (patient_arg, record_arg) = (terms.patient.to_string(), record_id.to_string());
	sign.extend(["--patient", &patient_arg, "--record", &record_arg, "--hours", "24"]);
	let grantee_arg = grantee.map(|hospital| hospital.to_string());
	let max_uses_arg = max_uses.map(|uses| uses.to_string());
	if let Some(hospital) = &grantee_arg {
		sign.extend(["--grantee", hospital]);
	}
	if let Some(uses) = &max_uses_arg {
		sign.extend(["--max-uses", uses]);
	}
	sign.extend(["--token-key", &terms.token_public, "--nonce", &nonce, "--deadline", &deadline]);
	let signed = run_cli(&sign, &[("MEDCHAIN_SURI", "//Ferdie")])?.json()?;
	let signature = signed["signature"].as_str().ok_or("a signature")?.to_owned();
	let created = app_a.create_share(share(signature)).await.map_err(|e| e.to_string())?;
	Ok((token, created))
}

/// The diagnosis Hospital A keeps for P.
fn diagnosis_of_p() -> SubmitRecord {
	SubmitRecord {
		client_request_id: "visit-1".into(),
		patient: pseudonym_of(PATIENT),
		record_type: "DIAGNOSIS".into(),
		fields: json!({
			"diagnosis": "influenza A",
			"icd10_code": "J10.1",
			"treatment": "oseltamivir",
			"doctor": "Dr A",
			"date": "2026-11-30",
			"notes": "private notes",
		})
		.as_object()
		.cloned()
		.unwrap_or_default(),
		valid_until: None,
	}
}

fn request(token: &ShareToken, record_id: ids::RecordId) -> AccessShared {
	AccessShared { share_token: token.as_str().to_owned(), record_id, purpose: "TREAT".into() }
}

/// The sample `name` (with `label` among its labels) of the node whose Prometheus port is
/// `port`; 0 if it has none yet.
async fn metric(port: u16, name: &str, label: &str) -> Result<f64> {
	Ok(sample(&scrape(port).await?, name, label).unwrap_or(0.0))
}

/// Sends, signed by Hospital D's operator, the access `token` makes for `grant`, without the
/// node's checks; returns the block that refused it.
async fn refused_access(
	chain: &Chain,
	token: &ShareToken,
	grant: GrantId,
	record: RecordId,
) -> Result<u32> {
	let uses = chain.call(runtime_api::GRANT, grant, None).await?.ok_or("the grant")?.uses;
	let request = AccessRequest {
		genesis_hash: chain.genesis_hash().await?.into(),
		grant,
		record,
		accessor: HOSPITAL_D,
		purpose: PurposeOfUse::Treatment,
		uses,
		valid_until: chain.best_number().await? + 20,
	};
	let call = RuntimeCall::AccessLog(pallet_access_log::Call::access {
		grant,
		record,
		purpose: request.purpose,
		uses,
		valid_until: request.valid_until,
		signature: token.sign(&request),
	});
	let refused = tx::submit_and_finalize(chain, &OPERATOR_D.pair(), call).await?;
	if refused.error.is_none() {
		return Err("the chain took an access on a revoked grant".into());
	}
	Ok(chain.header(Some(refused.block)).await?.number)
}

/// The access id in the data of `result`'s error, which must be `code`.
fn access_id_in(
	result: std::result::Result<SharedFields, ClientError>,
	code: ErrorCode,
) -> Result<u64> {
	match result {
		Err(ClientError::Call(error)) if error.code() == code.code() => {
			logged_access_id(&error).ok_or_else(|| format!("{code:?} carries no access id"))
		}
		other => Err(format!("expected {code:?}, got {other:?}")),
	}
}

/// `retryAccess` until it answers something other than `code`.
async fn retry_while(
	app: &HttpClient,
	request: RetryAccess,
	code: ErrorCode,
) -> Result<SharedFields> {
	wait_until(&format!("retryAccess past {code:?}"), Duration::from_secs(120), || async {
		match app.retry_access(request.clone()).await {
			Ok(fields) => Ok(Some(fields)),
			Err(ClientError::Call(error)) if error.code() == code.code() => Ok(None),
			Err(error) => Err(error.to_string()),
		}
	})
	.await
}

async fn access(
	app: &HttpClient,
	token: &ShareToken,
	record_id: ids::RecordId,
) -> Result<SharedFields> {
	app.access_shared(request(token, record_id)).await.map_err(|e| e.to_string())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_share_token_opens_chosen_fields_at_another_hospital_over_p2p() -> Result<()> {
	let mut net = LocalNetwork::start_custodians_on("e2e")?;
	net.wait_finalized(&ALL, 1, FIRST_FINALITY).await?;
	let chain = net.nodes[A].chain()?;
	register_patient(&chain, OPERATOR_A, PATIENT).await.map_err(|e| net.with_log_tails(e))?;

	step("15. P's app follows P's events on A's node");
	// 15. P's app follows P's finalized events on A's node (the hospital that registered P),
	// from the start. A node streams only its own patients' and its own hospital's events.
	let ws_a = net.nodes[A].app_ws(Role::App).await?;
	let of_p = || SubscribeFilter { patient: Some(pseudonym_of(PATIENT)), hospital: None };
	let mut p_events = ws_a.subscribe_events(of_p()).await.map_err(|e| e.to_string())?;
	let both = SubscribeFilter { hospital: Some(HOSPITAL_A), ..of_p() };
	expect(ws_a.subscribe_events(both).await, ErrorCode::InvalidSubscribeFilter)?;
	let of_b = SubscribeFilter { patient: None, hospital: Some(HOSPITAL_B) };
	expect(ws_a.subscribe_events(of_b).await, ErrorCode::Forbidden)?;
	let ws_b = net.nodes[B].app_ws(Role::App).await?;
	expect(ws_b.subscribe_events(of_p()).await, ErrorCode::Forbidden)?;
	drop(ws_b);

	step("1. Hospital A keeps a diagnosis for P, anchored and finalized");
	// 1. Hospital A keeps a diagnosis for P, anchored and finalized.
	let app_a = net.nodes[A].app_rpc(Role::App)?;
	let node_a_url = net.nodes[A].rpc_url();
	let submitted = app_a.submit_record(diagnosis_of_p()).await.map_err(|e| e.to_string())?;
	let record_id = submitted.record_id;
	// Each node's medchain metrics move with its events (17).
	let ports: Vec<u16> = net.nodes.iter().map(|node| node.prometheus_port).collect();
	let metric =
		|node: usize, name: &'static str, label: &'static str| metric(ports[node], name, label);
	assert_eq!(metric(A, "medchain_records_stored_total", "").await?, 1.0);
	let auditor_a = net.nodes[A].app_rpc(Role::Auditor)?;
	wait_until("the record's anchor to be final", Duration::from_secs(120), || async {
		let status = auditor_a.record_status(record_id).await.map_err(|e| e.to_string())?;
		Ok((status.status == AnchorStatus::Finalized).then_some(()))
	})
	.await?;
	let record_bytes = record_id.0;
	wait_until("A's metrics to show the anchor", Duration::from_secs(30), || async {
		let anchored = metric(A, "medchain_records_anchored_total", "").await?;
		let depth = metric(A, "medchain_outbox_depth", "").await?;
		Ok((anchored == 1.0 && depth == 0.0).then_some(()))
	})
	.await?;
	assert!(metric(A, "medchain_store_bytes", "").await? > 0.0);

	step("2. P's wallet makes a token and a consent signature");
	// 2. P's wallet makes a token and a consent signature; A creates the share for B: 24
	// hours, notes excluded, twice at most.
	let (token, created) =
		share_via_custodian(&node_a_url, &app_a, record_id, Some(HOSPITAL_B), Some(2)).await?;
	let grant = created.grant_id;
	assert!(created.expires_at.ends_with('Z'), "{created:?}");
	assert_eq!(metric(A, "medchain_shares_created_total", "").await?, 1.0);
	println!(
		"share {grant} expires at block {} ({})",
		created.expires_at_block, created.expires_at
	);

	step("3. B reads it with the token alone");
	// 3. B reads it with the token alone: every field but the notes, verified.
	let app_b = net.nodes[B].app_rpc(Role::App)?;
	let shared = access(&app_b, &token, record_id).await.map_err(|e| net.with_log_tails(e))?;
	assert_eq!(shared.custodian, HOSPITAL_A);
	assert_eq!(
		serde_json::Value::Object(shared.fields.clone()),
		json!({
			"diagnosis": "influenza A",
			"icd10_code": "J10.1",
			"severity": null,
			"treatment": "oseltamivir",
			"doctor": "Dr A",
			"date": "2026-11-30",
		})
	);
	println!("B read record {record_id} under grant {grant}: access {}", shared.access_id);
	// The chain shows the entry, with B as accessor, and A's release receipt.
	let auditor = net.nodes[C].chain()?;
	let entry = wait_until("A's release receipt to be final", Duration::from_secs(60), || async {
		let (head, _) = auditor.finalized_head().await?;
		let entry = auditor.call(runtime_api::ACCESS_ENTRY, shared.access_id, Some(head)).await?;
		Ok(entry.filter(|entry| entry.release.is_some()))
	})
	.await?;
	assert_eq!(entry.accessor, Accessor::Hospital(HOSPITAL_B));
	assert_eq!(metric(B, "medchain_accesses_total", "outcome=\"granted\"").await?, 1.0);
	assert_eq!(metric(A, "medchain_releases_total", "outcome=\"released\"").await?, 1.0);
	let timed = metric(B, "medchain_rpc_seconds_count", "method=\"medchain_accessShared\"");
	assert_eq!(timed.await?, 1.0);

	step("9. The same access id again is refused");
	// 9. The same access id again is refused: it was served.
	let retry = |token: &ShareToken, access_id| RetryAccess {
		share_token: token.as_str().to_owned(),
		access_id,
	};
	expect(app_b.retry_access(retry(&token, shared.access_id)).await, ErrorCode::ReleaseRefused)?;
	// Only the token's holder may ask again.
	let stranger = ShareToken::generate();
	expect(
		app_b.retry_access(retry(&stranger, shared.access_id)).await,
		ErrorCode::AccessNotLogged,
	)?;
	step("4. C holds the same token and is refused as the wrong hospital");
	// 4. C holds the same token and is refused as the wrong hospital.
	let app_c = net.nodes[C].app_rpc(Role::App)?;
	expect(app_c.access_shared(request(&token, record_id)).await, ErrorCode::ShareWrongHospital)?;
	let wrong_hospital = "reason=\"ShareWrongHospital\"";
	assert_eq!(metric(C, "medchain_accesses_total", wrong_hospital).await?, 1.0);
	step("8. C's node asking A's node for B's access id over p2p is refused");
	// 8. C's node asking A's node for B's access id over p2p is refused.
	expect(app_c.retry_access(retry(&token, shared.access_id)).await, ErrorCode::ReleaseRefused)?;
	let not_accessor = "reason=\"NotAccessorNode\"";
	assert_eq!(metric(A, "medchain_releases_total", not_accessor).await?, 1.0);
	step("7. The second use works");
	// 7. The second use works; the third is refused: the uses are exhausted.
	access(&app_b, &token, record_id).await?;
	expect(app_b.access_shared(request(&token, record_id)).await, ErrorCode::ShareUsesExhausted)?;
	// Unknown and malformed tokens, wrong purposes.
	let unknown = ShareToken::generate();
	expect(app_b.access_shared(request(&unknown, record_id)).await, ErrorCode::ShareNotFound)?;
	let garbage = AccessShared { share_token: "VIC_short".into(), ..request(&token, record_id) };
	expect(app_b.access_shared(garbage).await, ErrorCode::InvalidShareToken)?;
	let (purpose_token, _) = share(&chain, record_bytes, DURATION).await?;
	let wrong_purpose =
		AccessShared { purpose: "HRESCH".into(), ..request(&purpose_token, record_id) };
	expect(app_b.access_shared(wrong_purpose).await, ErrorCode::PurposeMismatch)?;

	step("6. After a short share's expiry, B is refused");
	// 6. After a short share's expiry, B is refused: the share expired (it stays in state, and
	// its token finds it, for a day before it is pruned).
	let (short_token, short_grant) = share(&chain, record_bytes, SHORT_DURATION).await?;
	let expiry = auditor
		.call(runtime_api::GRANT, short_grant, None)
		.await?
		.ok_or("the short grant")?
		.expires_at;
	wait_until("the short share to expire", Duration::from_secs(90), || async {
		Ok((net.nodes[B].chain()?.best_number().await? >= expiry).then_some(()))
	})
	.await?;
	expect(app_b.access_shared(request(&short_token, record_id)).await, ErrorCode::ShareExpired)?;

	step("14. A share without a grantee opens for any registered hospital");
	// 14. A share without a grantee opens for any registered hospital holding the token, and
	// the use is logged with that hospital as accessor.
	let (open_token, open_share) =
		share_via_custodian(&node_a_url, &app_a, record_id, None, None).await?;
	let app_d = net.nodes[D].app_rpc(Role::App)?;
	// Two screens at D open it at once with the one token: D's node takes the uses in turn
	// (at once, both would sign the same use count, and the chain would refuse one as a replay).
	let (read_by_d, again_by_d) = tokio::join!(
		access(&app_d, &open_token, record_id),
		access(&app_d, &open_token, record_id)
	);
	let (read_by_d, again_by_d) = (read_by_d?, again_by_d?);
	assert_ne!(read_by_d.access_id, again_by_d.access_id);
	assert_eq!(read_by_d.fields, again_by_d.fields);
	// Final at D's node; C's (the auditor's) may finalize it a moment later.
	let entry = wait_until("D's access entry final at C", Duration::from_secs(60), || async {
		let (head, _) = auditor.finalized_head().await?;
		auditor.call(runtime_api::ACCESS_ENTRY, read_by_d.access_id, Some(head)).await
	})
	.await?;
	assert_eq!(entry.accessor, Accessor::Hospital(HOSPITAL_D));
	step("5. After A revokes it, the token is refused");
	// 5. After A revokes it, the token is refused.
	app_a.revoke_share(open_share.grant_id).await.map_err(|e| e.to_string())?;
	expect(app_d.access_shared(request(&open_token, record_id)).await, ErrorCode::ShareRevoked)?;
	// D's operator, as a stale or hostile requester, sends the access on the revoked share
	// itself: the chain refuses it at dispatch, and logs no entry (the auditor sees it, 16).
	let refused_block =
		refused_access(&net.nodes[D].chain()?, &open_token, open_share.grant_id, record_bytes)
			.await?;

	step("15. A consent request, its approval, use and revoke reach P's subscriber");
	// 15. A consent request by B, P's approval with a token, B's use and P's revoke reach P's
	// subscriber in that order; another patient's record, anchored meanwhile, does not.
	register_patient(&chain, OPERATOR_A, OTHER_PATIENT).await?;
	let other = SubmitRecord {
		client_request_id: "visit-other".into(),
		patient: pseudonym_of(OTHER_PATIENT),
		..diagnosis_of_p()
	};
	app_a.submit_record(other).await.map_err(|e| e.to_string())?;
	let ask = RuntimeCall::Shares(pallet_shares::Call::request_consent {
		patient: PATIENT.to_account_id(),
		records: BoundedVec::truncate_from(vec![record_bytes]),
		fields: FieldSelection::AllButNotes,
		duration: DURATION,
		purpose: PurposeOfUse::Treatment,
	});
	let asked = tx::submit_and_finalize(&net.nodes[B].chain()?, &OPERATOR_B.pair(), ask)
		.await?
		.succeeded()?;
	let request_id = asked
		.iter()
		.find_map(|event| match event {
			RuntimeEvent::Shares(pallet_shares::Event::ConsentRequested { request, .. }) => {
				Some(*request)
			}
			_ => None,
		})
		.ok_or("no ConsentRequested event")?;
	let consent_token = ShareToken::generate();
	let approve = RuntimeCall::Shares(pallet_shares::Call::approve_consent {
		request: request_id,
		token_key: consent_token.public_key(),
		max_uses: None,
	});
	let approved = tx::submit_and_finalize(&chain, &PATIENT.pair(), approve).await?.succeeded()?;
	let consent_grant = approved
		.iter()
		.find_map(|event| match event {
			RuntimeEvent::Shares(pallet_shares::Event::ConsentApproved { grant, .. }) => {
				Some(*grant)
			}
			_ => None,
		})
		.ok_or("no ConsentApproved event")?;
	access(&app_b, &consent_token, record_id).await?;
	let revoke = RuntimeCall::Shares(pallet_shares::Call::revoke { grant: consent_grant });
	tx::submit_and_finalize(&chain, &PATIENT.pair(), revoke).await?.succeeded()?;
	let mut seen = Vec::new();
	while !seen.iter().any(|n: &Notification| {
		n.kind == NotificationKind::ShareRevoked && n.grant_id == Some(consent_grant)
	}) {
		let next = tokio::time::timeout(Duration::from_secs(60), p_events.next())
			.await
			.map_err(|_| format!("P's subscriber waited 60 s; it saw {seen:?}"))?
			.ok_or("P's subscription ended")?
			.map_err(|e| e.to_string())?;
		seen.push(next);
	}
	let p_hex = pseudonym_of(PATIENT);
	assert!(seen.iter().all(|n| n.patient == p_hex), "another patient's event reached P: {seen:?}");
	let of_consent: Vec<NotificationKind> = seen
		.iter()
		.filter(|n| n.consent_request_id == Some(request_id) || n.grant_id == Some(consent_grant))
		.map(|n| n.kind)
		.collect();
	assert_eq!(
		of_consent,
		vec![
			NotificationKind::ConsentRequested,
			NotificationKind::ShareCreated,
			NotificationKind::ConsentApproved,
			NotificationKind::ShareUsed,
			NotificationKind::ShareRevoked,
		]
	);
	assert!(seen.iter().any(|n| n.kind == NotificationKind::RecordAnchored));
	println!("P's subscriber saw {} notifications", seen.len());

	step("10. While finality stalls, B's access waits and is retried");
	// 10. While finality stalls (C's and D's nodes hung: two of four voters), B's access is
	// logged in a block that is not final; B's node asks no custodian for it, and says so.
	// Once finality resumes, the same entry is served.
	net.nodes[C].pause()?;
	net.nodes[D].pause()?;
	let stalled = app_b.access_shared(request(&purpose_token, record_id)).await;
	let access_id = access_id_in(stalled, ErrorCode::NotFinalYet)?;
	expect(app_b.retry_access(retry(&purpose_token, access_id)).await, ErrorCode::NotFinalYet)?;
	net.nodes[C].resume()?;
	net.nodes[D].resume()?;
	let served = retry_while(&app_b, retry(&purpose_token, access_id), ErrorCode::NotFinalYet)
		.await
		.map_err(|e| net.with_log_tails(e))?;
	assert_eq!(served.fields, shared.fields);

	step("12. With A's node stopped, B's access is logged but its fields are unavailable");
	// 12. With A's node stopped, B's access is logged but its fields are unavailable; after A
	// restarts, B retries the same entry and gets them.
	net.nodes[A].kill()?;
	let offline = app_b.access_shared(request(&purpose_token, record_id)).await;
	let access_id = access_id_in(offline, ErrorCode::CustodianUnavailable)?;
	net.nodes[A].start()?;
	let retried =
		retry_while(&app_b, retry(&purpose_token, access_id), ErrorCode::CustodianUnavailable)
			.await
			.map_err(|e| net.with_log_tails(e))?;
	assert_eq!(retried.fields, shared.fields);

	step("11. After A erases the record, B is refused");
	// 11. After A erases the record (its admin, on the hospital's authority), B is refused.
	net.nodes[A]
		.app_rpc(Role::Admin)?
		.erase_record(record_id, None)
		.await
		.map_err(|e| e.to_string())?;
	wait_until("the erasure to be final", Duration::from_secs(120), || async {
		let (head, _) = auditor.finalized_head().await?;
		let anchor = auditor.call(runtime_api::RECORD, record_bytes, Some(head)).await?;
		Ok(anchor.filter(|anchor| !matches!(anchor.status, RecordStatus::Active)))
	})
	.await?;
	expect(app_b.access_shared(request(&purpose_token, record_id)).await, ErrorCode::RecordErased)?;

	step("16. An auditor pages P's access log and exports it as FHIR");
	// 16. An auditor (on C's node) reads P's access log page by page, in time order: every
	// access with A's release receipt, and D's refused attempt with the chain's reason. The
	// FHIR exports of it and of P's shares validate as R5.
	let audit = net.nodes[C].app_rpc(Role::Auditor)?;
	let of_p = AccessLogQuery { patient: Some(pseudonym_of(PATIENT)), ..Default::default() };
	let whole = wait_until("C's node to index D's refusal", Duration::from_secs(60), || async {
		let page = audit
			.access_log(AccessLogQuery { limit: Some(500), ..of_p.clone() })
			.await
			.map_err(|e| e.to_string())?;
		let covered = page
			.refusals_indexed
			.iter()
			.any(|[first, last]| (*first..=*last).contains(&refused_block));
		Ok(covered.then_some(page))
	})
	.await?;
	assert_eq!(whole.next_cursor, None);
	let (mut paged, mut cursor, mut pages) = (Vec::new(), None, 0);
	loop {
		let page = audit
			.access_log(AccessLogQuery { cursor, limit: Some(2), ..of_p.clone() })
			.await
			.map_err(|e| e.to_string())?;
		paged.extend(page.rows);
		pages += 1;
		match page.next_cursor {
			Some(next) => cursor = Some(next),
			None => break,
		}
	}
	assert_eq!(paged, whole.rows, "pages of 2 ({pages}) make the whole log");
	assert!(pages > 3);
	let times: Vec<&str> = whole
		.rows
		.iter()
		.map(|row| match row {
			AuditRow::Granted(access) => access.time.as_str(),
			AuditRow::Refused(attempt) => attempt.time.as_str(),
		})
		.collect();
	assert!(times.windows(2).all(|pair| pair[0] <= pair[1]), "in time order: {times:?}");
	let granted = |access_id| {
		whole.rows.iter().find_map(|row| match row {
			AuditRow::Granted(access) if access.access_id == access_id => Some(access),
			_ => None,
		})
	};
	let first = granted(shared.access_id).ok_or("B's first access in the log")?;
	assert_eq!(first.disclosure, Disclosure::Released);
	assert!(first.release.is_some());
	assert_eq!(first.accessor_hospital, Some(HOSPITAL_B));
	let released: Vec<&String> = shared.fields.keys().collect();
	assert_eq!(
		first.fields.iter().collect::<std::collections::BTreeSet<_>>(),
		released.into_iter().collect()
	);
	assert_eq!(
		granted(read_by_d.access_id).ok_or("D's access")?.accessor_hospital,
		Some(HOSPITAL_D)
	);
	let refusal = whole
		.rows
		.iter()
		.find_map(|row| match row {
			AuditRow::Refused(attempt) => Some(attempt),
			_ => None,
		})
		.ok_or("D's refused attempt in the log")?;
	assert_eq!(
		(refusal.reason.as_str(), refusal.hospital, refusal.grant_id),
		("GrantRevoked", Some(HOSPITAL_D), Some(open_share.grant_id))
	);
	// By hospital: D's two accesses and D's refusal, nothing of B's.
	let by_d = audit
		.access_log(AccessLogQuery { hospital: Some(HOSPITAL_D), ..Default::default() })
		.await
		.map_err(|e| e.to_string())?;
	assert_eq!(by_d.rows.len(), 3, "{by_d:?}");
	let audit_events = audit
		.export_fhir(ExportFhir {
			kind: FhirKind::AuditEvent,
			filter: AccessLogQuery { limit: Some(500), ..of_p.clone() },
		})
		.await
		.map_err(|e| e.to_string())?;
	println!("{}", medchain_tests::fhir::validate(&audit_events)?);
	assert_eq!(audit_events["entry"].as_array().map(Vec::len), Some(whole.rows.len()));
	let consents = audit
		.export_fhir(ExportFhir { kind: FhirKind::Consent, filter: of_p.clone() })
		.await
		.map_err(|e| e.to_string())?;
	println!("{}", medchain_tests::fhir::validate(&consents)?);
	let open_consent = consents["entry"]
		.as_array()
		.into_iter()
		.flatten()
		.find(|entry| entry["resource"]["id"] == format!("medchain-grant-{}", open_share.grant_id))
		.ok_or("the open share's Consent")?;
	assert_eq!(open_consent["resource"]["status"], "inactive");
	// Only auditors read the log, and a query names exactly one subject.
	expect(app_b.access_log(of_p.clone()).await, ErrorCode::Forbidden)?;
	expect(
		audit.access_log(AccessLogQuery { hospital: Some(HOSPITAL_B), ..of_p.clone() }).await,
		ErrorCode::InvalidAuditQuery,
	)?;

	step("13. No token is in any file under any node's base path, nor in any log");
	// 13. No token is in any file under any node's base path, nor in any log.
	for token in [&token, &open_token, &purpose_token, &short_token] {
		let scanned = files_without(net.data_dir(), token.as_str().as_bytes())
			.map_err(|path| format!("{path} holds a share token"))?;
		assert!(scanned > 0);
	}
	Ok(())
}
