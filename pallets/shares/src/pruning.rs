//! Removing expired grants and consent requests: at most `MaxPrunedPerBlock` of each per block,
//! oldest expiry first.
//!
//! Each queue is keyed (expiry block, id) and has a cursor at the oldest expiry block that may
//! still hold entries. A block looks at no more expiry blocks than it may prune entries, so an
//! idle stretch of blocks is caught up in bounded steps too.

use alloc::vec::Vec;
use frame_support::{traits::Get, weights::Weight};
use frame_system::pallet_prelude::BlockNumberFor;
use medchain_primitives::shares::{ConsentRequestId, GrantId};
use sp_runtime::traits::{One, Saturating};

use crate::{
	Config, ConsentRequests, Event, GrantByToken, GrantPruneQueue, Grants, Pallet, PatientGrants,
	PruneCursor, RequestPruneCursor, RequestsExpiringAt, WeightInfo,
};

/// How far one block's pruning got through a queue.
struct Progress {
	pruned: u32,
	blocks_scanned: u32,
}

/// Walks expiry blocks from `cursor` up to `now`, handing the due ids of each to `prune`, until
/// `budget` ids are pruned or `budget` expiry blocks are looked at. Returns the new cursor.
fn walk_queue<BlockNumber: Copy + PartialOrd + Saturating + One, Id>(
	cursor: BlockNumber,
	now: BlockNumber,
	budget: u32,
	due: impl Fn(BlockNumber, usize) -> Vec<Id>,
	mut prune: impl FnMut(BlockNumber, Id),
) -> (BlockNumber, Progress) {
	let mut progress = Progress { pruned: 0, blocks_scanned: 0 };
	let mut cursor = cursor;
	while cursor <= now && progress.blocks_scanned < budget.max(1) {
		progress.blocks_scanned = progress.blocks_scanned.saturating_add(1);
		let room = usize::try_from(budget.saturating_sub(progress.pruned)).unwrap_or(usize::MAX);
		for id in due(cursor, room) {
			prune(cursor, id);
			progress.pruned = progress.pruned.saturating_add(1);
		}
		if progress.pruned >= budget {
			break;
		}
		cursor = cursor.saturating_add(One::one());
	}
	(cursor, progress)
}

impl<T: Config> Pallet<T> {
	/// Prunes grants whose expiry block is `now` or earlier.
	pub(crate) fn prune_expired(now: BlockNumberFor<T>) -> Weight {
		let (cursor, progress) = walk_queue(
			PruneCursor::<T>::get(),
			now,
			T::MaxPrunedPerBlock::get(),
			|expiry, room| GrantPruneQueue::<T>::iter_key_prefix(expiry).take(room).collect(),
			Self::prune_grant,
		);
		PruneCursor::<T>::put(cursor);
		T::WeightInfo::prune_expired(progress.pruned)
			.saturating_add(T::DbWeight::get().reads(u64::from(progress.blocks_scanned)))
	}

	/// Prunes consent requests whose expiry block is `now` or earlier.
	pub(crate) fn prune_expired_requests(now: BlockNumberFor<T>) -> Weight {
		let (cursor, progress) = walk_queue(
			RequestPruneCursor::<T>::get(),
			now,
			T::MaxPrunedPerBlock::get(),
			|expiry, room| RequestsExpiringAt::<T>::iter_prefix(expiry).take(room).collect(),
			|expiry, (id, patient): (ConsentRequestId, T::AccountId)| {
				Self::prune_request(expiry, &patient, id)
			},
		);
		RequestPruneCursor::<T>::put(cursor);
		T::WeightInfo::prune_expired_requests(progress.pruned)
			.saturating_add(T::DbWeight::get().reads(u64::from(progress.blocks_scanned)))
	}

	fn prune_grant(expiry: BlockNumberFor<T>, id: GrantId) {
		GrantPruneQueue::<T>::remove(expiry, id);
		if let Some(grant) = Grants::<T>::take(id) {
			GrantByToken::<T>::remove(grant.terms.token_key);
			PatientGrants::<T>::mutate_exists(&grant.patient, |held| {
				if let Some(list) = held {
					list.retain(|(held_id, _)| *held_id != id);
					if list.is_empty() {
						*held = None;
					}
				}
			});
		}
		Self::deposit_event(Event::GrantPruned { grant: id });
	}

	fn prune_request(expiry: BlockNumberFor<T>, patient: &T::AccountId, id: ConsentRequestId) {
		RequestsExpiringAt::<T>::remove(expiry, id);
		if let Some(request) = ConsentRequests::<T>::get(id) {
			Self::remove_request(patient, id, &request);
		}
		Self::deposit_event(Event::ConsentRequestPruned { request: id });
	}
}
