//! The requesters: each a clinician's app at Hospital B, C or D making its accesses back to back,
//! and a level of them run together, with its latencies and errors.

use std::time::{Duration, Instant};

use jsonrpsee::http_client::HttpClient;
use medchain_app_api::{AccessShared, MedchainApiClient};
use medchain_tests::Result;

/// A clinician's app at Hospital B, C or D, with the token of its own grant.
pub struct Requester {
	pub number: usize,
	pub hospital: &'static str,
	pub app: HttpClient,
	pub request: AccessShared,
}

impl Requester {
	/// Waits `offset`, then makes `accesses` accesses back to back, pausing `pause` after an
	/// error. Each access: its seconds, and why it failed if it did.
	async fn access_back_to_back(
		&self,
		accesses: usize,
		offset: Duration,
		pause: Duration,
	) -> Vec<(f64, Result<()>)> {
		tokio::time::sleep(offset).await;
		let mut outcomes = Vec::with_capacity(accesses);
		for _ in 0..accesses {
			let started = Instant::now();
			let answer = self.app.access_shared(self.request.clone()).await;
			let seconds = started.elapsed().as_secs_f64();
			let outcome = match answer {
				Ok(shared) if shared.record_id != self.request.record_id => {
					Err("the answer is another record's".to_owned())
				}
				Ok(shared) if shared.fields.is_empty() => {
					Err("the answer has no fields".to_owned())
				}
				Ok(_) => Ok(()),
				Err(error) => Err(error.to_string()),
			};
			let failed = outcome.is_err();
			outcomes.push((seconds, outcome));
			if failed {
				tokio::time::sleep(pause).await;
			}
		}
		outcomes
	}
}

/// One level's accesses.
pub struct Level {
	pub requesters: usize,
	/// Seconds from the call to verified fields of each access that succeeded, ascending.
	pub latencies: Vec<f64>,
	pub errors: Vec<AccessError>,
	/// From the level's start to its last access's answer.
	pub wall: Duration,
	/// When the level ran, on the chain follower's clock.
	pub from: Duration,
	pub to: Duration,
}

pub struct AccessError {
	pub requester: usize,
	pub hospital: &'static str,
	pub seconds: f64,
	pub message: String,
}

/// Runs `accesses` accesses, shared out among `requesters`, which start staggered over one
/// `slot` so that they are not in step.
pub async fn run_level(
	requesters: &[Requester],
	accesses: usize,
	slot: Duration,
	clock: Instant,
) -> Level {
	let count = requesters.len().max(1);
	let from = clock.elapsed();
	let started = Instant::now();
	let runs = requesters.iter().enumerate().map(|(index, requester)| {
		let share = accesses / count + usize::from(index < accesses % count);
		let offset = slot.mul_f64(index as f64 / count as f64);
		requester.access_back_to_back(share, offset, slot)
	});
	let outcomes = futures::future::join_all(runs).await;
	let wall = started.elapsed();
	let to = clock.elapsed();
	let mut latencies = Vec::new();
	let mut errors = Vec::new();
	for (requester, outcomes) in requesters.iter().zip(outcomes) {
		for (seconds, outcome) in outcomes {
			match outcome {
				Ok(()) => latencies.push(seconds),
				Err(message) => errors.push(AccessError {
					requester: requester.number,
					hospital: requester.hospital,
					seconds,
					message,
				}),
			}
		}
	}
	latencies.sort_by(f64::total_cmp);
	Level { requesters: requesters.len(), latencies, errors, wall, from, to }
}
