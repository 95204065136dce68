//! soak: app clients against one node for minutes on end (issue 27). `scripts/soak.sh` runs it.
//! Figures only; never a test.
//!
//! `soak [--clients N] [--seconds S] [--methods submit,status,access,log,share]` (32 clients, 300 s
//! and every method by default), on its own four-hospital network, every client against
//! Hospital B's node:
//! - one client shares: the patient's consent, recomputed and signed here, then `createShare`
//!   (a patient's shares are made one at a time: each consent signs the patient's next nonce);
//! - each other client goes round `submitRecords` (5 records), `recordStatus` (one it stored),
//!   `accessShared` (Hospital A's record, under a grant of its own) and `accessLog` (a page of
//!   B's accesses, as B's auditor).
//!
//! Prints per method the calls, p50 and p99, and the errors by code with one message each; the
//! nodes' resident memory every 30 s. `--methods` runs only some, to find what a figure comes
//! from.

use std::{
	collections::BTreeMap,
	time::{Duration, Instant},
};

use jsonrpsee::{core::ClientError, http_client::HttpClient};
use medchain_app_api::{
	audit::AccessLogQuery,
	auth::Role,
	consent,
	types::{AnchorStatus, SubmitRecord},
	AccessShared, AccountId, CreateShare, MedchainApiClient, RecordId, ShareTerms,
};
use medchain_primitives::fields::RecordType;
use medchain_runtime::RuntimeCall;
use medchain_tests::{
	client::{rpc::wait_until, runtime_api, tx, Chain},
	custodian::register_patient,
	network::{LocalNetwork, A, ALL, B, FIRST_FINALITY, HOSPITAL_A, HOSPITAL_B},
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

const USAGE: &str = "soak [--clients N] [--seconds S] [--methods submit,status,access,log,share]";
const METHODS: [&str; 5] = ["submit", "status", "access", "log", "share"];
/// How often the node's memory is printed.
const MEMORY_EVERY: Duration = Duration::from_secs(30);
/// Hospital B's patient, whose records the clients submit and the sharer shares.
const B_PATIENT_SEED: &str = "//SoakPatientOfB";

/// What one call did: its method, its seconds, and its error (code, message) if it failed.
type Outcome = (&'static str, f64, Option<(i32, String)>);

/// Runs it; `args`: `[--clients N] [--seconds S]`.
pub async fn run(args: &[String]) -> Result<()> {
	let Options { clients, seconds, methods } = Options::parse(args)?;
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
	wait_until("the shared record's anchor to be final", Duration::from_secs(180), || async {
		let status = app_b.record_status(shared_record).await.map_err(|e| e.to_string())?;
		Ok((status.status == AnchorStatus::Finalized).then_some(()))
	})
	.await?;

	let rss_at_start = rss(&net.nodes[B])?;
	println!("soak: {clients} clients against Hospital B's node for {seconds} s");
	let deadline = Instant::now() + Duration::from_secs(seconds);
	let mut tasks = Vec::new();
	let round: Vec<&'static str> = METHODS
		.into_iter()
		.filter(|method| *method != "share" && methods.contains(method))
		.collect();
	let sharer = Sharer {
		app: app_b.clone(),
		chain: net.nodes[B].chain()?,
		patient: patient_b.clone(),
		record: shared_record,
		slot_millis,
	};
	if methods.contains(&"share") {
		tasks.push(tokio::spawn(async move { sharer.run(deadline).await }));
	}
	for (number, share) in shares.into_iter().enumerate().filter(|_| !round.is_empty()) {
		let client = Client {
			number,
			app: net.nodes[B].app_rpc(Role::App)?,
			auditor: net.nodes[B].app_rpc(Role::Auditor)?,
			patient: patient_b.clone(),
			round: round.clone(),
			access: AccessShared {
				share_token: share.token.as_str().to_owned(),
				record_id: share.record,
				purpose: "TREAT".into(),
			},
		};
		tasks.push(tokio::spawn(async move { client.run(deadline).await }));
	}
	let started = Instant::now();
	while Instant::now() < deadline {
		tokio::time::sleep(MEMORY_EVERY.min(deadline.saturating_duration_since(Instant::now())))
			.await;
		let mut line =
			format!("{:>4} s: resident MiB, anonymous + file-backed:", started.elapsed().as_secs());
		for (index, name) in ALL.iter().zip(["A", "B", "C", "D"]) {
			let node = &net.nodes[*index];
			let (anonymous, file) = (node.memory("RssAnon")? >> 20, node.memory("RssFile")? >> 20);
			line.push_str(&format!(" {name} {anonymous} + {file}"));
		}
		println!("{line} (only B serves the clients)");
	}
	let mut outcomes = Vec::new();
	for task in tasks {
		outcomes.extend(task.await.map_err(|error| error.to_string())?);
	}
	report(&outcomes, rss_at_start, rss(&net.nodes[B])?, net.nodes[B].peak_rss()?);
	Ok(())
}

struct Options {
	clients: usize,
	seconds: u64,
	methods: Vec<&'static str>,
}

impl Options {
	fn parse(args: &[String]) -> Result<Self> {
		let mut options = Self { clients: 32, seconds: 300, methods: METHODS.to_vec() };
		let mut args = args.iter();
		while let Some(flag) = args.next() {
			let value = args.next().ok_or(format!("{flag} needs a value; usage: {USAGE}"))?;
			let number = || value.parse::<u64>().map_err(|e| format!("{flag} {value}: {e}"));
			match flag.as_str() {
				"--clients" => {
					options.clients = usize::try_from(number()?).map_err(|e| e.to_string())?
				}
				"--seconds" => options.seconds = number()?,
				"--methods" => {
					options.methods = value
						.split(',')
						.map(|name| {
							METHODS.into_iter().find(|method| *method == name).ok_or(format!(
								"unknown method {name:?}: one of {}",
								METHODS.join(", ")
							))
						})
						.collect::<Result<_>>()?
				}
				_ => return Err(format!("unknown option {flag}; usage: {USAGE}")),
			}
		}
		if options.clients < 2 {
			return Err(format!("--clients must be 2 or more (one shares); usage: {USAGE}"));
		}
		Ok(options)
	}
}

/// The node's resident memory now (`VmRSS`), in bytes.
fn rss(node: &Node) -> Result<u64> {
	node.memory("VmRSS")
}

/// Submits `count` DIAGNOSIS records of `patient` named `prefix-n`.
async fn submit_calls(
	app: &HttpClient,
	patient: &sr25519::Pair,
	prefix: &str,
	count: usize,
) -> std::result::Result<Vec<RecordId>, ClientError> {
	let records = (0..count)
		.map(|n| SubmitRecord {
			client_request_id: format!("{prefix}-{n}"),
			patient: AccountId(patient.public().0),
			record_type: "DIAGNOSIS".into(),
			fields: json!({ "diagnosis": prefix, "doctor": "Dr B", "date": "2026-12-07" })
				.as_object()
				.cloned()
				.unwrap_or_default(),
			valid_until: None,
		})
		.collect();
	let submitted = app.submit_records(records).await?;
	Ok(submitted.into_iter().map(|record| record.record_id).collect())
}

async fn submit(
	app: &HttpClient,
	patient: &sr25519::Pair,
	prefix: &str,
	count: usize,
) -> Result<Vec<RecordId>> {
	submit_calls(app, patient, prefix, count).await.map_err(|error| error.to_string())
}

/// The error of a failed call.
fn error<T>(result: std::result::Result<T, ClientError>) -> Option<(i32, String)> {
	result.err().map(failure)
}

/// A call's error: its code (0: no JSON-RPC answer, e.g. a timeout) and message.
fn failure(error: ClientError) -> (i32, String) {
	match error {
		ClientError::Call(error) => (error.code(), error.message().to_owned()),
		other => (0, other.to_string()),
	}
}

/// A clinician's app at Hospital B going round the methods.
struct Client {
	number: usize,
	app: HttpClient,
	auditor: HttpClient,
	patient: sr25519::Pair,
	/// The methods it goes round.
	round: Vec<&'static str>,
	access: AccessShared,
}

impl Client {
	async fn run(self, deadline: Instant) -> Vec<Outcome> {
		let mut outcomes = Vec::new();
		let mut stored: Vec<RecordId> = Vec::new();
		let mut turn = 0usize;
		while Instant::now() < deadline {
			let method = self.round[turn % self.round.len()];
			turn += 1;
			let started = Instant::now();
			let (name, failed) = match method {
				"submit" => {
					let prefix = format!("soak-{}-{turn}", self.number);
					let submitted = submit_calls(&self.app, &self.patient, &prefix, 5).await;
					if let Ok(ids) = &submitted {
						stored.extend(ids);
					}
					("submitRecords", error(submitted))
				}
				"status" => {
					let Some(id) = stored.get(turn % stored.len().max(1)) else { continue };
					("recordStatus", error(self.app.record_status(*id).await))
				}
				"access" => {
					("accessShared", error(self.app.access_shared(self.access.clone()).await))
				}
				_ => {
					let query = AccessLogQuery {
						hospital: Some(HOSPITAL_B),
						limit: Some(50),
						..Default::default()
					};
					("accessLog", error(self.auditor.access_log(query).await))
				}
			};
			outcomes.push((name, started.elapsed().as_secs_f64(), failed));
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
	/// The chain's slot duration, which turns the share's hours into blocks.
	slot_millis: u64,
}

impl Sharer {
	async fn run(self, deadline: Instant) -> Vec<Outcome> {
		let genesis = match self.chain.genesis_hash().await {
			Ok(hash) => hash.0,
			Err(message) => return vec![("createShare", 0.0, Some((0, message)))],
		};
		let mut outcomes = Vec::new();
		while Instant::now() < deadline {
			let started = Instant::now();
			let failed = self.share(&genesis).await.err();
			outcomes.push(("createShare", started.elapsed().as_secs_f64(), failed));
		}
		outcomes
	}

	/// One share: `prepareShare`, the consent recomputed and signed here, `createShare`.
	async fn share(&self, genesis: &[u8; 32]) -> std::result::Result<(), (i32, String)> {
		let token = ShareToken::generate();
		let terms = ShareTerms {
			patient: AccountId(self.patient.public().0),
			record_ids: vec![self.record],
			fields: None,
			grantee_hospital: Some(HOSPITAL_A),
			expires_in_hours: 24,
			max_uses: None,
			purpose: "TREAT".into(),
			token_public: format!("0x{}", hex::encode(token.public_key())),
		};
		let consent = self.app.prepare_share(terms.clone()).await.map_err(failure)?;
		let signature = self
			.sign(genesis, &terms, consent.nonce, consent.deadline)
			.map_err(|message| (0, message))?;
		let share = CreateShare {
			terms,
			nonce: consent.nonce,
			deadline: consent.deadline,
			patient_signature: signature,
		};
		error(self.app.create_share(share).await).map_or(Ok(()), Err)
	}

	fn sign(
		&self,
		genesis: &[u8; 32],
		terms: &ShareTerms,
		nonce: u64,
		deadline: u32,
	) -> Result<String> {
		let records = consent::record_ids(terms).map_err(|error| error.message)?;
		let (patient, chain_terms) =
			consent::chain_terms(terms, records, &[RecordType::Diagnosis], self.slot_millis)
				.map_err(|error| error.message)?;
		let message = consent::consent_message(genesis, &patient, &chain_terms, nonce, deadline);
		Ok(format!("0x{}", hex::encode(self.patient.sign(&message).0)))
	}
}

fn percentile(sorted: &[f64], fraction: f64) -> f64 {
	let rank = ((sorted.len() as f64 * fraction).ceil() as usize).clamp(1, sorted.len().max(1));
	sorted.get(rank - 1).copied().unwrap_or(0.0)
}

/// Per error code: how many, and the first one's message.
type ErrorsByCode<'a> = BTreeMap<i32, (usize, &'a str)>;

fn report(outcomes: &[Outcome], rss_at_start: u64, rss_at_end: u64, peak: u64) {
	let mut by_method: BTreeMap<&str, (Vec<f64>, ErrorsByCode)> = BTreeMap::new();
	for (method, seconds, failed) in outcomes {
		let entry = by_method.entry(method).or_default();
		entry.0.push(*seconds);
		if let Some((code, message)) = failed {
			entry.1.entry(*code).or_insert((0, message)).0 += 1;
		}
	}
	println!("\n| method | calls | p50 | p99 | errors by code |");
	println!("|---|---|---|---|---|");
	let mut examples = Vec::new();
	for (method, (mut seconds, errors)) in by_method {
		seconds.sort_by(f64::total_cmp);
		let counts = if errors.is_empty() {
			"none".to_owned()
		} else {
			errors
				.iter()
				.map(|(code, (count, _))| format!("{code}: {count}"))
				.collect::<Vec<_>>()
				.join(", ")
		};
		println!(
			"| {method} | {} | {:.3} s | {:.3} s | {counts} |",
			seconds.len(),
			percentile(&seconds, 0.5),
			percentile(&seconds, 0.99)
		);
		examples.extend(errors.into_iter().map(|(code, (_, message))| (method, code, message)));
	}
	for (method, code, message) in examples {
		println!("{method} {code}: {message}");
	}
	let mib = |bytes: u64| bytes >> 20;
	println!(
		"\nHospital B's node: resident {} MiB at the start, {} MiB at the end (peak {} MiB)",
		mib(rss_at_start),
		mib(rss_at_end),
		mib(peak)
	);
	println!("error codes: docs/rpc.md, \"Errors\"; 0 is a call that got no JSON-RPC answer");
}
