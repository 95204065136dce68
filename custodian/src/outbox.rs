//! The outbox task: anchors what the store holds, in `anchor_batch` transactions, and follows
//! each to finality.
//!
//! Pending records are coalesced into batches of up to `MaxAnchorBatch`; at most
//! [`MAX_BATCHES_IN_FLIGHT`] wait in the pool at once. A record leaves the outbox only when a
//! finalized block anchors it (with the root the store holds) or refuses it (`AnchorFailed`).
//! Anything else (a dropped, invalid or retracted transaction, a restart) leaves it pending,
//! and it is sent again; the chain's record id makes a second anchor impossible, so a record
//! is anchored exactly once.

use std::{
	collections::HashMap,
	sync::{Arc, Mutex},
	time::Duration,
};

use futures::StreamExt;
use medchain_primitives::commitment::RecordId;
use medchain_runtime::{configs::MaxAnchorBatch, RuntimeCall, RuntimeEvent};
use medchain_store::{outbox::PendingAnchor, AnchorState, Store};
use sp_core::H256;
use sp_runtime::BoundedVec;

use crate::{
	blocking,
	chain::Anchor,
	follower::{error_name, next_head, Follower},
	pool::{Pool, StatusStream, TransactionStatus},
	signer::OperatorSigner,
	Chain,
};

/// Most `anchor_batch` transactions waiting in the pool, not yet in a block, at once: 4,096
/// records, about 70% of a block, so that a hospital alone can use most of the block space
/// and leaves room for the others'.
pub const MAX_BATCHES_IN_FLIGHT: usize = 16;
/// How long the outbox waits after a submission for more to join the batch.
const COALESCE: Duration = Duration::from_millis(100);
/// How often the outbox looks again when nothing wakes it.
const IDLE: Duration = Duration::from_secs(3);

/// Where an unsettled record's anchor stands, in memory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Progress {
	/// In the pool, in transaction `tx`.
	Submitted {
		/// The transaction's hash.
		tx: H256,
	},
	/// In best block `block`, not finalized.
	InBlock {
		/// The transaction's hash.
		tx: H256,
		/// The block's number.
		block: u32,
	},
	/// Not in flight; the last attempt failed with `error` and it will be sent again.
	Retrying {
		/// Why the last attempt failed.
		error: String,
	},
}

impl Progress {
	fn in_flight(&self) -> bool {
		!matches!(self, Progress::Retrying { .. })
	}
}

/// The progress of every unsettled record, shared with the app RPC.
#[derive(Default)]
pub struct Tracker(Mutex<HashMap<RecordId, Progress>>);

impl Tracker {
	/// The progress of `record_id`, if it is unsettled and was sent.
	pub fn get(&self, record_id: &RecordId) -> Option<Progress> {
		self.0.lock().ok()?.get(record_id).cloned()
	}

	fn set(&self, ids: impl IntoIterator<Item = RecordId>, progress: Progress) {
		if let Ok(mut map) = self.0.lock() {
			ids.into_iter().for_each(|id| {
				map.insert(id, progress.clone());
			});
		}
	}

	fn forget(&self, ids: impl IntoIterator<Item = RecordId>) {
		if let Ok(mut map) = self.0.lock() {
			ids.into_iter().for_each(|id| {
				map.remove(&id);
			});
		}
	}

	fn in_flight_count(&self) -> usize {
		self.0.lock().map_or(0, |map| map.values().filter(|progress| progress.in_flight()).count())
	}

	fn in_flight(&self, record_id: &RecordId) -> bool {
		self.get(record_id).is_some_and(|progress| progress.in_flight())
	}

	fn any_retrying(&self) -> bool {
		self.0.lock().is_ok_and(|map| map.values().any(|progress| !progress.in_flight()))
	}

	/// How many batches wait in the pool (in a best block, they no longer hold the next back).
	fn batches_in_pool(&self) -> usize {
		let Ok(map) = self.0.lock() else { return usize::MAX };
		let mut txs: Vec<H256> = map
			.values()
			.filter_map(|progress| match progress {
				Progress::Submitted { tx } => Some(*tx),
				Progress::InBlock { .. } | Progress::Retrying { .. } => None,
			})
			.collect();
		txs.sort();
		txs.dedup();
		txs.len()
	}
}

/// The outbox and what it needs.
#[derive(Clone)]
pub struct Outbox {
	pub(crate) store: Arc<Store>,
	pub(crate) signer: Arc<OperatorSigner>,
	pub(crate) chain: Arc<dyn Chain>,
	pub(crate) follower: Arc<Follower>,
	pub(crate) pool: Arc<dyn Pool>,
	pub(crate) tracker: Arc<Tracker>,
	pub(crate) wake: Arc<tokio::sync::Notify>,
	pub(crate) metrics: Arc<crate::metrics::Metrics>,
}

