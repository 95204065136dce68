//! The one follower of finalized blocks: it reads each finalized block's events once, keeps
//! the latest blocks' events for tasks catching up, and tells every subscriber (the outbox,
//! erasures, the refusal index, receipts, notifications and the node's peer allowlist).

use std::{
	collections::VecDeque,
	sync::{Arc, Mutex},
};

use futures::StreamExt;
use medchain_runtime::{BlockNumber, RuntimeError, RuntimeEvent};
use sp_core::H256;
use sp_runtime::DispatchError;
use tokio::sync::broadcast;

use crate::{chain::EventRecords, Chain};

/// How many finalized blocks' events are kept for readers; older ones are read again.
const KEPT_BLOCKS: usize = 64;
/// How many finalized blocks a subscriber may fall behind before it misses some (it then
/// catches up from its own cursor, or from the chain).
const QUEUED_BLOCKS: usize = 256;

/// A finalized block with its events.
#[derive(Debug)]
pub struct FinalizedBlock {
	/// Its hash.
	pub hash: H256,
	/// Its number.
	pub number: BlockNumber,
	/// Its events, read once.
	pub events: Arc<EventRecords>,
}

/// Follows finalized blocks (see the module docs).
pub struct Follower {
	chain: Arc<dyn Chain>,
	recent: Mutex<VecDeque<(H256, Arc<EventRecords>)>>,
	blocks: broadcast::Sender<Arc<FinalizedBlock>>,
}

impl Follower {
	/// A follower of `chain`'s finalized blocks; [`Follower::run`] drives it.
	pub fn new(chain: Arc<dyn Chain>) -> Arc<Self> {
		let (blocks, _) = broadcast::channel(QUEUED_BLOCKS);
		Arc::new(Self { chain, recent: Mutex::default(), blocks })
	}

	/// Every block finalized from now on, oldest first.
	pub fn subscribe(&self) -> broadcast::Receiver<Arc<FinalizedBlock>> {
		self.blocks.subscribe()
	}

	/// The events of block `hash`: kept if it was finalized lately, else read from its state.
	pub fn events(&self, hash: H256) -> Result<Arc<EventRecords>, String> {
		let kept = self.recent.lock().ok().and_then(|recent| {
			recent.iter().find(|(kept, _)| *kept == hash).map(|(_, events)| events.clone())
		});
		match kept {
			Some(events) => Ok(events),
			None => self.chain.events(hash).map(Arc::new),
		}
	}

	/// What extrinsic `index` of block `hash` did: its events, and its dispatch error if it
	/// failed.
	pub fn outcome(&self, hash: H256, index: u32) -> Result<Outcome, String> {
		let mut outcome = Outcome { events: Vec::new(), error: None };
		for record in self.events(hash)?.iter() {
			if record.phase != frame_system::Phase::ApplyExtrinsic(index) {
				continue;
			}
			if let RuntimeEvent::System(frame_system::Event::ExtrinsicFailed {
				dispatch_error,
				..
			}) = record.event
			{
				outcome.error = Some(dispatch_error);
			}
			outcome.events.push(record.event.clone());
		}
		Ok(outcome)
	}

	/// Reads and announces each finalized block until the node stops.
	pub async fn run(self: Arc<Self>) {
		let mut finality = self.chain.finality_stream();
		while let Some(finalized) = finality.next().await {
			for hash in finalized.blocks {
				if let Err(error) = self.announce(hash) {
					log::warn!(target: "medchain::follower", "finalized block {hash:?}: {error}");
				}
			}
		}
	}

	fn announce(&self, hash: H256) -> Result<(), String> {
		let number = self.chain.number(hash)?.ok_or("not in the database")?;
		// A block whose events can't be read (state pruned, or events of a newer runtime) is
		// still announced: the allowlist and the tasks' cursors need its height, not its events.
		let events = match self.chain.events(hash) {
			Ok(events) => {
				let events = Arc::new(events);
				if let Ok(mut recent) = self.recent.lock() {
					if recent.len() == KEPT_BLOCKS {
						recent.pop_front();
					}
					recent.push_back((hash, events.clone()));
				}
				events
			}
			Err(error) => {
				log::debug!(target: "medchain::follower", "block {number}: no events: {error}");
				Arc::default()
			}
		};
		// No subscriber is not an error.
		let _ = self.blocks.send(Arc::new(FinalizedBlock { hash, number, events }));
		Ok(())
	}
}

/// What one extrinsic did.
#[derive(Debug)]
pub struct Outcome {
	/// Its events, in order.
	pub events: Vec<RuntimeEvent>,
	/// Why it failed, if it did.
	pub error: Option<DispatchError>,
}

/// A dispatch error by name, decoded into the runtime's own error type (`AccessLog(UsesExhausted)`),
/// or the error itself when it is not a pallet's.
pub fn error_name(error: DispatchError) -> String {
	RuntimeError::from_dispatch_error(error)
		.map_or_else(|| format!("{error:?}"), |error| format!("{error:?}"))
}

/// The newest finalized block queued, waiting up to `idle` for one: for a task that only needs
/// to know that the chain moved (it reads what it needs itself), so a burst of blocks wakes it
/// once.
pub async fn next_head(
	blocks: &mut broadcast::Receiver<Arc<FinalizedBlock>>,
	idle: std::time::Duration,
) -> Option<Arc<FinalizedBlock>> {
	let mut newest = next_block(blocks, idle).await?;
	while let Ok(newer) = blocks.try_recv() {
		newest = newer;
	}
	Some(newest)
}

/// The next finalized block, or `None` after `idle` without one. A subscriber that fell
/// behind gets the oldest block still queued (and catches up from its own state).
pub async fn next_block(
	blocks: &mut broadcast::Receiver<Arc<FinalizedBlock>>,
	idle: std::time::Duration,
) -> Option<Arc<FinalizedBlock>> {
	use broadcast::error::RecvError;
	let deadline = tokio::time::sleep(idle);
	tokio::pin!(deadline);
	loop {
		tokio::select! {
			received = blocks.recv() => match received {
				Ok(block) => return Some(block),
				Err(RecvError::Lagged(_)) => continue,
				Err(RecvError::Closed) => {
					(&mut deadline).await;
					return None;
				}
			},
			() = &mut deadline => return None,
		}
	}
}
