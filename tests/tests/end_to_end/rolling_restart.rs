//! A rolling restart under load (issue 27): apps keep writing to all four hospitals while each
//! node in turn is stopped, restarted and waited for until it has caught up, then the next;
//! first with SIGTERM (a clean shutdown, as an upgrade does it), then with SIGKILL. Finality
//! goes on while each node is down, each node exits cleanly on SIGTERM and takes records again
//! after its restart, every acknowledged record is anchored exactly once with the root it was
//! acknowledged with (and its custodian says so), and the four nodes agree on every finalized
//! block.

use std::time::Duration;

use medchain_tests::{
	client::rpc::wait_until,
	load::{check_anchored_once, register_patients, Writers},
	network::{LocalNetwork, ALL, FIRST_FINALITY},
	Result,
};

/// Blocks the other nodes must finalize while one is down.
const FINALIZED_WHILE_DOWN: u32 = 3;
/// The longest a node may take to stop, to come back or to catch up, and for the network to
/// finalize without it.
const STEP_TIMEOUT: Duration = Duration::from_secs(120);
/// The longest the acknowledged records may take to be anchored after the writers stop.
const ANCHOR_TIMEOUT: Duration = Duration::from_secs(300);

#[derive(Clone, Copy, Debug)]
enum Stop {
	Terminate,
	Kill,
}

/// Stops node `index` as `how` says, checks that the others finalize while it is down, starts
/// it again and waits until it has finalized what they had.
async fn restart_one(net: &mut LocalNetwork, index: usize, how: Stop) -> Result<()> {
	let witness = net.nodes[(index + 1) % ALL.len()].chain()?;
	match how {
		Stop::Terminate => {
			net.nodes[index].terminate()?;
			let status = net.nodes[index].wait_exit(STEP_TIMEOUT).await?;
			assert!(status.success(), "node {index} did not shut down cleanly: {status}");
		}
		Stop::Kill => net.nodes[index].kill()?,
	}
	let before = witness.finalized_number().await?;
	wait_until(&format!("finality without node {index}"), STEP_TIMEOUT, || async {
		let now = witness.finalized_number().await?;
		Ok((now >= before + FINALIZED_WHILE_DOWN).then_some(()))
	})
	.await
	.map_err(|error| net.with_log_tails(error))?;

	net.nodes[index].start()?;
	let target = witness.finalized_number().await?;
	let restarted = net.nodes[index].chain()?;
	wait_until(&format!("node {index} to catch up to #{target}"), STEP_TIMEOUT, || async {
		Ok(Some(restarted.finalized_number().await?).filter(|&number| number >= target))
	})
	.await
	.map_err(|error| net.with_log_tails(error))?;
	println!("{how:?} node {index}: the others finalized on, and it caught up to #{target}");
	Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rolling_restart_under_load_loses_nothing_and_finality_goes_on() -> Result<()> {
	let mut net = LocalNetwork::start_custodians()?;
	net.wait_finalized(&ALL, 1, FIRST_FINALITY).await?;
	let chain = net.nodes[0].chain()?;
	register_patients(&chain).await?;
	let first_block = chain.finalized_number().await?;

	let writers = Writers::start(&net)?;
	let mut after_restart = [0; 4];
	for how in [Stop::Terminate, Stop::Kill] {
		for index in ALL {
			restart_one(&mut net, index, how).await?;
			after_restart[index] = writers.acknowledged_by(index);
		}
	}
	// Each hospital takes records again after its last restart.
	wait_until("every hospital to acknowledge records after its restart", STEP_TIMEOUT, || async {
		Ok(ALL
			.iter()
			.all(|&hospital| writers.acknowledged_by(hospital) > after_restart[hospital])
			.then_some(()))
	})
	.await?;
	let acked = writers.stop().await?;
	check_anchored_once(&net, &acked, first_block, ANCHOR_TIMEOUT).await?;
	let agreed = net.one_finalized_chain().await?;
	println!(
		"{} acknowledged records anchored once each, finalized at their custodians; blocks \
		 1..=#{agreed} agree on all four nodes",
		acked.len()
	);
	Ok(())
}