impl Outbox {
	/// Runs until the node stops.
	pub async fn run(self) {
		let mut blocks = self.follower.subscribe();
		// Only a new finalized block (or the start) can settle what is not in flight; a
		// submission or a quiet spell only sends. At the start any pending record may have
		// been anchored before a restart; later only one whose transaction went astray.
		let mut finalized = true;
		let mut started = false;
		loop {
			if finalized && (!started || self.tracker.any_retrying()) {
				match self.settle_from_chain(!started).await {
					Ok(()) => started = true,
					Err(error) => {
						log::warn!(target: "medchain::outbox", "settling anchors: {error}")
					}
				}
			}
			if let Err(error) = self.send_pending().await {
				log::warn!(target: "medchain::outbox", "sending anchors: {error}");
			}
			finalized = tokio::select! {
				block = next_head(&mut blocks, IDLE) => block.is_some(),
				_ = self.wake.notified() => {
					tokio::time::sleep(COALESCE).await;
					false
				}
			};
		}
	}

	/// Settles pending records that are not in flight but already anchored at the finalized
	/// block: any of them at the start (sent before a restart), else only those whose
	/// transaction went astray.
	async fn settle_from_chain(&self, at_start: bool) -> Result<(), String> {
		let finalized = self.chain.info().finalized_hash;
		let pending = self.pending_not_in_flight().await?;
		let mut outcomes = Vec::new();
		let sent =
			|record: &PendingAnchor| at_start || self.tracker.get(&record.record_id).is_some();
		for record in pending.into_iter().filter(sent) {
			if let Some(anchor) = self.chain.anchor(finalized, record.record_id)? {
				outcomes.push((record.record_id, anchored_outcome(&record, &anchor)));
			}
		}
		self.settle(outcomes).await
	}

	/// Sends what is pending and not in flight, in as many batches as the pool has room for.
	/// A record anchored before a restart in a block not yet final goes out again; its item
	/// fails as a duplicate, and the batch's outcome settles it from the chain.
	async fn send_pending(&self) -> Result<(), String> {
		let room = MAX_BATCHES_IN_FLIGHT.saturating_sub(self.tracker.batches_in_pool());
		if room == 0 {
			return Ok(());
		}
		let batch_size = usize::try_from(MaxAnchorBatch::get()).unwrap_or(usize::MAX);
		let best = self.chain.info().best_hash;
		let mut pending = self.pending_not_in_flight().await?;
		// A record whose transaction went astray may be in a best block all the same: finality
		// will settle it. Only those are looked up; a record never sent can't be on chain.
		let mut anchored_in_best = std::collections::HashSet::new();
		for record in &pending {
			if self.tracker.get(&record.record_id).is_some()
				&& self.chain.anchor(best, record.record_id)?.is_some()
			{
				anchored_in_best.insert(record.record_id);
			}
		}
		pending.retain(|record| !anchored_in_best.contains(&record.record_id));
		for batch in pending.chunks(batch_size).take(room) {
			self.send(batch.to_vec()).await?;
		}
		Ok(())
	}

	async fn pending_not_in_flight(&self) -> Result<Vec<PendingAnchor>, String> {
		let store = self.store.clone();
		// Records in flight sit at the front of the outbox: look past them.
		let limit = usize::try_from(MaxAnchorBatch::get())
			.unwrap_or(256)
			.saturating_mul(MAX_BATCHES_IN_FLIGHT + 1)
			.saturating_add(self.tracker.in_flight_count());
		let pending = blocking(move || store.pending_anchors(limit)).await?;
		Ok(pending
			.into_iter()
			.filter(|record| !self.tracker.in_flight(&record.record_id))
			.collect())
	}

