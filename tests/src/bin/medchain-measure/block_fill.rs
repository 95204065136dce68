//! block-fill: checks the weights against reality on a `--dev` node.
//!
//! Starts a single-validator development chain, registers a patient, then floods the pool with
//! anchors (single `anchor` calls, then full `anchor_batch` calls) from Hospital A's operator.
//! For every block that carried them it prints what the runtime charged (normal-class weight
//! from `System::BlockWeight`) beside how long the node took to author it (the proposer's
//! `Prepared block for proposing at N (X ms)` log line) and why the proposer stopped. If a
//! block's authoring time exceeds its charged weight, the calls cost more than their weights
//! say. `scripts/measure.sh block-fill` runs it; figures go in the issue notes, never into tests.

use std::{collections::BTreeMap, time::Duration};

use frame_support::dispatch::PerDispatchClass;
use jsonrpsee::rpc_params;
use medchain_primitives::RecordType;
use medchain_runtime::{Runtime, RuntimeCall};
use medchain_tests::{
	client::{tx, Chain},
	node::{Node, NodeSpec},
	rpc::wait_until,
	Result,
};
use sp_core::H256;
use sp_keyring::Sr25519Keyring;
use sp_runtime::{BoundedVec, Weight};

const OPERATOR: Sr25519Keyring = Sr25519Keyring::AliceStash;
const PATIENT: Sr25519Keyring = Sr25519Keyring::Ferdie;
const SINGLE_ANCHORS: u32 = 600;
const BATCHES: u32 = 24;
const BATCH_SIZE: u32 = 256;
const DRAIN_TIMEOUT: Duration = Duration::from_secs(300);

fn anchor(seed: u32) -> pallet_records::AnchorRequest<sp_runtime::AccountId32> {
	let mut id = [0u8; 32];
	id[..4].copy_from_slice(&seed.to_le_bytes());
	id[4] = 0xaa;
	let mut root = id;
	root[4] = 0xbb;
	pallet_records::AnchorRequest {
		request_id: id,
		patient: PATIENT.to_account_id(),
		record_type: RecordType::LabResult,
		field_root: root,
		ciphertext_digest: root,
		prescription: None,
	}
}

fn single(seed: u32) -> RuntimeCall {
	let request = anchor(seed);
	RuntimeCall::Records(pallet_records::Call::anchor {
		request_id: request.request_id,
		patient: request.patient,
		record_type: request.record_type,
		field_root: request.field_root,
		ciphertext_digest: request.ciphertext_digest,
	})
}

fn batch(index: u32) -> RuntimeCall {
	let first = 1_000_000 + index * BATCH_SIZE;
	let items = (first..first + BATCH_SIZE).map(anchor).collect();
	RuntimeCall::Records(pallet_records::Call::anchor_batch {
		items: BoundedVec::truncate_from(items),
	})
}

/// Per block number: authoring milliseconds and the proposer's end reason, from the log.
fn authoring_times(log: &str) -> BTreeMap<u32, (u64, String)> {
	log.lines()
		.filter_map(|line| {
			let rest = line.split("Prepared block for proposing at ").nth(1)?;
			let (number, rest) = rest.split_once(" (")?;
			let (millis, rest) = rest.split_once(" ms)")?;
			let end = rest.split("end: ").nth(1)?.split(';').next()?.to_string();
			Some((number.parse().ok()?, (millis.parse().ok()?, end)))
		})
		.collect()
}

async fn consumed_normal_weight(chain: &Chain, at: H256) -> Result<Weight> {
	let key = frame_system::BlockWeight::<Runtime>::hashed_key();
	let consumed: PerDispatchClass<Weight> =
		chain.storage(&key, Some(at)).await?.unwrap_or_default();
	Ok(*consumed.get(frame_support::dispatch::DispatchClass::Normal))
}

/// Submits `calls` in order from the operator, then waits until the pool is empty; returns
/// the first block that can hold them.
async fn flood(chain: &Chain, calls: impl Iterator<Item = RuntimeCall>) -> Result<u32> {
	let first = chain.best_number().await? + 1;
	for call in calls {
		tx::submit(chain, &OPERATOR.pair(), call).await?;
	}
	wait_until("the pool to drain", DRAIN_TIMEOUT, || async {
		let pending: Vec<String> =
			chain.rpc.call("author_pendingExtrinsics", rpc_params![]).await?;
		Ok(pending.is_empty().then_some(()))
	})
	.await?;
	Ok(first)
}

async fn report(chain: &Chain, node: &Node, from: u32, label: &str) -> Result<()> {
	let best = chain.best_number().await?;
	let log = std::fs::read_to_string(&node.log_path).map_err(|e| e.to_string())?;
	let times = authoring_times(&log);
	println!("\n## {label}\n");
	println!("| block | extrinsics | charged normal weight | authoring time | charged / authoring | proposer stopped on |");
	println!("|---|---|---|---|---|---|");
	for number in from..=best {
		let Some(at) = chain.block_hash(number).await? else { continue };
		let extrinsics = chain.extrinsics(at).await?.len().saturating_sub(1);
		if extrinsics == 0 {
			continue;
		}
		let charged_ms = consumed_normal_weight(chain, at).await?.ref_time() as f64 / 1e9;
		let (authoring_ms, end) = times.get(&number).cloned().unwrap_or((0, "?".into()));
		println!(
			"| #{number} | {extrinsics} | {charged_ms:.1} ms | {authoring_ms} ms | {:.1}× | {end} |",
			charged_ms / (authoring_ms.max(1) as f64)
		);
	}
	Ok(())
}

/// Runs it.
pub async fn run() -> Result<()> {
	let data_dir =
		tempfile::Builder::new().prefix("medchain-fill-").tempdir().map_err(|e| e.to_string())?;
	let spec = NodeSpec {
		name: "dev".into(),
		chain: "dev".into(),
		validator_keyring: Some("alice".into()),
		node_key_hex: "01".repeat(32),
		bootnodes: Vec::new(),
		validator: true,
		side: None,
		launcher: Vec::new(),
		extra_args: Vec::new(),
	};
	let mut node = Node::new(spec, data_dir.path())?;
	node.start()?;
	let chain = node.chain()?;
	wait_until("the dev node to finalize block 1", Duration::from_secs(180), || async {
		Ok(chain.finalized_number().await.ok().filter(|n| *n >= 1))
	})
	.await?;
	let register = pallet_hospitals::Call::register_patient { patient: PATIENT.to_account_id() };
	tx::submit_and_finalize(&chain, &OPERATOR.pair(), RuntimeCall::Hospitals(register))
		.await?
		.succeeded()?;

	let from = flood(&chain, (0..SINGLE_ANCHORS).map(single)).await?;
	report(&chain, &node, from, &format!("{SINGLE_ANCHORS} single anchors")).await?;
	let from = flood(&chain, (0..BATCHES).map(batch)).await?;
	report(&chain, &node, from, &format!("{BATCHES} batches of {BATCH_SIZE} anchors")).await?;
	Ok(())
}
