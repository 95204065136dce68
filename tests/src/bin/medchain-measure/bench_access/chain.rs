//! The chain at the requesters' side while they run: Hospital B's node's new best and finalized
//! heads as they arrive, and from them each level's block time, empty slots and finality lag.

use std::{
	collections::BTreeMap,
	time::{Duration, Instant},
};

use codec::Decode;
use futures::channel::oneshot;
use jsonrpsee::{
	core::client::{Subscription, SubscriptionClientT},
	rpc_params,
	ws_client::{WsClient, WsClientBuilder},
};
use medchain_runtime::Header;
use medchain_tests::{
	client::{rpc::wait_until, Chain},
	Result,
};
use sp_runtime::DigestItem;

/// How long to wait after the last level for its blocks' finality.
const SETTLE: Duration = Duration::from_secs(60);

/// A block's number and Aura slot as a subscription announced it, and when it arrived.
#[derive(Clone, Copy)]
struct Arrival {
	at: Duration,
	number: u32,
	slot: Option<u64>,
}

fn arrival(header: &Header, clock: Instant) -> Arrival {
	let at = clock.elapsed();
	let slot = header.digest.logs.iter().find_map(|item| match item {
		DigestItem::PreRuntime(engine, data) if *engine == *b"aura" => {
			u64::decode(&mut &data[..]).ok()
		}
		_ => None,
	});
	Arrival { at, number: header.number, slot }
}

/// What the chain follower saw. The first arrival of each list is the head the node had when
/// the subscription opened, not a new block.
#[derive(Default)]
pub struct ChainLog {
	best: Vec<Arrival>,
	finalized: Vec<Arrival>,
	/// Why a subscription ended early, if one did.
	pub failure: Option<String>,
}

#[derive(Clone, Copy)]
enum HeadKind {
	Best,
	Finalized,
}

/// The chain while a level ran.
pub struct ChainFigures {
	/// Blocks between the first and the last new best block of the window.
	pub blocks: u32,
	pub block_time: Option<f64>,
	/// Slots between those two blocks in which no block arrived.
	pub empty_slots: Option<u64>,
	/// Best − finalized, averaged over time.
	pub mean_lag_blocks: Option<f64>,
	/// Seconds from each block's arrival as best to the finalized head that covers it,
	/// ascending.
	pub finality: Vec<f64>,
}

impl ChainLog {
	/// The figures of the new blocks that arrived between `from` and `to`.
	pub fn figures(&self, from: Duration, to: Duration) -> ChainFigures {
		// The last block to arrive at each height: after a reorg, the one that stayed.
		let mut by_height = BTreeMap::new();
		for head in self.best.iter().skip(1) {
			by_height.insert(head.number, *head);
		}
		let window = from..=to;
		let blocks: Vec<Arrival> =
			by_height.into_values().filter(|block| window.contains(&block.at)).collect();
		let (mut count, mut block_time, mut empty_slots) = (0, None, None);
		if let (Some(first), Some(last)) = (blocks.first(), blocks.last()) {
			count = last.number.saturating_sub(first.number);
			if count > 0 {
				let seconds = last.at.saturating_sub(first.at).as_secs_f64();
				block_time = Some(seconds / f64::from(count));
				empty_slots = last.slot.zip(first.slot).map(|(last, first)| {
					last.saturating_sub(first).saturating_sub(u64::from(count))
				});
			}
		}
		// Finality only moves forward: the first finalized head at or above a block's height is
		// the one that finalized it.
		let mut finality: Vec<f64> = blocks
			.iter()
			.filter_map(|block| {
				let index = self.finalized.partition_point(|head| head.number < block.number);
				self.finalized.get(index).map(|head| head.at.saturating_sub(block.at).as_secs_f64())
			})
			.collect();
		finality.sort_by(f64::total_cmp);
		ChainFigures {
			blocks: count,
			block_time,
			empty_slots,
			mean_lag_blocks: self.mean_lag(from, to),
			finality,
		}
	}

