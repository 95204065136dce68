//! share-latency: how long `medchain_accessShared` takes on the four-hospital network, from the
//! call to verified fields, next to the block time and the finality lag measured in the same
//! run. `scripts/measure.sh share-latency` runs it. Figures only; never a test.
//!
//! `share-latency [ACCESSES]` (default 100): Hospital A keeps one record of patient Ferdie,
//! shared with Hospital B without a use limit; B's app reads it ACCESSES times, one after the
//! other.

use std::time::{Duration, Instant};

use medchain_app_api::{
	auth::Role,
	types::{AnchorStatus, SubmitRecord},
	AccessShared, MedchainApiClient,
};
use medchain_primitives::shares::{FieldSelection, GrantTerms, PurposeOfUse};
use medchain_runtime::RuntimeCall;
use medchain_tests::{
	client::{rpc::wait_until, tx},
	custodian::{pseudonym_of, register_patient},
	network::LocalNetwork,
	Result,
};
use medchain_token::ShareToken;
use serde_json::json;
use sp_keyring::Sr25519Keyring;
use sp_runtime::BoundedVec;

const PATIENT: Sr25519Keyring = Sr25519Keyring::Ferdie;

/// Runs it; `args`: `[ACCESSES]`.
pub async fn run(args: &[String]) -> Result<()> {
	let accesses: usize =
		args.first().map_or(Ok(100), |n| n.parse()).map_err(|e| format!("{e}"))?;
	let net = LocalNetwork::start_custodians()?;
	net.wait_finalized(&[0, 1, 2, 3], 1, Duration::from_secs(180)).await?;
	let chain = net.nodes[0].chain()?;
	register_patient(&chain, Sr25519Keyring::AliceStash, PATIENT).await?;

	let record = SubmitRecord {
		client_request_id: "latency-1".into(),
		patient: pseudonym_of(PATIENT),
		record_type: "DIAGNOSIS".into(),
		fields: json!({ "diagnosis": "influenza A", "doctor": "Dr A", "date": "2026-11-30" })
			.as_object()
			.cloned()
			.unwrap_or_default(),
	};
	let app_a = net.nodes[0].app_rpc(Role::App)?;
	let record_id = app_a.submit_record(record).await.map_err(|e| e.to_string())?.record_id;
	wait_until("the anchor to be final", Duration::from_secs(120), || async {
		let status = app_a.record_status(record_id).await.map_err(|e| e.to_string())?;
		Ok((status.status == AnchorStatus::Finalized).then_some(()))
	})
	.await?;

	let token = ShareToken::generate();
	let terms = GrantTerms {
		records: BoundedVec::truncate_from(vec![record_id.0]),
		fields: FieldSelection::AllButNotes,
		grantee: Some(1),
		duration: 10_000,
		max_uses: None,
		purpose: PurposeOfUse::Treatment,
		token_key: token.public_key(),
	};
	let call = RuntimeCall::Shares(pallet_shares::Call::create_grant { terms });
	tx::submit_and_finalize(&chain, &PATIENT.pair(), call).await?.succeeded()?;

	let app_b = net.nodes[1].app_rpc(Role::App)?;
	let chain_b = net.nodes[1].chain()?;
	let request =
		AccessShared { share_token: token.as_str().to_owned(), record_id, purpose: "TREAT".into() };
	let mut latencies = Vec::with_capacity(accesses);
	let mut lags = Vec::with_capacity(accesses);
	let started = Instant::now();
	let first_best = chain_b.best_number().await?;
	for _ in 0..accesses {
		let best = chain_b.best_number().await?;
		let finalized = chain_b.finalized_number().await?;
		lags.push(f64::from(best.saturating_sub(finalized)));
		let call = Instant::now();
		app_b.access_shared(request.clone()).await.map_err(|e| e.to_string())?;
		latencies.push(call.elapsed().as_secs_f64());
	}
	let blocks = chain_b.best_number().await?.saturating_sub(first_best);
	let block_time = started.elapsed().as_secs_f64() / f64::from(blocks.max(1));
	latencies.sort_by(f64::total_cmp);
	let mean_lag = lags.iter().sum::<f64>() / lags.len().max(1) as f64;
	println!(
		"{accesses} accesses of a shared DIAGNOSIS record, Hospital B reading from Hospital A"
	);
	println!(
		"access latency (call → verified fields): p50 {:.2} s, p99 {:.2} s, min {:.2} s, max {:.2} s",
		percentile(&latencies, 50.0),
		percentile(&latencies, 99.0),
		latencies.first().copied().unwrap_or_default(),
		latencies.last().copied().unwrap_or_default(),
	);
	println!(
		"block time: {block_time:.2} s ({blocks} blocks in {:.0} s)",
		started.elapsed().as_secs_f64()
	);
	println!(
		"finality lag: {mean_lag:.2} blocks on average (best − finalized, sampled before each access), {:.2} s",
		mean_lag * block_time
	);
	Ok(())
}

/// The `p`th percentile of `sorted` (nearest rank).
fn percentile(sorted: &[f64], p: f64) -> f64 {
	let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
	sorted.get(rank.saturating_sub(1)).copied().unwrap_or_default()
}