	async fn send(&self, batch: Vec<PendingAnchor>) -> Result<(), String> {
		let ids: Vec<RecordId> = batch.iter().map(|record| record.record_id).collect();
		let requests = batch
			.iter()
			.map(|record| pallet_records::AnchorRequest {
				request_id: record.request_id,
				patient: record.patient.into(),
				record_type: record.record_type,
				field_root: record.field_root,
				ciphertext_digest: record.ciphertext_digest,
				prescription: record.prescription,
			})
			.collect::<Vec<_>>();
		let requests =
			BoundedVec::try_from(requests).map_err(|_| "batch larger than MaxAnchorBatch")?;
		let call = RuntimeCall::Records(pallet_records::Call::anchor_batch { items: requests });
		let signed = self.signer.sign(call)?;
		let tx = self.pool.hash_of(&signed.extrinsic);
		let status = match self.pool.submit_and_watch(signed.at, signed.extrinsic).await {
			Ok(status) => status,
			Err(error) => {
				self.signer.reset_nonce();
				let error =
					format!("the pool refused the anchor_batch (nonce {}): {error}", signed.nonce);
				self.tracker.set(ids, Progress::Retrying { error: error.clone() });
				return Err(error);
			}
		};
		log::info!(target: "medchain::outbox", "sent {} anchors (nonce {})", ids.len(), signed.nonce);
		self.tracker.set(ids.clone(), Progress::Submitted { tx });
		let outbox = self.clone();
		tokio::spawn(async move { outbox.follow(batch, tx, status).await });
		Ok(())
	}

	/// Follows one batch's transaction until it is finalized or gone.
	async fn follow(self, batch: Vec<PendingAnchor>, tx: H256, mut status: StatusStream) {
		let ids: Vec<RecordId> = batch.iter().map(|record| record.record_id).collect();
		while let Some(update) = status.next().await {
			match update {
				TransactionStatus::InBlock((block, _)) => {
					let number = self.chain.number(block).ok().flatten().unwrap_or(0);
					self.tracker.set(ids.clone(), Progress::InBlock { tx, block: number });
					self.wake.notify_one();
				}
				TransactionStatus::Retracted(_) => {
					self.tracker.set(ids.clone(), Progress::Submitted { tx })
				}
				TransactionStatus::Finalized((block, index)) => {
					match self.batch_outcomes(&batch, block, index) {
						Ok(outcomes) => {
							let settled: Vec<RecordId> =
								outcomes.iter().map(|(id, _)| *id).collect();
							if let Err(error) = self.settle(outcomes).await {
								log::warn!(target: "medchain::outbox", "settling a finalized batch: {error}");
								// The next finalized block settles them from the chain.
								self.tracker.set(ids.clone(), Progress::Retrying { error });
								self.wake.notify_one();
								return;
							}
							let unsettled = ids.iter().filter(|id| !settled.contains(id)).copied();
							self.tracker.set(
								unsettled,
								Progress::Retrying { error: "finalized without an anchor".into() },
							);
						}
						Err(error) => self.tracker.set(ids.clone(), Progress::Retrying { error }),
					}
					self.wake.notify_one();
					return;
				}
				TransactionStatus::Future
				| TransactionStatus::Ready
				| TransactionStatus::Broadcast(_) => {}
				TransactionStatus::Usurped(_)
				| TransactionStatus::Dropped
				| TransactionStatus::Invalid
				| TransactionStatus::FinalityTimeout(_) => {
					log::info!(
						target: "medchain::outbox",
						"anchor batch {tx:?} left the pool ({update:?}): its {} records go out again",
						ids.len()
					);
					self.signer.reset_nonce();
					self.tracker.set(
						ids.clone(),
						Progress::Retrying { error: format!("transaction {update:?}") },
					);
					self.wake.notify_one();
					return;
				}
			}
		}
		self.tracker.set(ids, Progress::Retrying { error: "the pool stopped reporting".into() });
	}

	/// What finalized block `block` did to each record of `batch` (extrinsic `index`), from
	/// the extrinsic's events; the chain is asked only about a refused item, which may have
	/// been anchored before.
	fn batch_outcomes(
		&self,
		batch: &[PendingAnchor],
		block: H256,
		index: usize,
	) -> Result<Vec<(RecordId, AnchorState)>, String> {
		let index = u32::try_from(index).map_err(|error| error.to_string())?;
		let mut anchored_roots = HashMap::new();
		let mut refused = HashMap::new();
		for event in self.follower.outcome(block, index)?.events {
			match event {
				RuntimeEvent::Records(pallet_records::Event::RecordAnchored {
					record_id,
					field_root,
					..
				}) => {
					anchored_roots.insert(record_id, field_root);
				}
				RuntimeEvent::Records(pallet_records::Event::AnchorFailed { index, error }) => {
					refused.insert(index, error_name(error));
				}
				_ => {}
			}
		}
		let number = self.chain.number(block)?.ok_or("a finalized block without a number")?;
		let mut outcomes = Vec::new();
		for (position, record) in (0u32..).zip(batch) {
			if let Some(root) = anchored_roots.get(&record.record_id) {
				outcomes.push((record.record_id, root_outcome(record, root, number)));
			} else if let Some(reason) = refused.remove(&position) {
				let outcome = match self.chain.anchor(block, record.record_id)? {
					Some(anchor) => anchored_outcome(record, &anchor),
					None => AnchorState::Failed { reason },
				};
				outcomes.push((record.record_id, outcome));
			}
		}
		Ok(outcomes)
	}

