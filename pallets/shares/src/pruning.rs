//! Removing expired grants, a bounded number per block, oldest expiry first.

use alloc::vec::Vec;
use frame_support::{traits::Get, weights::Weight};
use frame_system::pallet_prelude::BlockNumberFor;
use medchain_primitives::shares::GrantId;
use sp_runtime::traits::{One, Saturating};

use crate::{
	Config, Event, Grants, GrantsExpiringAt, Pallet, PatientGrants, PruneCursor, WeightInfo,
};

impl<T: Config> Pallet<T> {
	/// Prunes grants whose expiry block is `now` or earlier: at most `MaxPrunedPerBlock` grants,
	/// and at most as many expiry blocks looked at. What is left waits for the next block.
	pub(crate) fn prune_expired(now: BlockNumberFor<T>) -> Weight {
		let budget = T::MaxPrunedPerBlock::get();
		let mut pruned: u32 = 0;
		let mut blocks_scanned: u32 = 0;
		let mut cursor = PruneCursor::<T>::get();
		while cursor <= now && blocks_scanned < budget.max(1) {
			blocks_scanned = blocks_scanned.saturating_add(1);
			let room = budget.saturating_sub(pruned);
			let room = usize::try_from(room).unwrap_or(usize::MAX);
			let due: Vec<GrantId> =
				GrantsExpiringAt::<T>::iter_key_prefix(cursor).take(room).collect();
			for id in due {
				Self::prune(cursor, id);
				pruned = pruned.saturating_add(1);
			}
			if pruned >= budget {
				break;
			}
			cursor = cursor.saturating_add(One::one());
		}
		PruneCursor::<T>::put(cursor);
		T::WeightInfo::prune_expired(pruned)
			.saturating_add(T::DbWeight::get().reads(u64::from(blocks_scanned)))
	}

	fn prune(expiry: BlockNumberFor<T>, id: GrantId) {
		GrantsExpiringAt::<T>::remove(expiry, id);
		if let Some(grant) = Grants::<T>::take(id) {
			PatientGrants::<T>::remove(&grant.patient, id);
		}
		Self::deposit_event(Event::GrantPruned { grant: id });
	}
}
