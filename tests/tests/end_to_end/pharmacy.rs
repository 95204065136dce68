//! Prescriptions filled by pharmacy members, on six real nodes: Hospitals A–D validate;
//! Pharmacies P and Q, admitted by the hospitals' vote, run full nodes with their own
//! custodians. One scenario, in the issue's order, because each step starts from the chain the
//! previous one left.

use std::time::Duration;

use jsonrpsee::http_client::HttpClient;
use medchain_app_api::{
	audit::{AccessLogQuery, ExportFhir, FhirKind},
	auth::Role,
	ErrorCode, FillPrescription, FilledPrescription, MedchainApiClient, PrescriptionVerification,
	RecordId, SubmitRecord, VerifyPrescription,
};
use medchain_primitives::shares::GrantId;
use medchain_runtime::{RuntimeCall, RuntimeEvent};
use medchain_tests::{
	client::{
		admission::Admission,
		chain::AuraId,
		governance,
		rpc::wait_until,
		tx::{self, Head},
		Chain,
	},
	custodian::{
		error_code, expect_error, grant_record, pseudonym_of, register_patient, wait_app_rpc,
		wait_custodian_finalized,
	},
	network::{node_key, LocalNetwork, A, B, C, D, HOSPITAL_A},
	step, Result,
};
use medchain_token::ShareToken;
use sp_core::{sr25519, Pair};
use sp_keyring::Sr25519Keyring;

const TIMEOUT: Duration = Duration::from_secs(120);
const OPERATOR_A: Sr25519Keyring = Sr25519Keyring::AliceStash;
/// The patient, X.
const PATIENT: Sr25519Keyring = Sr25519Keyring::Ferdie;
/// Grants last this many blocks: long enough for the whole test.
const DURATION: u32 = 1_000;
const DAY_MILLIS: u64 = 24 * 60 * 60 * 1000;
/// The prescription's fields, but its refills.
const FIELDS: [&str; 5] =
	["medication=amoxicillin", "dosage=500 mg", "quantity=30", "doctor=Dr. Ada", "date=2026-12-07"];

/// A pharmacy of the test: its registry id, node key number and accounts.
struct Pharmacy {
	name: &'static str,
	id: u32,
	key_index: usize,
	admin: &'static str,
	operator: &'static str,
}

const P: Pharmacy = Pharmacy {
	name: "Pharmacy P",
	id: 4,
	key_index: 4,
	admin: "//PharmacyP",
	operator: "//PharmacyP//operator",
};
const Q: Pharmacy = Pharmacy {
	name: "Pharmacy Q",
	id: 5,
	key_index: 5,
	admin: "//PharmacyQ",
	operator: "//PharmacyQ//operator",
};

fn account(suri: &str) -> Result<sp_runtime::AccountId32> {
	let pair = sr25519::Pair::from_string(suri, None).map_err(|e| format!("{suri}: {e:?}"))?;
	Ok(pair.public().into())
}

/// Starts `pharmacy`'s node (a full node: it can't sync before it is admitted), has Hospitals
/// A, B and C vote it in, and restarts it as its custodian once it follows the chain. Returns
/// its index in the network.
async fn admit(net: &mut LocalNetwork, chain: &Chain, pharmacy: &Pharmacy) -> Result<usize> {
	let (node, peer_id) = net.add_node(pharmacy.name, pharmacy.key_index, false)?;
	let admission = Admission {
		name: pharmacy.name.into(),
		admin: account(pharmacy.admin)?,
		operator: account(pharmacy.operator)?,
		address: net.nodes[node].multiaddr(&peer_id),
		peer_id,
	};
	let node_proof = admission
		.sign_pharmacy_as_node(&chain.genesis_hash().await?, &node_key(pharmacy.key_index))?;
	let call = admission.propose_pharmacy_call(node_proof)?;
	let voters = [Sr25519Keyring::Bob, Sr25519Keyring::Charlie].map(|keyring| keyring.pair());
	let passed =
		governance::pass(chain, &Sr25519Keyring::Alice.pair(), &voters, call, Head::Finalized)
			.await?;
	let added = passed.events.iter().any(|event| {
		matches!(
			event,
			RuntimeEvent::Hospitals(pallet_hospitals::Event::PharmacyAdded { pharmacy: id, .. })
				if *id == pharmacy.id
		)
	});
	assert!(added, "{} admitted with id {}: {:?}", pharmacy.name, pharmacy.id, passed.events);
	// The allowlist now holds its node: it syncs and follows finality.
	let (_, finalized) = chain.finalized_head().await?;
	net.wait_finalized(&[node], finalized, TIMEOUT).await?;
	net.nodes[node].kill()?;
	net.nodes[node].enable_custodian(pharmacy.operator)?;
	net.nodes[node].start()?;
	wait_app_rpc(&net.nodes[node], TIMEOUT).await?;
	Ok(node)
}

