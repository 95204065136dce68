//! A runtime upgrade under load (issue 27): while apps write records to all four hospitals and
//! Hospital B keeps opening a record A shares, the admins vote an upgrade to the same runtime
//! one spec version later (`medchain-runtime-upgrade-drill`) and Hospital A's admin submits the
//! code. Every node runs the new version without a restart, no record submission and no access
//! fails, every acknowledged record is anchored exactly once, and the four nodes agree on every
//! finalized block. Transactions the pool found invalid (signed for the old version, or queued
//! behind one that was) are signed again (`custodian/src/signer.rs`, the outbox); the drill
//! prints how many, since which ones the upgrade catches is chance.

use std::time::Duration;

use medchain_app_api::auth::Role;
use medchain_runtime::{RuntimeCall, RuntimeEvent, VERSION};
use medchain_tests::{
	client::{governance, rpc::wait_until, tx},
	load::{check_anchored_once, register_patients, share_a_record_with_b, Readers, Writers},
	network::{LocalNetwork, A, ALL, B, FIRST_FINALITY},
	step, Result,
};
use pallet_hospitals::Proposal;
use sp_keyring::Sr25519Keyring;
use sp_runtime::traits::{BlakeTwo256, Hash};

const STEP_TIMEOUT: Duration = Duration::from_secs(120);
const ANCHOR_TIMEOUT: Duration = Duration::from_secs(300);
/// Hospital B's concurrent readers of A's shared record, each with its own grant.
const READERS: usize = 2;
/// What each hospital must acknowledge, and B must open, after the upgrade.
const RECORDS_AFTER: usize = 20;
const ACCESSES_AFTER: usize = 5;
/// The log line of an app's transaction signed again after the pool found it invalid (the
/// signer), and of an anchor batch that left the pool and goes out again (the outbox).
const SIGNED_AGAIN: &str = "signing it again for runtime";
const BATCH_AGAIN: &str = "go out again";

/// The spec version of `index`'s best block and its finalized number.
async fn version_and_finalized(net: &LocalNetwork, index: usize) -> Result<(u32, u32)> {
	let chain = net.nodes[index].chain()?;
	Ok((chain.runtime_version().await?.spec_version, chain.finalized_number().await?))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_runtime_upgrade_under_load_loses_nothing() -> Result<()> {
	let code = medchain_runtime_upgrade_drill::WASM_BINARY.ok_or("the drill runtime's wasm")?;
	let new_version = VERSION.spec_version + 1;
	let net = LocalNetwork::start_custodians()?;
	net.wait_finalized(&ALL, 1, FIRST_FINALITY).await?;
	let chain = net.nodes[A].chain()?;
	register_patients(&chain).await?;

	step("A shares a record with B");
	let (record_id, tokens) = share_a_record_with_b(&net, READERS, STEP_TIMEOUT).await?;
	let app_b = net.nodes[B].app_rpc(Role::App)?;

	step("load: records at all four, B opening A's record");
	let first_block = chain.finalized_number().await?;
	let log_starts: Vec<u64> = net.nodes.iter().map(|node| node.log_len()).collect();
	let writers = Writers::start(&net)?;
	let readers = Readers::start(&app_b, &tokens, record_id);
	wait_until("B's first accesses", STEP_TIMEOUT, || async {
		Ok((readers.opened() >= ACCESSES_AFTER).then_some(()))
	})
	.await?;

	step("governance authorizes the upgrade, and A's admin submits the code");
	let code_hash = <BlakeTwo256 as Hash>::hash(code);
	let propose = pallet_hospitals::Call::propose {
		proposal: Proposal::UpgradeRuntime { code_hash, check_version: true },
	};
	let voters = [Sr25519Keyring::Bob.pair(), Sr25519Keyring::Charlie.pair()];
	let passed = governance::pass(
		&chain,
		&Sr25519Keyring::Alice.pair(),
		&voters,
		propose,
		tx::Head::Finalized,
	)
	.await?;
	let authorized = passed.events.iter().any(|event| {
		matches!(
			event,
			RuntimeEvent::Hospitals(pallet_hospitals::Event::RuntimeUpgradeAuthorized { .. })
		)
	});
	assert!(authorized, "no RuntimeUpgradeAuthorized event: {:?}", passed.events);
	let apply =
		RuntimeCall::System(frame_system::Call::apply_authorized_upgrade { code: code.to_vec() });
	let applied = tx::submit_and_finalize(&chain, &Sr25519Keyring::Alice.pair(), apply).await?;
	let upgrade_block = chain.header(Some(applied.block)).await?.number;
	let events = applied.succeeded()?;
	let updated = events.iter().any(|event| {
		matches!(event, RuntimeEvent::System(frame_system::Event::CodeUpdated { .. }))
	});
	assert!(updated, "no CodeUpdated event: {events:?}");
	let (records_at_upgrade, opened_at_upgrade) =
		(ALL.map(|hospital| writers.acknowledged_by(hospital)), readers.opened());
	println!("spec version {} → {new_version} in block #{upgrade_block}", VERSION.spec_version);

	step("every node runs the new version, and the load goes on");
	for index in ALL {
		wait_until(&format!("node {index} to finalize the upgrade"), STEP_TIMEOUT, || async {
			let (version, finalized) = version_and_finalized(&net, index).await?;
			Ok((version == new_version && finalized >= upgrade_block).then_some(()))
		})
		.await
		.map_err(|error| net.with_log_tails(error))?;
	}
	wait_until("records and accesses after the upgrade", STEP_TIMEOUT, || async {
		let records = ALL.iter().all(|&hospital| {
			writers.acknowledged_by(hospital) >= records_at_upgrade[hospital] + RECORDS_AFTER
		});
		Ok((records && readers.opened() >= opened_at_upgrade + ACCESSES_AFTER).then_some(()))
	})
	.await
	.map_err(|error| net.with_log_tails(error))?;
	let reads = readers.stop().await?;
	let refused_records = writers.failures();
	let acked = writers.stop().await?;

	step("nothing lost: every call answered, every access opened, every record anchored once");
	assert!(refused_records.is_empty(), "refused record submissions: {refused_records:?}");
	assert!(reads.failures.is_empty(), "failed accesses: {:?}", reads.failures);
	check_anchored_once(&net, &acked, first_block, ANCHOR_TIMEOUT).await?;
	let agreed = net.one_finalized_chain().await?;
	let logged = |line: &str| -> usize {
		ALL.iter()
			.map(|&index| net.nodes[index].log_since(log_starts[index]).matches(line).count())
			.sum()
	};
	println!(
		"{} accesses opened, {} records anchored once each, blocks 1..=#{agreed} agree on all \
		 four nodes; {} app transactions signed again, {} anchor batches \
		 sent again",
		reads.opened.len(),
		acked.len(),
		logged(SIGNED_AGAIN),
		logged(BATCH_AGAIN)
	);
	Ok(())
}
