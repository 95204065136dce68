//! Four hospitals finalize the same chain; with one validator killed the other three keep
//! finalizing; restarted on its old base path, it catches up without losing a finalized block.

use std::time::Duration;

use medchain_tests::network::{ALL, FIRST_FINALITY};
use medchain_tests::{network::LocalNetwork, rpc::wait_until};

/// Node start-up includes compiling the runtime wasm, so the first finality wait is generous.
const PROGRESS: Duration = Duration::from_secs(90);
/// The bound for a restarted validator to reach the others' finalized head.
const CATCH_UP: Duration = Duration::from_secs(60);

const SURVIVORS: [usize; 3] = [0, 1, 2];
const HOSPITAL_D: usize = 3;

#[tokio::test(flavor = "multi_thread")]
async fn network_keeps_finalizing_through_a_validator_crash() -> medchain_tests::Result<()> {
	let mut net = LocalNetwork::start()?;

	// All four finalize at least three blocks, and agree on their hashes.
	net.wait_finalized(&ALL, 3, FIRST_FINALITY).await?;
	let reference = net.block_hashes(0, 3).await?;
	for index in 1..4 {
		assert_eq!(net.block_hashes(index, 3).await?, reference, "node {index} disagrees");
	}

	// Hospital D dies without a clean shutdown.
	let d_chain = net.nodes[HOSPITAL_D].chain()?;
	let (_, d_finalized_before_kill) = d_chain.finalized_head().await?;
	let d_hashes_before_kill = d_chain.block_hashes(d_finalized_before_kill).await?;
	net.nodes[HOSPITAL_D].kill()?;
	assert!(!d_chain.rpc.is_up().await, "Hospital D's RPC still answers after SIGKILL");

	let heights = net.wait_finalized(&SURVIVORS, 0, PROGRESS).await?;
	let survivors_at_kill = heights.into_iter().max().unwrap_or(0);
	let survivors_later = net.wait_finalized(&SURVIVORS, survivors_at_kill + 3, PROGRESS).await?;
	println!(
		"finalized at kill: {survivors_at_kill}; three validators reached {survivors_later:?}"
	);

	// Restarted on its old base path, D catches up to what the others had finalized.
	net.nodes[HOSPITAL_D].restart()?;
	let d_finalized_on_restart = wait_until("Hospital D's RPC after restart", PROGRESS, || {
		let d_chain = d_chain.clone();
		async move { Ok(d_chain.finalized_number().await.ok()) }
	})
	.await?;
	assert!(
		d_finalized_on_restart >= d_finalized_before_kill,
		"finality went back from #{d_finalized_before_kill} to #{d_finalized_on_restart}"
	);
	let target = net.nodes[0].chain()?.finalized_number().await?;
	let started = std::time::Instant::now();
	net.wait_finalized(&[HOSPITAL_D], target, CATCH_UP).await?;
	println!("Hospital D caught up to #{target} in {:?}", started.elapsed());

	// No finalized block was lost or replaced: D still has the exact blocks it had finalized,
	// and agrees with A on everything up to the catch-up target.
	let d_hashes_after = net.block_hashes(HOSPITAL_D, target).await?;
	assert_eq!(
		d_hashes_after[..d_hashes_before_kill.len()],
		d_hashes_before_kill[..],
		"a block Hospital D had finalized changed across the crash"
	);
	assert_eq!(d_hashes_after, net.block_hashes(0, target).await?);
	for node in &mut net.nodes {
		assert!(node.is_running(), "{} exited", node.spec.name);
	}
	Ok(())
}