/// X's prescription `request` on A, with `refills` and expiring at `valid_until` (Unix ms),
/// once its anchor is final.
async fn prescribe(
	app_a: &HttpClient,
	request: &str,
	refills: u32,
	valid_until: u64,
) -> Result<RecordId> {
	let fields = serde_json::json!({
		"medication": "amoxicillin", "dosage": "500 mg", "quantity": "30",
		"refills": refills.to_string(), "doctor": "Dr. Ada", "date": "2026-12-07"
	});
	let record = SubmitRecord {
		client_request_id: request.into(),
		patient: pseudonym_of(PATIENT),
		record_type: "PRESCRIPTION".into(),
		fields: fields.as_object().cloned().unwrap_or_default(),
		valid_until: Some(medchain_app_api::time::rfc3339(valid_until)),
	};
	let submitted = app_a.submit_record(record).await.map_err(|e| e.to_string())?;
	wait_custodian_finalized(app_a, &[submitted.record_id], TIMEOUT).await?;
	Ok(submitted.record_id)
}

/// X's share of `record` with `pharmacy`, and the pharmacy's node opening it with the token.
async fn share_and_open(
	chain: &Chain,
	app: &HttpClient,
	pharmacy: &Pharmacy,
	record: RecordId,
) -> Result<(ShareToken, GrantId)> {
	let (token, grant) = grant_record(chain, PATIENT, record.0, pharmacy.id, DURATION).await?;
	open(app, pharmacy, &token, record).await?;
	Ok((token, grant))
}

/// `pharmacy`'s node opens `record` with `token`, and checks the fields: each fill needs one.
async fn open(
	app: &HttpClient,
	pharmacy: &Pharmacy,
	token: &ShareToken,
	record: RecordId,
) -> Result<()> {
	let shared = app.access_shared(access(token, record)).await.map_err(|e| e.to_string())?;
	assert_eq!(shared.fields["medication"], "amoxicillin", "{}: verified fields", pharmacy.name);
	assert_eq!(shared.fields["quantity"], "30");
	Ok(())
}

fn access(token: &ShareToken, record: RecordId) -> medchain_app_api::AccessShared {
	medchain_app_api::AccessShared {
		share_token: token.as_str().to_owned(),
		record_id: record,
		purpose: "TREAT".into(),
	}
}

async fn fill(
	app: &HttpClient,
	record: RecordId,
) -> std::result::Result<FilledPrescription, jsonrpsee::core::ClientError> {
	app.fill_prescription(FillPrescription { record_id: record, quantity: 30 }).await
}

async fn verify(app: &HttpClient, record: RecordId) -> Result<PrescriptionVerification> {
	let request = VerifyPrescription { record_id: record, share_token: None, purpose: None };
	app.verify_prescription(request).await.map_err(|e| e.to_string())
}

