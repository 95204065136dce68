//! soak: app clients against one node for minutes on end (issue 27). `scripts/soak.sh` runs it.
//! Figures only; never a test.
//!
//! `soak [--clients N] [--seconds S]` (32 and 300 by default), on its own four-hospital network,
//! every client against Hospital B's node:
//! - one client shares: the patient's consent, recomputed and signed here, then `createShare`
//!   (a patient's shares are made one at a time: each consent signs the patient's next nonce);
//! - each other client goes round `submitRecords` (5 records), `recordStatus` (one it stored),
//!   `accessShared` (Hospital A's record, under a grant of its own) and `accessLog` (a page of
//!   B's accesses, as B's auditor).
//!
//! Prints per method the calls, p50 and p99, and the errors by code; the node's resident memory
//! at the start and at the end.

use std::{
	collections::BTreeMap,
	time::{Duration, Instant},
};

use jsonrpsee::{core::ClientError, http_client::HttpClient};
use medchain_app_api::{
	audit::AccessLogQuery, auth::Role, consent, types::SubmitRecord, AccessShared, AccountId,
	CreateShare, MedchainApiClient, RecordId, ShareTerms,
};
use medchain_primitives::fields::RecordType;
use medchain_runtime::RuntimeCall;
use medchain_tests::{
	client::{runtime_api, tx, Chain},
	custodian::register_patient,
	network::{LocalNetwork, A, ALL, B, FIRST_FINALITY},
	node::Node,
	Result,
};
use medchain_token::ShareToken;
use serde_json::json;
use sp_core::{sr25519, Pair};
use sp_keyring::Sr25519Keyring;

use crate::bench_access::setup::{
	anchor_records, create_grants, grant_duration, wait_grants_final, Share, PATIENTS, REQUESTING,
};

const USAGE: &str = "soak [--clients N] [--seconds S]";
/// Hospital B's patient, whose records the clients submit and the sharer shares.
const B_PATIENT_SEED: &str = "//SoakPatientOfB";