	async fn settle(&self, outcomes: Vec<(RecordId, AnchorState)>) -> Result<(), String> {
		if outcomes.is_empty() {
			return Ok(());
		}
		let store = self.store.clone();
		let ids: Vec<RecordId> = outcomes.iter().map(|(id, _)| *id).collect();
		// Both the batch's follower and a finality pass may settle a record: the store counts it once.
		let anchored = blocking(move || store.settle(&outcomes)).await?;
		self.metrics.records_anchored.inc_by(u64::try_from(anchored).unwrap_or(u64::MAX));
		self.tracker.forget(ids);
		Ok(())
	}
}

fn anchored_outcome(record: &PendingAnchor, anchor: &Anchor) -> AnchorState {
	root_outcome(record, &anchor.field_root, anchor.block)
}

/// A record's state once the chain holds `root` under its id, anchored at block `block`.
fn root_outcome(record: &PendingAnchor, root: &[u8; 32], block: u32) -> AnchorState {
	if *root == record.field_root {
		AnchorState::Anchored { block }
	} else {
		AnchorState::Failed { reason: "the chain holds another root under this record id".into() }
	}
}

#[cfg(test)]
mod tests {
	use medchain_primitives::RecordType;
	use medchain_runtime::Runtime;
	use medchain_store::NewRecord;

	use super::*;
	use crate::pool::{Refusal, Refused};
	use crate::testing::{
		applied, block_hash, custodian, patient, InMemoryChain, RecordingPool, HOSPITAL,
	};

	fn diagnosis(request: &str) -> NewRecord {
		let values = ["flu", "J10", "mild", "rest", "Dr. A", "2026-12-06", ""]
			.iter()
			.map(|value| Some(value.as_bytes().to_vec()))
			.collect();
		NewRecord {
			submitter: [7; 32],
			client_request_id: request.into(),
			patient: patient("Ferdie").into(),
			record_type: RecordType::Diagnosis,
			values,
			prescription: None,
		}
	}

	fn anchor_of(record: &PendingAnchor, block: u32) -> Anchor {
		medchain_primitives::records::Record {
			patient: record.patient.into(),
			custodian: HOSPITAL,
			record_type: record.record_type,
			field_root: record.field_root,
			ciphertext_digest: record.ciphertext_digest,
			version: 1,
			previous: None,
			status: medchain_primitives::records::RecordStatus::Active,
			block,
			time: 0,
		}
	}

	/// The records of each `anchor_batch` the pool was given, in order.
	fn batches(pool: &RecordingPool) -> Vec<Vec<H256>> {
		pool.calls()
			.into_iter()
			.map(|call| match call {
				RuntimeCall::Records(pallet_records::Call::anchor_batch { items }) => {
					items.iter().map(|item| H256(item.field_root)).collect()
				}
				other => panic!("not an anchor batch: {other:?}"),
			})
			.collect()
	}

	/// Waits (at most 10 s) until `done` holds.
	async fn until(mut done: impl FnMut() -> bool) {
		for _ in 0..1_000 {
			if done() {
				return;
			}
			tokio::time::sleep(Duration::from_millis(10)).await;
		}
		panic!("timed out");
	}

	struct Setup {
		_dir: tempfile::TempDir,
		chain: Arc<InMemoryChain>,
		pool: Arc<RecordingPool>,
		outbox: Outbox,
		records: Vec<PendingAnchor>,
	}

	async fn three_stored_records() -> Setup {
		let dir = tempfile::tempdir().unwrap();
		let (chain, pool) =
			(Arc::new(InMemoryChain::default()), Arc::new(RecordingPool::default()));
		let (_, tasks) = custodian(dir.path(), chain.clone(), pool.clone());
		let outbox = tasks.outbox;
		let records: Vec<_> = ["a", "b", "c"].iter().map(|request| diagnosis(request)).collect();
		outbox.store.submit(&records).unwrap();
		let records = outbox.store.pending_anchors(10).unwrap();
		assert_eq!(records.len(), 3);
		Setup { _dir: dir, chain, pool, outbox, records }
	}

