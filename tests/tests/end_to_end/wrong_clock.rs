//! A wrong clock (issue 27): Hospital D's node restarts with its clock 10 minutes ahead
//! (libfaketime). Its blocks claim slots 300 ahead of everyone else's, so A, B and C refuse
//! them and finalize on with three of four votes; D follows their finalized chain, and the
//! records its app stores meanwhile are anchored (in the others' blocks) exactly once.
//!
//! Needs libfaketime (`scripts/setup.sh` installs it): without it the drill fails, unless
//! `MEDCHAIN_ALLOW_SKIP` names `wrong-clock`.

use std::{collections::BTreeMap, path::PathBuf, time::Duration};

use medchain_app_api::{auth::Role, MedchainApiClient};
use medchain_tests::{
	anchors::wait_anchored_once,
	client::rpc::wait_until,
	custodian::{register_patient, vital_signs, wait_app_rpc},
	network::{LocalNetwork, A, ALL, D, FIRST_FINALITY, HOSPITAL_D},
	step, Result,
};
use sp_keyring::Sr25519Keyring;

const AHEAD: &str = "+10m";
const PATIENT: Sr25519Keyring = Sr25519Keyring::Two;
/// Blocks A must finalize with D's clock wrong.
const FINALIZED_MEANWHILE: u32 = 10;
/// Blocks A must finalize past its best block when D first authored.
const FINALIZED_AFTER_D_AUTHORED: u32 = 2;
const TIMEOUT: Duration = Duration::from_secs(180);

/// libfaketime's library for threaded programs, wherever Debian put it for this machine.
fn libfaketime() -> Option<PathBuf> {
	std::fs::read_dir("/usr/lib")
		.ok()?
		.filter_map(|entry| entry.ok())
		.map(|entry| entry.path().join("faketime/libfaketimeMT.so.1"))
		.find(|path| path.exists())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_validator_ten_minutes_ahead_is_outvoted_and_follows_finality() -> Result<()> {
	let Some(library) = libfaketime() else {
		return medchain_tests::skip(
			"wrong-clock",
			"libfaketime is not installed (scripts/setup.sh)",
		);
	};
	let mut net = LocalNetwork::start_custodians()?;
	net.wait_finalized(&ALL, 1, FIRST_FINALITY).await?;
	let chain_a = net.nodes[A].chain()?;
	register_patient(&chain_a, Sr25519Keyring::DaveStash, PATIENT).await?;

	step("D restarts 10 minutes ahead");
	net.nodes[D].kill()?;
	let preload = format!("LD_PRELOAD={}", library.display());
	net.nodes[D].spec.launcher =
		["env", &preload, &format!("FAKETIME={AHEAD}")].map(String::from).to_vec();
	let log_before = net.nodes[D].log_len();
	net.nodes[D].start()?;
	let from = chain_a.finalized_number().await?;
	wait_app_rpc(&net.nodes[D], TIMEOUT).await?;
	let ids: Vec<String> = (0..20).map(|n| format!("ahead-{n}")).collect();
	let submitted = net.nodes[D]
		.app_rpc(Role::App)?
		.submit_records(ids.iter().map(|id| vital_signs(PATIENT, id)).collect())
		.await
		.map_err(|e| e.to_string())?;
	let acked: BTreeMap<[u8; 32], [u8; 32]> =
		submitted.iter().map(|record| (record.record_id.0, record.field_root.0)).collect();
	// D skips its slots while it catches up after the restart, so wait for one it used.
	let d = &net.nodes[D];
	wait_until(
		"D to author a block with its clock ahead (was it wrong enough?)",
		TIMEOUT,
		|| async {
			Ok(d.log_since(log_before).contains("Prepared block for proposing").then_some(()))
		},
	)
	.await
	.map_err(|e| net.with_log_tails(e))?;
	let past_d_block = chain_a.best_number().await? + FINALIZED_AFTER_D_AUTHORED;
	net.wait_finalized(&[A], past_d_block.max(from + FINALIZED_MEANWHILE), TIMEOUT).await?;

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
