//! The validator set's invariants, checked by `try_state` (try-runtime, and after every unit
//! test).

use alloc::collections::BTreeSet;
use frame_support::ensure;
use sp_runtime::{traits::Zero, TryRuntimeError};

use crate::{Config, ObservedSince, Pallet, QueuedSet, SessionLength, Validators};

impl<T: Config> Pallet<T> {
	/// The validators are distinct hospitals, one per Aura authority and in Aura's order of
	/// keys; a queued set is distinct too; sessions have at least one block; liveness
	/// observation never starts after the latest slot it saw.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let validators = Validators::<T>::get();
		let distinct: BTreeSet<_> = validators.iter().collect();
		ensure!(distinct.len() == validators.len(), "a hospital validates twice");
		ensure!(
			pallet_aura::Authorities::<T>::get().len() == validators.len(),
			"the validators are not one per Aura authority"
		);
		if let Some(queued) = QueuedSet::<T>::get() {
			let distinct: BTreeSet<_> = queued.iter().map(|(id, _, _)| id).collect();
			ensure!(distinct.len() == queued.len(), "a hospital is queued twice");
			ensure!(!queued.is_empty(), "an empty set is queued");
		}
		ensure!(!SessionLength::<T>::get().is_zero(), "a session of zero blocks");
		if let Some((latest, since)) = ObservedSince::<T>::get() {
			ensure!(since <= latest, "liveness observed from after the latest slot");
		}
		Ok(())
	}
}
