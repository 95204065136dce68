//! Finalized blocks as one node announces them (`chain_subscribeFinalizedHeads`), each read
//! once: when its announcement arrived, its timestamp, Aura slot, extrinsics, charged weight
//! and events.
//!
//! Anchors are found by record id anywhere in the block's encoded events ([`Matcher`]), so the
//! count holds for a node of another runtime version (`MEDCHAIN_NODE`) whatever else its
//! events carry; refusals (`AnchorFailed`) and anchor batches are counted only where this
//! build's runtime types decode the block.

use std::{
	collections::{HashMap, HashSet},
	sync::{Arc, Mutex},
	time::{Duration, Instant},
};

use codec::{Decode, DecodeAll};
use frame_support::{dispatch::PerDispatchClass, traits::PalletInfoAccess, weights::Weight};
use futures::{
	channel::mpsc::{unbounded, UnboundedReceiver, UnboundedSender},
	StreamExt,
};
use jsonrpsee::{
	core::client::{Subscription, SubscriptionClientT},
	rpc_params,
	ws_client::{WsClient, WsClientBuilder},
};
use medchain_runtime::{Header, Runtime, RuntimeCall, RuntimeEvent, UncheckedExtrinsic};
use medchain_tests::{
	client::{chain::EventRecord, Chain},
	node::Node,
	Result,
};
use sp_core::{bytes::from_hex, H256};
use tokio::task::JoinHandle;

use super::submit::Call;

/// Attempts at reading one block before the follower gives up.
const READ_ATTEMPTS: u32 = 3;

/// A finalized block, as read once.
pub struct FinalizedBlock {
	pub number: u32,
	pub hash: H256,
	/// When the finalized-head notification that finalized it arrived here.
	pub arrived: Instant,
	/// `pallet_timestamp::Now` at the block: Unix milliseconds.
	pub timestamp_ms: u64,
	/// The Aura slot of its pre-runtime digest.
	pub slot: Option<u64>,
	/// Extrinsics, inherents included.
	pub extrinsics: usize,
	/// `anchor_batch` extrinsics, if this build's runtime decodes them.
	pub anchor_batches: Option<usize>,
	/// `AnchorFailed` events, if this build's runtime decodes the events.
	pub failed: Option<usize>,
	/// `System::BlockWeight`: the normal class, and all classes.
	pub normal_weight: Weight,
	pub total_weight: Weight,
	/// `System::Events`, SCALE-encoded.
	pub events: Vec<u8>,
}

#[derive(Default)]
struct Followed {
	blocks: Vec<FinalizedBlock>,
	error: Option<String>,
}

type Shared = Arc<Mutex<Followed>>;

/// Follows a node's finalized blocks until stopped.
pub struct Follower {
	followed: Shared,
	tasks: Vec<JoinHandle<()>>,
}

impl Follower {
	/// Follows `node` from its next finalized block on.
	pub async fn start(node: &Node) -> Result<Self> {
		let url = format!("ws://127.0.0.1:{}", node.rpc_port);
		let client = WsClientBuilder::default()
			.build(&url)
			.await
			.map_err(|e| format!("connecting to {url}: {e}"))?;
		let heads: Subscription<Header> = client
			.subscribe(
				"chain_subscribeFinalizedHeads",
				rpc_params![],
				"chain_unsubscribeFinalizedHeads",
			)
			.await
			.map_err(|e| format!("subscribing to finalized heads: {e}"))?;
		let followed = Shared::default();
		let (sender, receiver) = unbounded();
		let tasks = vec![
			tokio::spawn(listen(client, heads, sender, followed.clone())),
			tokio::spawn(read_blocks(node.chain()?, receiver, followed.clone())),
		];
		Ok(Self { followed, tasks })
	}

	/// Calls `visit` with each block read since `cursor` (an index it advances); fails if
	/// following failed.
	pub fn visit_new(
		&self,
		cursor: &mut usize,
		mut visit: impl FnMut(&FinalizedBlock),
	) -> Result<()> {
		let followed = self.followed.lock().map_err(|_| "the follower's lock is poisoned")?;
		if let Some(error) = &followed.error {
			return Err(format!("following finalized blocks: {error}"));
		}
		for block in followed.blocks.iter().skip(*cursor) {
			visit(block);
		}
		*cursor = followed.blocks.len();
		Ok(())
	}

	/// Stops following; every block read, in order.
	pub fn stop(self) -> Result<Vec<FinalizedBlock>> {
		for task in &self.tasks {
			task.abort();
		}
		let mut followed = self.followed.lock().map_err(|_| "the follower's lock is poisoned")?;
		if let Some(error) = &followed.error {
			return Err(format!("following finalized blocks: {error}"));
		}
		Ok(std::mem::take(&mut followed.blocks))
	}
}

fn fail(followed: &Shared, error: String) {
	if let Ok(mut followed) = followed.lock() {
		followed.error.get_or_insert(error);
	}
}

/// Stamps each finalized head with its arrival; `_client` keeps the subscription open.
async fn listen(
	_client: WsClient,
	mut heads: Subscription<Header>,
	sender: UnboundedSender<(u32, Instant)>,
	followed: Shared,
) {
	while let Some(head) = heads.next().await {
		let arrived = Instant::now();
		match head {
			Ok(header) => {
				if sender.unbounded_send((header.number, arrived)).is_err() {
					return;
				}
			}
			Err(error) => return fail(&followed, format!("a finalized head: {error}")),
		}
	}
	fail(&followed, "the finalized-heads subscription ended".into());
}