/// Waits until `app`'s node's finalized state shows `fills_used` fills of `record`.
async fn verified_with(
	app: &HttpClient,
	record: RecordId,
	fills_used: u32,
) -> Result<PrescriptionVerification> {
	wait_until("the fills at the finalized block", TIMEOUT, || async {
		let verification = verify(app, record).await?;
		Ok((verification.fills_used == fills_used).then_some(verification))
	})
	.await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pharmacy_fills_a_prescription_exactly_as_often_as_it_allows() -> Result<()> {
	let mut net = LocalNetwork::start_custodians()?;
	net.wait_finalized(&[A, B, C, D], 1, TIMEOUT).await?;
	let chain = net.nodes[A].chain()?;
	let run = async {
		step("admitting Pharmacies P and Q by the hospitals' vote");
		let p = admit(&mut net, &chain, &P).await?;
		let q = admit(&mut net, &chain, &Q).await?;
		let (_, head) = chain.finalized_head().await?;
		let hash = chain.block_hash(head).await?.ok_or("no finalized block")?;
		assert_eq!(
			chain.validators(Some(hash)).await?,
			vec![0, 1, 2, 3],
			"pharmacies never validate"
		);

		let members =
			net.nodes[A].app_rpc(Role::App)?.hospitals(None).await.map_err(|e| e.to_string())?;
		let kinds: Vec<(u32, &str, bool)> = members
			.hospitals
			.iter()
			.map(|member| (member.id, member.kind.as_str(), member.validator))
			.collect();
		assert_eq!(
			kinds,
			[
				(0, "hospital", true),
				(1, "hospital", true),
				(2, "hospital", true),
				(3, "hospital", true),
				(P.id, "pharmacy", false),
				(Q.id, "pharmacy", false)
			]
		);
		let app_a = net.nodes[A].app_rpc(Role::App)?;
		let (app_p, app_q) = (net.nodes[p].app_rpc(Role::App)?, net.nodes[q].app_rpc(Role::App)?);
		register_patient(&chain, OPERATOR_A, PATIENT).await?;
		let now = medchain_app_api::time::now_unix_millis();

		step("1. A issues a prescription with one refill for X (medchain prescription issue)");
		let valid_until = medchain_app_api::time::rfc3339(now + 30 * DAY_MILLIS);
		let patient = pseudonym_of(PATIENT).to_string();
		let mut issue = vec!["--json", "prescription", "issue", "--patient", &patient];
		issue.extend(["--refills", "1", "--valid-until", &valid_until, "--wait"]);
		for field in FIELDS {
			issue.extend(["--field", field]);
		}
		let issued = net.nodes[A].cli(Some(Role::App), &issue, &[])?.json()?;
		assert_eq!(issued["status"], "finalized", "{issued}");
		let prescription: RecordId =
			serde_json::from_value(issued["recordId"].clone()).map_err(|e| e.to_string())?;
		let verification = verify(&app_p, prescription).await?;
		assert!(verification.authentic);
		assert_eq!(
			(verification.prescriber.id, verification.status.as_str()),
			(HOSPITAL_A, "active")
		);
		assert_eq!((verification.fills_allowed, verification.fills_left), (2, 2));

		step("2–3. X shares it with P and Q; P fills, Q fills the refill");
		share_and_open(&chain, &app_p, &P, prescription).await?;
		share_and_open(&chain, &app_q, &Q, prescription).await?;
		let first = fill(&app_p, prescription).await.map_err(|e| e.to_string())?;
		assert_eq!((first.fill_no, first.fills_left), (1, 1));
		let record = prescription.to_string();
		let fill_q = ["--json", "prescription", "fill", &record, "--quantity", "30"];
		let second = net.nodes[q].cli(Some(Role::App), &fill_q, &[])?.json()?;
		assert_eq!((&second["fillNo"], &second["fillsLeft"]), (&2.into(), &0.into()), "{second}");

		step("4. a third fill, at either, is refused; a hospital fills nothing");
		expect_error(fill(&app_p, prescription).await, ErrorCode::NoFillsLeft)?;
		expect_error(fill(&app_q, prescription).await, ErrorCode::NoFillsLeft)?;
		let app_b = net.nodes[B].app_rpc(Role::App)?;
		expect_error(fill(&app_b, prescription).await, ErrorCode::NotAPharmacy)?;

		step("5. verifyPrescription on B shows both fills");
		let auditor_b = net.nodes[B].app_rpc(Role::Auditor)?;
		let verification = verified_with(&auditor_b, prescription, 2).await?;
		let pharmacies: Vec<(u32, u32, &str)> = verification
			.fills
			.iter()
			.map(|fill| (fill.fill_no, fill.pharmacy.id, fill.pharmacy.name.as_str()))
			.collect();
		assert_eq!(pharmacies, [(1, P.id, P.name), (2, Q.id, Q.name)]);
		assert_eq!(verification.fills_left, 0);
		let history =
			net.nodes[B].cli(Some(Role::Auditor), &["prescription", "history", &record], &[])?;
		println!("medchain prescription history {record} (on B):\n{}", history.stdout);
		assert!(history.success && history.stdout.contains("Pharmacy Q (5)"), "{}", history.stderr);

		step("5b. the prescription and its fills as FHIR, validated");
		for (kind, expected) in [
			(FhirKind::MedicationRequest, "Bundle with 1 MedicationRequest"),
			(FhirKind::MedicationDispense, "Bundle with 2 MedicationDispense"),
		] {
			let filter = AccessLogQuery { record: Some(prescription), ..Default::default() };
			let bundle = auditor_b
				.export_fhir(ExportFhir { kind, filter })
				.await
				.map_err(|e| e.to_string())?;
			let summary = medchain_tests::fhir::validate(&bundle)?;
			assert!(summary.contains(expected), "{summary}");
			if kind == FhirKind::MedicationDispense {
				println!("MedicationDispense: {}", bundle["entry"][1]["resource"]);
			}
		}

		step("6. an expired prescription can't be filled");
		let soon = medchain_app_api::time::now_unix_millis() + 40_000;
		let expiring = prescribe(&app_a, "rx-expiring", 2, soon).await?;
		share_and_open(&chain, &app_p, &P, expiring).await?;
		wait_until("the prescription to expire", TIMEOUT, || async {
			Ok(verify(&app_p, expiring).await?.expired.then_some(()))
		})
		.await?;
		expect_error(fill(&app_p, expiring).await, ErrorCode::PrescriptionExpired)?;

		step("7. an amended prescription fills only in its latest version");
		let amended = prescribe(&app_a, "rx-amended", 1, now + 30 * DAY_MILLIS).await?;
		share_and_open(&chain, &app_p, &P, amended).await?;
		assert_eq!(fill(&app_p, amended).await.map_err(|e| e.to_string())?.fill_no, 1);
		let amend = RuntimeCall::Records(pallet_records::Call::amend {
			record_id: amended.0,
			field_root: [7; 32],
			ciphertext_digest: [7; 32],
		});
		let events =
			tx::submit_and_finalize(&chain, &OPERATOR_A.pair(), amend).await?.succeeded()?;
		let latest = events
			.iter()
			.find_map(|event| match event {
				RuntimeEvent::Records(pallet_records::Event::RecordAmended {
					record_id, ..
				}) => Some(RecordId(*record_id)),
				_ => None,
			})
			.ok_or("no RecordAmended event")?;
		expect_error(fill(&app_p, amended).await, ErrorCode::PrescriptionAmended)?;
		// Not opened yet: the access entry must be for exactly this version.
		expect_error(fill(&app_p, latest).await, ErrorCode::NoAccessEntry)?;
		// A holds no fields for a version amended on chain only: the release is refused, but
		// the access is logged, which is what a fill needs.
		let (token, _) = grant_record(&chain, PATIENT, latest.0, P.id, DURATION).await?;
		let released = error_code(app_p.access_shared(access(&token, latest)).await)?;
		let logged =
			[ErrorCode::ReleaseRefused, ErrorCode::CustodianUnavailable].map(ErrorCode::code);
		assert!(logged.contains(&released), "the access to the new version is logged: {released}");
		let refill = fill(&app_p, latest).await.map_err(|e| e.to_string())?;
		assert_eq!(
			(refill.fill_no, refill.fills_left),
			(2, 0),
			"the fills are counted over versions"
		);

		step("8. a revoked share fills nothing more; after an erasure, no fill is possible");
		let erasable = prescribe(&app_a, "rx-erased", 2, now + 30 * DAY_MILLIS).await?;
		let (token, grant) = share_and_open(&chain, &app_p, &P, erasable).await?;
		assert_eq!(fill(&app_p, erasable).await.map_err(|e| e.to_string())?.fill_no, 1);
		let revoke = RuntimeCall::Shares(pallet_shares::Call::revoke { grant });
		tx::submit_and_finalize(&chain, &PATIENT.pair(), revoke).await?.succeeded()?;
		// The fill spent P's opening, and the token opens nothing now.
		expect_error(fill(&app_p, erasable).await, ErrorCode::NoAccessEntry)?;
		expect_error(app_p.access_shared(access(&token, erasable)).await, ErrorCode::ShareRevoked)?;
		// X shares it again, P opens it, and X erases it before P fills.
		let (_, _) = share_and_open(&chain, &app_p, &P, erasable).await?;
		let erase = RuntimeCall::Records(pallet_records::Call::erase { record_id: erasable.0 });
		tx::submit_and_finalize(&chain, &PATIENT.pair(), erase).await?.succeeded()?;
		expect_error(fill(&app_p, erasable).await, ErrorCode::PrescriptionErased)?;
		let erased = wait_until("the erasure at the finalized block", TIMEOUT, || async {
			let verification = verify(&app_q, erasable).await?;
			Ok((verification.status == "erased").then_some(verification))
		})
		.await?;
		assert_eq!((erased.fills_used, erased.fills_left), (1, 2));

		step("9. P's and Q's nodes never author a block");
		let (head_hash, head) = chain.finalized_head().await?;
		let validators: Vec<AuraId> = [
			Sr25519Keyring::Alice,
			Sr25519Keyring::Bob,
			Sr25519Keyring::Charlie,
			Sr25519Keyring::Dave,
		]
		.map(|keyring| keyring.public())
		.to_vec();
		for number in 1..=head {
			let hash = chain.block_hash(number).await?.ok_or("missing block")?;
			let author = chain.block_author(hash).await?;
			assert!(validators.contains(&author), "block #{number} by {author:?}");
		}
		for node in [p, q] {
			assert!(!net.nodes[node].log_since(0).contains("Prepared block"), "{node} authored");
			let (_, pharmacy_head) = net.nodes[node].chain()?.finalized_head().await?;
			assert!(
				pharmacy_head + 2 >= head,
				"node {node} follows finality: #{pharmacy_head} of #{head} ({head_hash:?})"
			);
		}
		Ok::<_, String>(())
	};
	run.await.map_err(|e| net.with_log_tails(e))
}
