//! The submitting hospitals' apps: `submitRecords` calls on a fixed schedule, open loop (a slow
//! answer does not delay the next call), at most [`MAX_CALLS_IN_FLIGHT`] at once.

use std::time::{Duration, Instant};

use futures::{stream::FuturesUnordered, StreamExt};
use jsonrpsee::http_client::HttpClient;
use medchain_app_api::{
	auth::Role, limits::MAX_BULK_RECORDS, types::SubmitRecord, MedchainApiClient,
};
use medchain_tests::{custodian::pseudonym_of, network::LocalNetwork, Result};
use serde_json::json;
use sp_keyring::Sr25519Keyring;
use tokio::task::JoinHandle;

/// Calls one hospital's app keeps in flight at most: the node allows 32 per token.
const MAX_CALLS_IN_FLIGHT: usize = 24;
/// HTTP clients per hospital's app, each with its own pool of connections.
const CLIENTS_PER_HOSPITAL: usize = 4;
/// Each hospital's patient, by node index (registered by that hospital). Charlie and Dave are
/// hospital accounts, so they can't be patients.
pub const PATIENTS: [Sr25519Keyring; 4] =
	[Sr25519Keyring::Ferdie, Sr25519Keyring::Eve, Sr25519Keyring::One, Sr25519Keyring::Two];

/// When an app submits: from `start` until `stop`, at `records_per_second`.
#[derive(Clone, Copy)]
pub struct Schedule {
	pub start: Instant,
	pub stop: Instant,
	pub records_per_second: u32,
}

impl Schedule {
	/// At least two calls a second, at most [`MAX_BULK_RECORDS`] records each.
	pub fn records_per_call(&self) -> usize {
		usize::try_from(self.records_per_second / 2)
			.unwrap_or(MAX_BULK_RECORDS)
			.clamp(1, MAX_BULK_RECORDS)
	}

	/// The time between two calls of one app.
	pub fn interval(&self) -> Duration {
		Duration::from_secs_f64(self.records_per_call() as f64 / f64::from(self.records_per_second))
	}
}

/// One `submitRecords` call.
pub struct Call {
	/// The submitting hospital's node index.
	pub hospital: usize,
	/// When the schedule wanted it sent.
	pub due: Instant,
	/// When it was sent.
	pub submitted: Instant,
	/// When its answer came.
	pub answered: Instant,
	/// Records it carried.
	pub records: usize,
	/// The record ids the node answered, or why it refused the call.
	pub outcome: std::result::Result<Vec<[u8; 32]>, Refusal>,
}

/// Why the node refused a call.
pub struct Refusal {
	/// `Busy`: the node's outbox held its limit (backpressure, not a failure), or its budget
	/// of requests in flight was spent.
	pub busy: bool,
	/// The error, as the client saw it.
	pub message: String,
}

impl Refusal {
	fn of(error: jsonrpsee::core::ClientError) -> Self {
		let busy = matches!(
			&error,
			jsonrpsee::core::ClientError::Call(call)
				if call.code() == medchain_app_api::ErrorCode::Busy.code()
		);
		Refusal { busy, message: error.to_string() }
	}
}

/// Records in calls the node accepted.
pub fn stored_records(calls: &[Call]) -> usize {
	calls.iter().filter_map(|call| call.outcome.as_ref().ok()).map(Vec::len).sum()
}

/// Starts hospital `hospital`'s app; it ends once the schedule is over and every call answered.
pub fn start(
	net: &LocalNetwork,
	hospital: usize,
	schedule: Schedule,
) -> Result<JoinHandle<Result<Vec<Call>>>> {
	let clients = (0..CLIENTS_PER_HOSPITAL)
		.map(|_| net.nodes[hospital].app_rpc(Role::App))
		.collect::<Result<Vec<_>>>()?;
	Ok(tokio::spawn(submit_on_schedule(hospital, clients, schedule)))
}

/// Every app's calls, once all have ended.
pub async fn join(apps: Vec<JoinHandle<Result<Vec<Call>>>>) -> Result<Vec<Call>> {
	let mut calls = Vec::new();
	for app in apps {
		calls.extend(app.await.map_err(|e| format!("a submitting app panicked: {e}"))??);
	}
	Ok(calls)
}

type InFlight = FuturesUnordered<JoinHandle<Call>>;

async fn submit_on_schedule(
	hospital: usize,
	clients: Vec<HttpClient>,
	schedule: Schedule,
) -> Result<Vec<Call>> {
	let mut in_flight = InFlight::new();
	let mut calls = Vec::new();
	for (index, client) in (0..).zip(clients.iter().cycle()) {
		let due = schedule.start + schedule.interval().mul_f64(index as f64);
		if due >= schedule.stop {
			break;
		}
		collect_until(&mut in_flight, &mut calls, due).await?;
		while in_flight.len() >= MAX_CALLS_IN_FLIGHT {
			collect_next(&mut in_flight, &mut calls).await?;
		}
		let batch = records(hospital, index, schedule.records_per_call());
		in_flight.push(tokio::spawn(submit(hospital, client.clone(), due, batch)));
	}
	while !in_flight.is_empty() {
		collect_next(&mut in_flight, &mut calls).await?;
	}
	Ok(calls)
}

/// Collects answers until `due`.
async fn collect_until(
	in_flight: &mut InFlight,
	calls: &mut Vec<Call>,
	due: Instant,
) -> Result<()> {
	let due = tokio::time::Instant::from_std(due);
	loop {
		match tokio::time::timeout_at(due, in_flight.next()).await {
			Ok(Some(answered)) => calls.push(answered.map_err(|e| e.to_string())?),
			Ok(None) => {
				tokio::time::sleep_until(due).await;
				return Ok(());
			}
			Err(_) => return Ok(()),
		}
	}
}

async fn collect_next(in_flight: &mut InFlight, calls: &mut Vec<Call>) -> Result<()> {
	if let Some(answered) = in_flight.next().await {
		calls.push(answered.map_err(|e| e.to_string())?);
	}
	Ok(())
}

async fn submit(
	hospital: usize,
	client: HttpClient,
	due: Instant,
	batch: Vec<SubmitRecord>,
) -> Call {
	let count = batch.len();
	let submitted = Instant::now();
	let outcome = client
		.submit_records(batch)
		.await
		.map(|answers| answers.into_iter().map(|answer| answer.record_id.0).collect())
		.map_err(Refusal::of);
	Call { hospital, due, submitted, answered: Instant::now(), records: count, outcome }
}

/// Call `call`'s records: lab results of the hospital's patient.
fn records(hospital: usize, call: usize, count: usize) -> Vec<SubmitRecord> {
	let patient = pseudonym_of(PATIENTS[hospital]);
	(0..count)
		.map(|item| SubmitRecord {
			client_request_id: format!("bench-{hospital}-{call}-{item}"),
			patient,
			record_type: "LAB_RESULT".into(),
			fields: json!({
				"test_name": "HbA1c", "loinc_code": "4548-4",
				"result_value": format!("{}.{}", 5 + item % 4, call % 10),
				"unit": "%", "date": "2026-11-30",
			})
			.as_object()
			.cloned()
			.unwrap_or_default(),
			valid_until: None,
		})
		.collect()
}
