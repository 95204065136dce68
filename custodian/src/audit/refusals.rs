//! Indexes refused accesses: the node follows finalized blocks and records each access
//! extrinsic that failed at dispatch (`access`, `break_glass`, `patient_access`) in the
//! store's refusal index, with the chain's reason.
//!
//! A block's events live in its state, which the node prunes (256 blocks by default). The
//! index goes on from the last block it covers; if that block's successors' state is pruned
//! (a node down for long), it starts a new range at the oldest block whose state it still has,
//! and the index keeps the list of ranges it covers.

use std::{sync::Arc, time::Duration};

use codec::Decode;
use medchain_primitives::{access::AccessKind, shares::PurposeOfUse};
use medchain_runtime::{RuntimeCall, RuntimeError, RuntimeEvent, UncheckedExtrinsic};
use medchain_store::refusals::{Refusal, RefusalLog};
use sp_core::H256;
use sp_runtime::{generic::Preamble, DispatchError, MultiAddress};

use crate::{
	blocking,
	follower::{next_head, Follower},
	Chain,
};

const LOG_TARGET: &str = "medchain::audit";
/// Most finalized blocks indexed in one commit.
const BLOCKS_PER_ROUND: u32 = 256;
/// How far behind the finalized head a new index starts.
const NEW_INDEX_DEPTH: u32 = 128;

/// Follows finalized blocks into the refusal index.
pub struct RefusalIndexer {
	/// The chain.
	pub chain: Arc<dyn Chain>,
	/// The follower of finalized blocks.
	pub follower: Arc<Follower>,
	/// The index.
	pub log: Arc<RefusalLog>,
}

impl RefusalIndexer {
	/// Runs until the node stops.
	pub async fn run(self) {
		let mut blocks = self.follower.subscribe();
		loop {
			if let Err(error) = self.catch_up().await {
				log::warn!(target: LOG_TARGET, "indexing refused accesses: {error}");
			}
			next_head(&mut blocks, Duration::from_secs(3)).await;
		}
	}

	async fn catch_up(&self) -> Result<(), String> {
		let finalized = self.chain.info().finalized_number;
		let log = self.log.clone();
		let last = blocking(move || log.last_indexed()).await?;
		let mut from = match last {
			Some(last) => last.saturating_add(1),
			None => finalized.saturating_sub(NEW_INDEX_DEPTH).max(1),
		};
		if from <= finalized && !self.has_state(from) {
			let kept = self.oldest_with_state(from, finalized);
			log::warn!(
				target: LOG_TARGET,
				"blocks {from}..{kept} have no state left (pruned): their refusals are not indexed"
			);
			from = kept;
		}
		while from <= finalized {
			let to = finalized.min(from.saturating_add(BLOCKS_PER_ROUND - 1));
			let mut refusals = Vec::new();
			for number in from..=to {
				refusals.extend(self.refusals_in(number)?);
			}
			let log = self.log.clone();
			blocking(move || log.apply(from, to, &refusals)).await?;
			from = to.saturating_add(1);
		}
		Ok(())
	}

	/// Whether block `number`'s state (and so its events) is still kept.
	fn has_state(&self, number: u32) -> bool {
		self.chain.hash(number).ok().flatten().is_some_and(|hash| self.chain.events(hash).is_ok())
	}

	/// The oldest block in `from..=to` whose state is kept (state is pruned oldest first);
	/// `to` if none older is.
	fn oldest_with_state(&self, from: u32, to: u32) -> u32 {
		let (mut low, mut high) = (from, to);
		while low < high {
			let middle = low.saturating_add(high.saturating_sub(low) / 2);
			if self.has_state(middle) {
				high = middle;
			} else {
				low = middle.saturating_add(1);
			}
		}
		high
	}

	/// The refused accesses of finalized block `number`.
	fn refusals_in(&self, number: u32) -> Result<Vec<Refusal>, String> {
		let chain = &self.chain;
		let hash = chain.hash(number)?.ok_or_else(|| format!("no finalized block #{number}"))?;
		let failed: Vec<(u32, DispatchError)> = self
			.follower
			.events(hash)?
			.iter()
			.filter_map(|record| match (&record.phase, &record.event) {
				(
					frame_system::Phase::ApplyExtrinsic(index),
					RuntimeEvent::System(frame_system::Event::ExtrinsicFailed {
						dispatch_error,
						..
					}),
				) => Some((*index, *dispatch_error)),
				_ => None,
			})
			.collect();
		if failed.is_empty() {
			return Ok(Vec::new());
		}
		let body = chain.extrinsics(hash)?.ok_or_else(|| format!("block #{number} has no body"))?;
		let time = chain.block_time(hash)?;
		let mut refusals = Vec::new();
		for (index, error) in failed {
			let Some(extrinsic) = usize::try_from(index).ok().and_then(|index| body.get(index))
			else {
				continue;
			};
			let Ok(extrinsic) = UncheckedExtrinsic::decode(&mut extrinsic.as_slice()) else {
				log::warn!(target: LOG_TARGET, "block #{number}: extrinsic {index} does not decode");
				continue;
			};
			let Some(refusal) = self.refusal(hash, number, index, time, extrinsic, error)? else {
				continue;
			};
			refusals.push(refusal);
		}
		Ok(refusals)
	}

	/// The refusal that failed `extrinsic` is, if it is an access.
	fn refusal(
		&self,
		hash: H256,
		block: u32,
		index: u32,
		time: u64,
		extrinsic: UncheckedExtrinsic,
		error: DispatchError,
	) -> Result<Option<Refusal>, String> {
		let Preamble::Signed(MultiAddress::Id(signer), ..) = extrinsic.preamble else {
			return Ok(None);
		};
		let RuntimeCall::AccessLog(call) = extrinsic.function else { return Ok(None) };
		let (kind, record, purpose) = match call {
			pallet_access_log::Call::access { grant, record, purpose, .. } => {
				(AccessKind::Normal { grant }, record, purpose)
			}
			pallet_access_log::Call::break_glass { record, reason } => {
				(AccessKind::Emergency { reason }, record, PurposeOfUse::EmergencyTreatment)
			}
			pallet_access_log::Call::patient_access { record } => {
				(AccessKind::Patient, record, PurposeOfUse::PatientRequested)
			}
			_ => return Ok(None),
		};
		let hospital = self.chain.role_of(hash, &signer)?.map(|(hospital, _)| hospital);
		let anchor = self.chain.anchor(hash, record)?;
		Ok(Some(Refusal {
			block,
			index,
			time,
			signer: signer.into(),
			hospital,
			kind,
			record,
			patient: anchor.as_ref().map(|anchor| anchor.patient.clone().into()),
			custodian: anchor.as_ref().map(|anchor| anchor.custodian),
			purpose,
			reason: reason(error).into_bytes(),
		}))
	}
}

/// The name of the access log's error, or the dispatch error's description.
fn reason(error: DispatchError) -> String {
	match RuntimeError::from_dispatch_error(error) {
		Some(RuntimeError::AccessLog(error)) => error.as_str().to_owned(),
		_ => format!("{error:?}"),
	}
}