/// Reads every block up to each finalized head (one head may finalize several blocks); the
/// first head only sets where to start.
async fn read_blocks(chain: Chain, mut heads: UnboundedReceiver<(u32, Instant)>, followed: Shared) {
	let mut next = None;
	while let Some((head, arrived)) = heads.next().await {
		let from = next.unwrap_or(head + 1);
		for number in from..=head {
			match read_with_retries(&chain, number, arrived).await {
				Ok(block) => match followed.lock() {
					Ok(mut followed) => followed.blocks.push(block),
					Err(_) => return,
				},
				Err(error) => return fail(&followed, error),
			}
		}
		next = Some(from.max(head + 1));
	}
}

async fn read_with_retries(chain: &Chain, number: u32, arrived: Instant) -> Result<FinalizedBlock> {
	let mut attempt = 1;
	loop {
		match read_block(chain, number, arrived).await {
			Ok(block) => return Ok(block),
			Err(error) if attempt >= READ_ATTEMPTS => {
				return Err(format!("reading block #{number}: {error}"))
			}
			Err(_) => attempt += 1,
		}
		tokio::time::sleep(Duration::from_secs(1)).await;
	}
}

async fn read_block(chain: &Chain, number: u32, arrived: Instant) -> Result<FinalizedBlock> {
	let hash = chain.block_hash(number).await?.ok_or(format!("no block #{number}"))?;
	let header = chain.header(Some(hash)).await?;
	let extrinsics = chain.extrinsics(hash).await?;
	let events = raw_events(chain, hash).await?;
	let timestamp_ms: u64 = chain
		.storage(&pallet_timestamp::Now::<Runtime>::hashed_key(), Some(hash))
		.await?
		.unwrap_or_default();
	let weight: PerDispatchClass<Weight> = chain
		.storage(&frame_system::BlockWeight::<Runtime>::hashed_key(), Some(hash))
		.await?
		.unwrap_or_default();
	Ok(FinalizedBlock {
		number,
		hash,
		arrived,
		timestamp_ms,
		slot: aura_slot(&header),
		extrinsics: extrinsics.len(),
		anchor_batches: anchor_batches(&extrinsics),
		failed: failed_anchors(&events),
		normal_weight: *weight.get(frame_support::dispatch::DispatchClass::Normal),
		total_weight: weight.total(),
		events,
	})
}

/// `System::Events` at `at`, undecoded (see `Chain::events` for the key).
async fn raw_events(chain: &Chain, at: H256) -> Result<Vec<u8>> {
	let pallet = <frame_system::Pallet<Runtime> as PalletInfoAccess>::name();
	let key = frame_support::storage::storage_prefix(pallet.as_bytes(), b"Events");
	let key = sp_core::bytes::to_hex(&key, false);
	let value: Option<String> = chain.rpc.call("state_getStorage", rpc_params![key, at]).await?;
	value.map_or(Ok(Vec::new()), |hex| from_hex(&hex).map_err(|e| format!("events: {e}")))
}

fn aura_slot(header: &Header) -> Option<u64> {
	header.digest.logs.iter().find_map(|item| {
		let (engine, mut data) = item.as_pre_runtime()?;
		if engine != *b"aura" {
			return None;
		}
		u64::decode(&mut data).ok()
	})
}

fn anchor_batches(extrinsics: &[Vec<u8>]) -> Option<usize> {
	let mut batches = 0;
	for bytes in extrinsics {
		let extrinsic = UncheckedExtrinsic::decode_all(&mut &bytes[..]).ok()?;
		if matches!(
			extrinsic.function,
			RuntimeCall::Records(pallet_records::Call::anchor_batch { .. })
		) {
			batches += 1;
		}
	}
	Some(batches)
}

fn failed_anchors(events: &[u8]) -> Option<usize> {
	if events.is_empty() {
		return Some(0);
	}
	let records = Vec::<EventRecord>::decode_all(&mut &events[..]).ok()?;
	let failed = |record: &&EventRecord| {
		matches!(record.event, RuntimeEvent::Records(pallet_records::Event::AnchorFailed { .. }))
	};
	Some(records.iter().filter(failed).count())
}

/// Finds submitted records in encoded events by their ids.
pub struct Matcher {
	/// Each stored record's id, with the index of its call.
	calls_by_record: HashMap<[u8; 32], usize>,
}

impl Matcher {
	pub fn new(calls: &[Call]) -> Self {
		let calls_by_record = calls
			.iter()
			.enumerate()
			.filter_map(|(index, call)| Some((index, call.outcome.as_ref().ok()?)))
			.flat_map(|(index, ids)| ids.iter().map(move |id| (*id, index)))
			.collect();
		Self { calls_by_record }
	}

	/// The call of each submitted record whose id `events` hold (a record once).
	pub fn anchored_in(&self, events: &[u8]) -> Vec<usize> {
		let mut seen = HashSet::new();
		events
			.windows(32)
			.filter_map(|window| {
				let (id, call) = self.calls_by_record.get_key_value(window)?;
				seen.insert(*id).then_some(*call)
			})
			.collect()
	}
}