	/// Best − finalized between `from` and `to`, averaged over time.
	fn mean_lag(&self, from: Duration, to: Duration) -> Option<f64> {
		let mut heads: Vec<(Duration, HeadKind, u32)> = self
			.best
			.iter()
			.map(|head| (head.at, HeadKind::Best, head.number))
			.chain(self.finalized.iter().map(|head| (head.at, HeadKind::Finalized, head.number)))
			.collect();
		heads.sort_by_key(|(at, _, _)| *at);
		let (mut best, mut finalized) = (None, None);
		let mut lag = LagIntegral::default();
		let mut cursor = from;
		for (at, kind, number) in heads {
			if at > to {
				break;
			}
			if at > cursor {
				lag.add(best, finalized, at - cursor);
				cursor = at;
			}
			match kind {
				HeadKind::Best => best = Some(number),
				HeadKind::Finalized => finalized = Some(number),
			}
		}
		if to > cursor {
			lag.add(best, finalized, to - cursor);
		}
		lag.mean()
	}
}

/// Best − finalized integrated over the time both were known.
#[derive(Default)]
struct LagIntegral {
	block_seconds: f64,
	seconds: f64,
}

impl LagIntegral {
	fn add(&mut self, best: Option<u32>, finalized: Option<u32>, span: Duration) {
		if let (Some(best), Some(finalized)) = (best, finalized) {
			let span = span.as_secs_f64();
			self.block_seconds += f64::from(best.saturating_sub(finalized)) * span;
			self.seconds += span;
		}
	}

	fn mean(&self) -> Option<f64> {
		(self.seconds > 0.0).then_some(self.block_seconds / self.seconds)
	}
}

/// Records a node's new best and finalized heads, with their arrival times, until finished.
pub struct ChainFollower {
	stop: oneshot::Sender<()>,
	task: tokio::task::JoinHandle<ChainLog>,
}

impl ChainFollower {
	/// Subscribes to the node whose RPC port is `rpc_port`; arrival times count from `clock`.
	pub async fn start(rpc_port: u16, clock: Instant) -> Result<Self> {
		let url = format!("ws://127.0.0.1:{rpc_port}");
		let client = WsClientBuilder::default()
			.build(url.as_str())
			.await
			.map_err(|error| format!("connecting to {url}: {error}"))?;
		let new_heads: Subscription<Header> = client
			.subscribe("chain_subscribeNewHeads", rpc_params![], "chain_unsubscribeNewHeads")
			.await
			.map_err(|error| format!("chain_subscribeNewHeads: {error}"))?;
		let finalized_heads: Subscription<Header> = client
			.subscribe(
				"chain_subscribeFinalizedHeads",
				rpc_params![],
				"chain_unsubscribeFinalizedHeads",
			)
			.await
			.map_err(|error| format!("chain_subscribeFinalizedHeads: {error}"))?;
		let (stop, stopped) = oneshot::channel();
		let task = tokio::spawn(follow(client, new_heads, finalized_heads, stopped, clock));
		Ok(Self { stop, task })
	}

	/// Stops following; what it saw.
	pub async fn finish(self) -> Result<ChainLog> {
		// The follower may have ended already, with nobody left to receive this.
		let _ = self.stop.send(());
		self.task.await.map_err(|error| format!("the chain follower: {error}"))
	}
}

/// Reads both subscriptions into a [`ChainLog`] until `stopped`; `_client` keeps them open.
async fn follow(
	_client: WsClient,
	mut new_heads: Subscription<Header>,
	mut finalized_heads: Subscription<Header>,
	mut stopped: oneshot::Receiver<()>,
	clock: Instant,
) -> ChainLog {
	let mut log = ChainLog::default();
	while log.failure.is_none() {
		tokio::select! {
			_ = &mut stopped => break,
			head = new_heads.next() => match head {
				Some(Ok(header)) => log.best.push(arrival(&header, clock)),
				Some(Err(error)) => log.failure = Some(format!("a new head: {error}")),
				None => log.failure = Some("chain_subscribeNewHeads ended".into()),
			},
			head = finalized_heads.next() => match head {
				Some(Ok(header)) => log.finalized.push(arrival(&header, clock)),
				Some(Err(error)) => log.failure = Some(format!("a finalized head: {error}")),
				None => log.failure = Some("chain_subscribeFinalizedHeads ended".into()),
			},
		}
	}
	log
}

/// Waits until `chain`'s node has finalized the block that is best now.
pub async fn wait_best_final(chain: &Chain) -> Result<()> {
	let best = chain.best_number().await?;
	wait_until("the last level's blocks to be final", SETTLE, || async move {
		Ok((chain.finalized_number().await? >= best).then_some(()))
	})
	.await
}