/// What one call did: its method, its seconds, and its error code if it failed.
type Outcome = (&'static str, f64, Option<i32>);

/// Runs it; `args`: `[--clients N] [--seconds S]`.
pub async fn run(args: &[String]) -> Result<()> {
	let (clients, seconds) = parse(args)?;
	let net = LocalNetwork::start_custodians()?;
	net.wait_finalized(&ALL, 1, FIRST_FINALITY).await?;
	let chain_a = net.nodes[A].chain()?;
	let slot_millis = chain_a.call(runtime_api::SLOT_DURATION, (), None).await?;

	println!("setup: {} grants to B of Hospital A's records, B's patient", clients - 1);
	for patient in PATIENTS {
		register_patient(&chain_a, Sr25519Keyring::AliceStash, patient).await?;
	}
	let records = anchor_records(&net.nodes[A].app_rpc(Role::App)?).await?;
	let shares: Vec<Share> = (1..clients)
		.map(|index| {
			let (patient, record) = records[index % records.len()];
			Share { patient, record, requester: REQUESTING[0], token: ShareToken::generate() }
		})
		.collect();
	create_grants(&chain_a, &shares, grant_duration(slot_millis)?).await?;
	wait_grants_final(&net, &shares).await?;
	let patient_b =
		sr25519::Pair::from_string(B_PATIENT_SEED, None).map_err(|e| format!("{e:?}"))?;
	let register = pallet_hospitals::Call::register_patient { patient: patient_b.public().into() };
	tx::submit_and_finalize(
		&chain_a,
		&Sr25519Keyring::BobStash.pair(),
		RuntimeCall::Hospitals(register),
	)
	.await?
	.succeeded()?;
	let app_b = net.nodes[B].app_rpc(Role::App)?;
	let shared_record = submit(&app_b, &patient_b, "soak-shared", 1).await?[0];

	let rss_at_start = rss(&net.nodes[B])?;
	println!("soak: {clients} clients against Hospital B's node for {seconds} s");
	let deadline = Instant::now() + Duration::from_secs(seconds);
	let mut tasks = Vec::new();
	let sharer = Sharer {
		app: app_b.clone(),
		chain: net.nodes[B].chain()?,
		patient: patient_b.clone(),
		record: shared_record,
	};
	tasks.push(tokio::spawn(async move { sharer.run(deadline).await }));
	for (number, share) in shares.into_iter().enumerate() {
		let client = Client {
			number,
			app: net.nodes[B].app_rpc(Role::App)?,
			auditor: net.nodes[B].app_rpc(Role::Auditor)?,
			patient: patient_b.clone(),
			access: AccessShared {
				share_token: share.token.as_str().to_owned(),
				record_id: share.record,
				purpose: "TREAT".into(),
			},
		};
		tasks.push(tokio::spawn(async move { client.run(deadline).await }));
	}
	let mut outcomes = Vec::new();
	for task in tasks {
		outcomes.extend(task.await.map_err(|error| error.to_string())?);
	}
	report(&outcomes, rss_at_start, rss(&net.nodes[B])?, net.nodes[B].peak_rss()?);
	Ok(())
}

fn parse(args: &[String]) -> Result<(usize, u64)> {
	let (mut clients, mut seconds) = (32, 300);
	let mut args = args.iter();
	while let Some(flag) = args.next() {
		let value = args.next().ok_or(format!("{flag} needs a value; usage: {USAGE}"))?;
		let number = || value.parse::<u64>().map_err(|e| format!("{flag} {value}: {e}"));
		match flag.as_str() {
			"--clients" => clients = usize::try_from(number()?).map_err(|e| e.to_string())?,
			"--seconds" => seconds = number()?,
			_ => return Err(format!("unknown option {flag}; usage: {USAGE}")),
		}
	}
	if clients < 2 {
		return Err(format!("--clients must be 2 or more (one shares); usage: {USAGE}"));
	}
	Ok((clients, seconds))
}

/// The node's resident memory now (`VmRSS`), in bytes.
fn rss(node: &Node) -> Result<u64> {
	node.memory("VmRSS")
}

/// Submits `count` VITAL_SIGNS records of `patient` named `prefix-n`; their ids.
async fn submit(
	app: &HttpClient,
	patient: &sr25519::Pair,
	prefix: &str,
	count: usize,
) -> Result<Vec<RecordId>> {
	let records = (0..count)
		.map(|n| SubmitRecord {
			client_request_id: format!("{prefix}-{n}"),
			patient: AccountId(patient.public().0),
			record_type: "DIAGNOSIS".into(),
			fields: json!({ "diagnosis": prefix, "doctor": "Dr B", "date": "2026-12-07" })
				.as_object()
				.cloned()
				.unwrap_or_default(),
		})
		.collect();
	let submitted = app.submit_records(records).await.map_err(|error| error.to_string())?;
	Ok(submitted.into_iter().map(|record| record.record_id).collect())
}

/// The error code of a failed call (0: not a JSON-RPC error, e.g. a timeout).
fn code<T>(result: &std::result::Result<T, ClientError>) -> Option<i32> {
	match result {
		Ok(_) => None,
		Err(ClientError::Call(error)) => Some(error.code()),
		Err(_) => Some(0),
	}
}

/// A clinician's app at Hospital B going round the methods.
struct Client {
	number: usize,
	app: HttpClient,
	auditor: HttpClient,
	patient: sr25519::Pair,
	access: AccessShared,
}

impl Client {
	async fn run(self, deadline: Instant) -> Vec<Outcome> {
		let mut outcomes = Vec::new();
		let mut stored: Vec<RecordId> = Vec::new();
		let mut round = 0usize;
		while Instant::now() < deadline {
			let started = Instant::now();
			let (method, failed) = match round % 4 {
				0 => {
					let prefix = format!("soak-{}-{round}", self.number);
					let submitted = submit(&self.app, &self.patient, &prefix, 5).await;
					let failed = submitted.as_ref().err().map(|_| 0);
					stored.extend(submitted.unwrap_or_default());
					("submitRecords", failed)
				}
				1 => match stored.get(round % stored.len().max(1)) {
					Some(id) => ("recordStatus", code(&self.app.record_status(*id).await)),
					None => ("recordStatus", None),
				},
				2 => ("accessShared", code(&self.app.access_shared(self.access.clone()).await)),
				_ => {
					let query =
						AccessLogQuery { hospital: Some(1), limit: Some(50), ..Default::default() };
					("accessLog", code(&self.auditor.access_log(query).await))
				}
			};
			outcomes.push((method, started.elapsed().as_secs_f64(), failed));
			round += 1;
		}
		outcomes
	}
}

/// The patient's app sharing one record again and again, through B's node.
struct Sharer {
	app: HttpClient,
	chain: Chain,
	patient: sr25519::Pair,
	record: RecordId,
}

impl Sharer {
	async fn run(self, deadline: Instant) -> Vec<Outcome> {
		let mut outcomes = Vec::new();
		while Instant::now() < deadline {
			let started = Instant::now();
			let failed = self.share().await.err();
			outcomes.push(("createShare", started.elapsed().as_secs_f64(), failed));
		}
		outcomes
	}

	/// One share: `prepareShare`, the consent recomputed and signed here, `createShare`.
	async fn share(&self) -> std::result::Result<(), i32> {
		let token = ShareToken::generate();
		let terms = ShareTerms {
			patient: AccountId(self.patient.public().0),
			record_ids: vec![self.record],
			fields: None,
			grantee_hospital: Some(0),
			expires_in_hours: 24,
			max_uses: None,
			purpose: "TREAT".into(),
			token_public: format!("0x{}", hex::encode(token.public_key())),
		};
		let prepared = self.app.prepare_share(terms.clone()).await;
		let consent = prepared.map_err(|error| code::<()>(&Err(error)).unwrap_or(0))?;
		let signature = self.sign(&terms, consent.nonce, consent.deadline).await.map_err(|_| 0)?;
		let share = CreateShare {
			terms,
			nonce: consent.nonce,
			deadline: consent.deadline,
			patient_signature: signature,
		};
		let created = self.app.create_share(share).await;
		code(&created).map_or(Ok(()), Err)
	}

	async fn sign(&self, terms: &ShareTerms, nonce: u64, deadline: u32) -> Result<String> {
		let records = consent::record_ids(terms).map_err(|error| error.message)?;
		let (patient, chain_terms) = consent::chain_terms(
			terms,
			records,
			&[RecordType::Diagnosis],
			medchain_runtime::SLOT_DURATION,
		)
		.map_err(|error| error.message)?;
		let genesis = self.chain.genesis_hash().await?.0;
		let message = consent::consent_message(&genesis, &patient, &chain_terms, nonce, deadline);
		Ok(format!("0x{}", hex::encode(self.patient.sign(&message).0)))
	}
}

fn percentile(sorted: &[f64], fraction: f64) -> f64 {
	let rank = ((sorted.len() as f64 * fraction).ceil() as usize).clamp(1, sorted.len().max(1));
	sorted.get(rank - 1).copied().unwrap_or(0.0)
}

fn report(outcomes: &[Outcome], rss_at_start: u64, rss_at_end: u64, peak: u64) {
	let mut by_method: BTreeMap<&str, (Vec<f64>, BTreeMap<i32, usize>)> = BTreeMap::new();
	for (method, seconds, failed) in outcomes {
		let entry = by_method.entry(method).or_default();
		entry.0.push(*seconds);
		if let Some(code) = failed {
			*entry.1.entry(*code).or_default() += 1;
		}
	}
	println!("\n| method | calls | p50 | p99 | errors by code |");
	println!("|---|---|---|---|---|");
	for (method, (mut seconds, errors)) in by_method {
		seconds.sort_by(f64::total_cmp);
		let errors = if errors.is_empty() {
			"none".to_owned()
		} else {
			errors
				.iter()
				.map(|(code, count)| format!("{code}: {count}"))
				.collect::<Vec<_>>()
				.join(", ")
		};
		println!(
			"| {method} | {} | {:.3} s | {:.3} s | {errors} |",
			seconds.len(),
			percentile(&seconds, 0.5),
			percentile(&seconds, 0.99)
		);
	}
	let mib = |bytes: u64| bytes as f64 / f64::from(1 << 20);
	println!(
		"\nHospital B's node: resident {:.0} MiB at the start, {:.0} MiB at the end (peak {:.0} MiB)",
		mib(rss_at_start),
		mib(rss_at_end),
		mib(peak)
	);
	println!("error codes: docs/rpc.md, \"Errors\"; 0 is a call that got no JSON-RPC answer");
}
