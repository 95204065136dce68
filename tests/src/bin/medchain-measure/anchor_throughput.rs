//! anchor-throughput: records per second from `medchain_submitRecords` to finalized anchors on
//! the four-hospital network. `scripts/measure.sh anchor-throughput` runs it beside the capacity
//! the weights allow (`capacity`). Figures only; never a test.
//!
//! `anchor-throughput [RECORDS]` (default 10,000): Hospital A's node takes the records in
//! `submitRecords` calls of 500, four calls in flight, and the clock runs until every record's
//! status is `finalized`.

use std::time::{Duration, Instant};

use futures::StreamExt;
use medchain_app_api::{
	auth::Role,
	types::{AnchorStatus, SubmitRecord},
	MedchainApiClient,
};
use medchain_tests::{
	custodian::{anchor_batches, pseudonym_of, register_patient},
	network::LocalNetwork,
	Result,
};
use serde_json::json;
use sp_keyring::Sr25519Keyring;

const PATIENT: Sr25519Keyring = Sr25519Keyring::Ferdie;
const PER_CALL: usize = 500;

fn record(index: usize) -> SubmitRecord {
	SubmitRecord {
		client_request_id: format!("throughput-{index}"),
		patient: pseudonym_of(PATIENT),
		record_type: "LAB_RESULT".into(),
		fields: json!({
			"test_name": "HbA1c", "loinc_code": "4548-4", "result_value": format!("{}", 5 + index % 4),
			"unit": "%", "date": "2026-11-30",
		})
		.as_object()
		.cloned()
		.unwrap_or_default(),
	}
}

/// Runs it; `args`: `[RECORDS]`.
pub async fn run(args: &[String]) -> Result<()> {
	let records: usize =
		args.first().map_or(Ok(10_000), |n| n.parse()).map_err(|e| format!("{e}"))?;
	let net = LocalNetwork::start_custodians()?;
	net.wait_finalized(&[0, 1, 2, 3], 1, Duration::from_secs(180)).await?;
	let a = &net.nodes[0];
	let chain = a.chain()?;
	register_patient(&chain, Sr25519Keyring::AliceStash, PATIENT).await?;
	let first_block = chain.finalized_number().await?;

	let app = a.app_rpc(Role::App)?;
	let started = Instant::now();
	let calls = (0..records).collect::<Vec<_>>();
	let calls = calls.chunks(PER_CALL).map(|chunk| {
		let app = &app;
		let batch: Vec<SubmitRecord> = chunk.iter().map(|&i| record(i)).collect();
		async move { app.submit_records(batch).await }
	});
	let results: Vec<_> = futures::stream::iter(calls).buffered(4).collect().await;
	let mut ids = Vec::new();
	for result in results {
		ids.extend(result.map_err(|e| e.to_string())?.into_iter().map(|r| r.record_id));
	}
	let stored = started.elapsed();

	// The outbox anchors in submission order, so the records are checked in that order: each
	// check either moves on or waits half a second.
	let auditor = a.app_rpc(Role::Auditor)?;
	let deadline = Instant::now() + Duration::from_secs(1_800);
	let mut next = 0;
	while let Some(id) = ids.get(next) {
		let status = auditor.record_status(*id).await.map_err(|e| e.to_string())?;
		match status.status {
			AnchorStatus::Finalized => next += 1,
			AnchorStatus::Failed => return Err(format!("anchor failed: {status:?}")),
			_ if Instant::now() > deadline => {
				return Err(format!("{next} of {records} finalized in time"))
			}
			_ => tokio::time::sleep(Duration::from_millis(500)).await,
		}
	}
	let finalized = started.elapsed();

	let last_block = chain.finalized_number().await?;
	let (batches, _) = anchor_batches(&chain, first_block, last_block).await?;
	let per_second = |elapsed: Duration| records as f64 / elapsed.as_secs_f64();
	println!("records                         {records}");
	println!(
		"stored over RPC                 {:.1} s  ({:.0} records/s)",
		stored.as_secs_f64(),
		per_second(stored)
	);
	println!(
		"all finalized                   {:.1} s  ({:.0} records/s end to end)",
		finalized.as_secs_f64(),
		per_second(finalized)
	);
	println!("anchor_batch transactions       {batches}");
	println!(
		"finalized blocks spanned        {} (#{first_block}..#{last_block}, 3 s slots)",
		last_block - first_block
	);
	Ok(())
}
