//! A wrong clock (issue 27): Hospital D's node restarts with its clock 10 minutes ahead
//! (libfaketime). Its blocks claim slots 300 ahead of everyone else's, so A, B and C refuse
//! them and finalize on with three of four votes; D follows their finalized chain, and the
//! records its app stores meanwhile are anchored (in the others' blocks) exactly once.
//!
//! Needs libfaketime (`scripts/setup.sh` installs it): without it the drill fails, unless
//! `MEDCHAIN_ALLOW_SKIP` names `wrong-clock`.

use std::{collections::BTreeMap, path::Path, time::Duration};

use medchain_app_api::{auth::Role, types::SubmitRecord, MedchainApiClient};
use medchain_tests::{
	client::rpc::wait_until,
	custodian::{pseudonym_of, register_patient, wait_anchored_once},
	network::{LocalNetwork, A, ALL, D, FIRST_FINALITY, HOSPITAL_D},
	step, Result,
};
use serde_json::json;
use sp_keyring::Sr25519Keyring;

const LIBFAKETIME: &str = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1";
const AHEAD: &str = "+10m";
const PATIENT: Sr25519Keyring = Sr25519Keyring::Two;
/// Blocks A must finalize with D's clock wrong.
const FINALIZED_MEANWHILE: u32 = 10;
const TIMEOUT: Duration = Duration::from_secs(180);

fn record(id: &str) -> SubmitRecord {
	SubmitRecord {
		client_request_id: id.into(),
		patient: pseudonym_of(PATIENT),
		record_type: "VITAL_SIGNS".into(),
		fields: json!({ "heart_rate": id, "recorded_by": "nurse", "date": "2026-12-07" })
			.as_object()
			.cloned()
			.unwrap_or_default(),
	}
}

#[tokio::test(flavor = "multi_thread")]
async fn a_validator_ten_minutes_ahead_is_outvoted_and_follows_finality() -> Result<()> {
	if !Path::new(LIBFAKETIME).exists() {
		return medchain_tests::skip("wrong-clock", &format!("{LIBFAKETIME} is missing"));
	}
	let mut net = LocalNetwork::start_custodians()?;
	net.wait_finalized(&ALL, 1, FIRST_FINALITY).await?;
	let chain_a = net.nodes[A].chain()?;
	register_patient(&chain_a, Sr25519Keyring::DaveStash, PATIENT).await?;

	step("D restarts 10 minutes ahead");
	net.nodes[D].kill()?;
	net.nodes[D].spec.launcher =
		["env", &format!("LD_PRELOAD={LIBFAKETIME}"), &format!("FAKETIME={AHEAD}")]
			.map(String::from)
			.to_vec();
	net.nodes[D].start()?;
	let from = chain_a.finalized_number().await?;
	let app_d = net.nodes[D].app_rpc(Role::App)?;
	let ids: Vec<String> = (0..20).map(|n| format!("ahead-{n}")).collect();
	let submitted = wait_until("D's medchain RPC", TIMEOUT, || async {
		Ok(app_d.submit_records(ids.iter().map(|id| record(id)).collect()).await.ok())
	})
	.await?;
	let acked: BTreeMap<[u8; 32], [u8; 32]> =
		submitted.iter().map(|record| (record.record_id.0, record.field_root.0)).collect();
	net.wait_finalized(&[A], from + FINALIZED_MEANWHILE, TIMEOUT).await?;
	let wrong = net.nodes[D].log_tail(2_000);
	assert!(
		wrong.lines().any(|line| line.contains("Prepared block for proposing")),
		"D authored nothing: its clock was not wrong enough to test anything"
	);

	step("no block of D's is finalized, and D follows the others' finalized chain");
	let (_, head) = chain_a.finalized_head().await?;
	let dave = Sr25519Keyring::Dave.public();
	for number in from + 1..=head {
		let hash = chain_a.block_hash(number).await?.ok_or("missing block")?;
		assert_ne!(chain_a.block_author(hash).await?, dave, "D's block #{number} was finalized");
	}
	let chain_d = net.nodes[D].chain()?;
	wait_until("D to finalize A's head", TIMEOUT, || async {
		Ok((chain_d.finalized_number().await? >= head).then_some(()))
	})
	.await
	.map_err(|e| net.with_log_tails(e))?;
	assert_eq!(chain_d.block_hashes(head).await?, chain_a.block_hashes(head).await?);

	step("the records D stored are anchored once, by D");
	let anchored = wait_anchored_once(&chain_a, from + 1, &acked, TIMEOUT)
		.await
		.map_err(|e| net.with_log_tails(e))?;
	assert!(acked.keys().all(|id| anchored[id].custodian == HOSPITAL_D));
	println!(
		"A finalized #{from}..=#{head} with D {AHEAD}, none of D's blocks among them; D's {} records anchored once",
		acked.len()
	);
	Ok(())
}
