//! Erasure: the node follows finalized blocks and keeps its store in step with the chain.
//!
//! - `ErasureScheduled` for one of its records, by its operator: noted in the store, and
//!   `complete_erasure` is sent once the block is due.
//! - `ErasureCancelled`: the note is dropped.
//! - `RecordErased` for one of its records (completed by the custodian, or erased by the
//!   patient directly): the data key is destroyed (`Store::shred`).
//!
//! The store keeps the last block it applied, so blocks finalized while the node was down are
//! applied after a restart.

use std::{collections::HashMap, sync::Arc, time::Duration};

use medchain_primitives::{commitment::RecordId, records::RecordStatus};
use medchain_runtime::{RuntimeCall, RuntimeEvent};
use medchain_store::Store;
use sp_core::H256;

use crate::{
	blocking,
	follower::{next_head, Follower},
	signer::OperatorSigner,
	Chain,
};

/// Most finalized blocks applied in one round.
const BLOCKS_PER_ROUND: u32 = 256;
/// Further behind than this, the blocks' state (and so their events) may be pruned (the
/// node keeps 256 blocks of state by default): the store is rebuilt from finalized state
/// instead.
const RECONCILE_BEYOND: u32 = 128;
/// Records read per step of a rebuild.
const RECONCILE_PAGE: usize = 512;
/// How many blocks the node waits before sending `complete_erasure` for a record again.
const RESEND_AFTER: u32 = medchain_runtime::MINUTES / 2;

/// Follows erasures (see the module docs), and sends the node's erase transactions.
#[derive(Clone)]
pub struct Erasures {
	pub(crate) store: Arc<Store>,
	pub(crate) signer: Arc<OperatorSigner>,
	pub(crate) chain: Arc<dyn Chain>,
	pub(crate) follower: Arc<Follower>,
}

impl Erasures {
	/// Sends `records.erase(record_id)` signed by the operator; returns the transaction hash.
	pub async fn request(&self, record_id: RecordId) -> Result<H256, String> {
		self.send(RuntimeCall::Records(pallet_records::Call::erase { record_id })).await
	}

	/// Runs until the node stops.
	pub async fn run(self) {
		let mut blocks = self.follower.subscribe();
		let mut sent: HashMap<RecordId, u32> = HashMap::new();
		loop {
			if let Err(error) = self.catch_up(&mut sent).await {
				log::warn!(target: "medchain::erasure", "{error}");
			}
			next_head(&mut blocks, Duration::from_secs(3)).await;
		}
	}

	async fn catch_up(&self, sent: &mut HashMap<RecordId, u32>) -> Result<(), String> {
		let finalized = self.chain.info().finalized_number;
		let store = self.store.clone();
		let cursor = blocking(move || store.chain_cursor()).await?;
		// A new store starts from the finalized head: it holds no record older than that.
		let from = cursor.map_or(finalized, |cursor| cursor.saturating_add(1));
		if finalized.saturating_sub(from) > RECONCILE_BEYOND {
			self.reconcile(self.chain.info().finalized_hash).await?;
			let store = self.store.clone();
			blocking(move || store.set_chain_cursor(finalized)).await?;
			return Ok(());
		}
		let to = finalized.min(from.saturating_add(BLOCKS_PER_ROUND));
		for number in from..=to {
			let hash = self.chain.hash(number)?.ok_or(format!("no block #{number}"))?;
			self.apply_block(hash).await?;
			let store = self.store.clone();
			blocking(move || store.set_chain_cursor(number)).await?;
		}
		let store = self.store.clone();
		for record_id in blocking(move || store.erasures_due(finalized)).await? {
			if sent.get(&record_id).is_some_and(|at| finalized < at.saturating_add(RESEND_AFTER)) {
				continue;
			}
			sent.insert(record_id, finalized);
			let call = RuntimeCall::Records(pallet_records::Call::complete_erasure { record_id });
			if let Err(error) = self.send(call).await {
				log::warn!(target: "medchain::erasure", "complete_erasure of 0x{}: {error}", hex::encode(record_id));
			}
		}
		Ok(())
	}

	/// After a long downtime: every stored record that finalized state `at` shows erased is
	/// shredded, and every erasure its operator scheduled is noted.
	async fn reconcile(&self, at: H256) -> Result<(), String> {
		log::info!(target: "medchain::erasure", "catching up on erasures from finalized state");
		let operator = self.signer.account();
		let mut after = None;
		loop {
			let store = self.store.clone();
			let ids = blocking(move || store.record_ids(after, RECONCILE_PAGE)).await?;
			let Some(last) = ids.last().copied() else { return Ok(()) };
			let mut erased = Vec::new();
			for id in ids {
				match self.chain.anchor(at, id)?.map(|anchor| anchor.status) {
					Some(RecordStatus::Erased { .. }) => erased.push(id),
					_ => {
						if let Some((by, due)) = self.chain.pending_erasure(at, id)? {
							let store = self.store.clone();
							let due = (by == operator).then_some(due);
							blocking(move || store.set_erasure_due(&id, due)).await?;
						}
					}
				}
			}
			self.shred_unerased(erased).await?;
			after = Some(last);
		}
	}

	async fn apply_block(&self, hash: H256) -> Result<(), String> {
		let operator = self.signer.account();
		let mut erased = Vec::new();
		for record in self.follower.events(hash)?.iter() {
			let RuntimeEvent::Records(event) = record.event.clone() else { continue };
			let store = self.store.clone();
			match event {
				pallet_records::Event::RecordErased { record_id, .. } => erased.push(record_id),
				pallet_records::Event::ErasureScheduled { record_id, by, due }
					if by == operator =>
				{
					blocking(move || store.set_erasure_due(&record_id, Some(due))).await?
				}
				pallet_records::Event::ErasureCancelled { record_id, .. } => {
					blocking(move || store.set_erasure_due(&record_id, None)).await?
				}
				_ => {}
			}
		}
		self.shred_unerased(erased).await
	}

	/// Shreds those of `erased` that this store holds and has not shredded yet.
	async fn shred_unerased(&self, erased: Vec<RecordId>) -> Result<(), String> {
		let store = self.store.clone();
		let receipts = blocking(move || {
			let mut ours = Vec::new();
			for id in erased {
				if store.record(&id)?.is_some_and(|stored| stored.erased.is_none()) {
					ours.push(id);
				}
			}
			store.shred(&ours)
		})
		.await?;
		for receipt in receipts {
			log::info!(
				target: "medchain::erasure",
				"record 0x{} erased: data key {} destroyed with KEK epoch {}",
				hex::encode(receipt.record_id),
				hex::encode(receipt.key_id),
				receipt.retired_epoch
			);
		}
		Ok(())
	}

	async fn send(&self, call: RuntimeCall) -> Result<H256, String> {
		self.signer.submit(call).await
	}
}