	#[tokio::test]
	async fn pending_records_go_out_in_one_batch_once_and_settle_from_the_finalized_block() {
		let Setup { _dir, chain, pool, outbox, records } = three_stored_records().await;
		outbox.send_pending().await.unwrap();
		let roots: Vec<H256> = records.iter().map(|record| H256(record.field_root)).collect();
		assert_eq!(batches(&pool), vec![roots.clone()]);
		let tx = pool.hash_of(&pool.accepted.lock().unwrap()[0]);
		for record in &records {
			assert_eq!(outbox.tracker.get(&record.record_id), Some(Progress::Submitted { tx }));
		}
		outbox.send_pending().await.unwrap();
		assert_eq!(batches(&pool).len(), 1, "records in flight are not sent again");

		// Block 9 anchors the first two and refuses the third.
		let block = block_hash(9);
		let refusal: sp_runtime::DispatchError =
			pallet_records::Error::<Runtime>::AnchorQuotaReached.into();
		chain.with(|state| {
			state.numbers.insert(block, 9);
			for record in &records[..2] {
				state.anchors.insert(record.record_id, anchor_of(record, 9));
			}
			let anchored = records[..2].iter().map(|record| {
				RuntimeEvent::Records(pallet_records::Event::RecordAnchored {
					record_id: record.record_id,
					custodian: HOSPITAL,
					patient: record.patient.into(),
					record_type: record.record_type,
					field_root: record.field_root,
				})
			});
			let failed = RuntimeEvent::Records(pallet_records::Event::AnchorFailed {
				index: 2,
				error: refusal,
			});
			let events = anchored.chain([failed]).flat_map(|event| applied(1, event)).collect();
			state.events.insert(block, events);
		});
		pool.report(0, TransactionStatus::InBlock((block, 1)));
		until(|| {
			outbox.tracker.get(&records[0].record_id) == Some(Progress::InBlock { tx, block: 9 })
		})
		.await;
		pool.report(0, TransactionStatus::Finalized((block, 1)));
		until(|| outbox.tracker.get(&records[2].record_id).is_none()).await;

		let state =
			|record: &PendingAnchor| outbox.store.record(&record.record_id).unwrap().unwrap().state;
		assert_eq!(state(&records[0]), AnchorState::Anchored { block: 9 });
		assert_eq!(state(&records[1]), AnchorState::Anchored { block: 9 });
		let AnchorState::Failed { reason } = state(&records[2]) else { panic!("not refused") };
		assert!(reason.contains("AnchorQuotaReached"), "{reason}");
		assert_eq!(outbox.metrics.records_anchored.get(), 2);
		assert!(outbox.store.pending_anchors(10).unwrap().is_empty());
	}

	#[tokio::test]
	async fn a_dropped_batch_is_sent_again_with_the_chains_nonce() {
		let Setup { _dir, chain, pool, outbox, records } = three_stored_records().await;
		outbox.send_pending().await.unwrap();
		pool.report(0, TransactionStatus::Dropped);
		until(|| {
			matches!(outbox.tracker.get(&records[0].record_id), Some(Progress::Retrying { .. }))
		})
		.await;
		outbox.send_pending().await.unwrap();
		let batches = batches(&pool);
		assert_eq!(batches.len(), 2);
		assert_eq!(batches[0], batches[1], "the same records, sent again");
		assert_eq!(pool.nonces(), vec![0, 0], "the dropped nonce is used again");

		// A record another batch anchored meanwhile (e.g. before a restart) is settled, not sent.
		chain.with(|state| {
			state.anchors.insert(records[0].record_id, anchor_of(&records[0], 8));
		});
		pool.report(1, TransactionStatus::Usurped(H256::zero()));
		until(|| {
			matches!(outbox.tracker.get(&records[1].record_id), Some(Progress::Retrying { .. }))
		})
		.await;
		outbox.settle_from_chain(false).await.unwrap();
		assert_eq!(
			outbox.store.record(&records[0].record_id).unwrap().unwrap().state,
			AnchorState::Anchored { block: 8 }
		);
		outbox.send_pending().await.unwrap();
		assert_eq!(self::batches(&pool)[2].len(), 2);
	}

	#[tokio::test]
	async fn a_batch_the_pool_refuses_stays_pending_and_reports_why() {
		let Setup { _dir, pool, outbox, records, .. } = three_stored_records().await;
		*pool.refuse_next.lock().unwrap() =
			Some(Refusal { reason: "Invalid Transaction: Stale".into(), of: Refused::NonceUsed });
		let error = outbox.send_pending().await.unwrap_err();
		assert!(error.contains("Stale"), "{error}");
		let Some(Progress::Retrying { error }) = outbox.tracker.get(&records[1].record_id) else {
			panic!("not retrying");
		};
		assert!(error.contains("refused the anchor_batch"), "{error}");
		outbox.send_pending().await.unwrap();
		assert_eq!(batches(&pool).len(), 1);
		assert_eq!(outbox.store.pending_anchors(10).unwrap().len(), 3);
	}
}
