//! Session boundaries, applying a queued set, genesis authorities, liveness and stall recovery.
//!
//! A stall recovery forces a GRANDPA change to the registry's active hospitals, whatever their
//! number: it is how two surviving hospitals of four get finality back (governance has already
//! suspended the ones that stopped authoring; see `pallet_hospitals`).

use alloc::vec::Vec;
use frame_support::{
	traits::{FindAuthor, Get},
	BoundedVec,
};
use frame_system::pallet_prelude::BlockNumberFor;
use medchain_primitives::{HospitalId, StalledSetRecovery, ValidatorRegistry};
use sp_runtime::{
	traits::{CheckedDiv, Saturating, Zero},
	SaturatedConversion,
};

use crate::{
	Config, CurrentSession, Event, LastAuthored, ObservedSince, Pallet, QueuedSet, SessionLength,
	StallRecovery, ValidatorSetOf, Validators,
};

impl<T: Config> Pallet<T> {
	/// Whether block `now` starts a session: a non-zero multiple of `SessionLength`.
	pub(crate) fn is_session_boundary(now: BlockNumberFor<T>) -> bool {
		let length = SessionLength::<T>::get();
		let sessions = now.checked_div(&length);
		!now.is_zero() && sessions.is_some_and(|sessions| sessions.saturating_mul(length) == now)
	}

	/// Starts the next session: queues the registry's set if it differs from the current one,
	/// and tries to apply it.
	pub(crate) fn start_session() {
		let index = CurrentSession::<T>::mutate(|index| {
			*index = index.saturating_add(1);
			*index
		});
		let registry = T::Registry::active_validators();
		let changed = !Self::is_current(&registry);
		Self::deposit_event(Event::NewSession { index, changed });
		if !changed {
			// The registry went back to the current set: a change still queued is obsolete.
			QueuedSet::<T>::kill();
			return;
		}
		let Some(next) = Self::bounded(registry, index) else { return };
		QueuedSet::<T>::put(next);
		if !Self::apply_queued() {
			Self::deposit_event(Event::ValidatorSetChangeDeferred { session: index });
		}
	}

	/// Schedules the queued set (or, for a stall recovery, the registry's set) as the next
	/// GRANDPA set and Aura authorities. Returns `false` if it has to wait for an earlier
	/// GRANDPA change, and keeps it for the next block.
	pub(crate) fn apply_queued() -> bool {
		let session = CurrentSession::<T>::get();
		let stall = StallRecovery::<T>::get();
		let next = match (QueuedSet::<T>::get(), stall) {
			// A recovery takes the registry as it is now, not a set queued before the stall.
			(_, Some(_)) => match Self::bounded(T::Registry::active_validators(), session) {
				Some(registry) => registry,
				None => {
					StallRecovery::<T>::kill();
					return true;
				}
			},
			(Some(queued), None) => queued,
			(None, None) => return true,
		};
		let current_len = Validators::<T>::decode_len().unwrap_or_default();
		let minimum = usize::try_from(T::MinValidators::get()).unwrap_or(usize::MAX);
		let below_minimum = next.len() < minimum && next.len() < current_len;
		if next.is_empty() || (below_minimum && stall.is_none()) {
			QueuedSet::<T>::kill();
			StallRecovery::<T>::kill();
			let validators = u32::try_from(next.len()).unwrap_or(u32::MAX);
			Self::deposit_event(Event::ValidatorSetTooSmall { session, validators });
			return true;
		}

		let grandpa = next.iter().map(|(_, _, key)| (key.clone(), 1)).collect();
		let scheduled = match stall {
			Some((delay, best_finalized)) => {
				pallet_grandpa::Pallet::<T>::schedule_change(grandpa, delay, Some(best_finalized))
			}
			None => pallet_grandpa::Pallet::<T>::schedule_change(grandpa, Zero::zero(), None),
		};
		if scheduled.is_err() {
			// `ChangePending` (or `TooSoon` for a forced change): retried next block.
			return false;
		}

		let aura: Vec<_> = next.iter().map(|(_, key, _)| key.clone()).collect();
		if pallet_aura::Authorities::<T>::get().as_slice() != aura.as_slice() {
			pallet_aura::Pallet::<T>::change_authorities(BoundedVec::truncate_from(aura));
		}
		// `pallet_grandpa` bumps the set id only from its `pallet-session` handler; nodes
		// count every scheduled change, so the runtime must count them too.
		let set_id = pallet_grandpa::CurrentSetId::<T>::mutate(|id| {
			*id = id.saturating_add(1);
			*id
		});
		let validators = BoundedVec::truncate_from(next.iter().map(|(id, _, _)| *id).collect());
		Validators::<T>::put(&validators);
		QueuedSet::<T>::kill();
		StallRecovery::<T>::kill();
		Self::deposit_event(Event::ValidatorSetChanged {
			session,
			set_id,
			validators,
			forced: stall.is_some(),
		});
		true
	}

	/// Whether `registry` is exactly the current set: same hospitals, same keys, same order.
	fn is_current(registry: &[crate::ValidatorOf<T>]) -> bool {
		let hospitals = Validators::<T>::get();
		let aura = pallet_aura::Authorities::<T>::get();
		let grandpa = pallet_grandpa::Pallet::<T>::grandpa_authorities();
		registry.len() == hospitals.len()
			&& registry.len() == aura.len()
			&& registry.len() == grandpa.len()
			&& registry.iter().zip(hospitals.iter()).all(|((id, _, _), current)| id == current)
			&& registry.iter().zip(aura.iter()).all(|((_, key, _), current)| key == current)
			&& registry.iter().zip(grandpa.iter()).all(|((_, _, key), (current, _))| key == current)
	}

	fn bounded(registry: Vec<crate::ValidatorOf<T>>, session: u32) -> Option<ValidatorSetOf<T>> {
		let validators = u32::try_from(registry.len()).unwrap_or(u32::MAX);
		let bounded = ValidatorSetOf::<T>::try_from(registry).ok();
		if bounded.is_none() {
			Self::deposit_event(Event::ValidatorSetTooLarge { session, validators });
		}
		bounded
	}

	/// Genesis: the registry's founders become the Aura and GRANDPA authorities, replacing
	/// whatever those pallets' own genesis set. The registry admits at most `MaxHospitals`,
	/// which the runtime keeps within both authority limits (runtime test
	/// `every_admissible_hospital_fits_in_the_aura_and_grandpa_sets`), so nothing is cut here.
	pub(crate) fn initialize_authorities() {
		let founders = ValidatorSetOf::<T>::truncate_from(T::Registry::active_validators());
		let aura = founders.iter().map(|(_, key, _)| key.clone()).collect();
		let grandpa = founders.iter().map(|(_, _, key)| (key.clone(), 1)).collect();
		let hospitals = founders.iter().map(|(id, _, _)| *id).collect();
		pallet_aura::Authorities::<T>::put(BoundedVec::truncate_from(aura));
		pallet_grandpa::Authorities::<T>::put(pallet_grandpa::BoundedAuthorityList::force_from(
			grandpa, None,
		));
		Validators::<T>::put(BoundedVec::truncate_from(hospitals));
	}
}

impl<T: Config> Pallet<T> {
	/// Records when the validator that authored this block did so: the start of its Aura slot
	/// (the pre-runtime digest names the slot; the current validators are in Aura's authority
	/// order).
	pub(crate) fn note_author() {
		let digest = frame_system::Pallet::<T>::digest();
		let pre_runtime = digest.logs.iter().filter_map(|item| item.as_pre_runtime());
		let Some(index) = pallet_aura::Pallet::<T>::find_author(pre_runtime) else { return };
		let index = usize::try_from(index).unwrap_or(usize::MAX);
		let Some(hospital) = Validators::<T>::get().get(index).copied() else { return };
		let now = Self::slot_time();
		LastAuthored::<T>::insert(hospital, now);
		let since = match ObservedSince::<T>::get() {
			Some((last, since)) if now.saturating_sub(last) <= Self::liveness_window() => since,
			_ => now,
		};
		ObservedSince::<T>::put((now, since));
	}

	/// The start of the current Aura slot, in Unix milliseconds.
	fn slot_time() -> u64 {
		let slot: u64 = *pallet_aura::CurrentSlot::<T>::get();
		slot.saturating_mul(Self::slot_duration())
	}

	fn slot_duration() -> u64 {
		pallet_aura::Pallet::<T>::slot_duration().saturated_into::<u64>()
	}

	/// Whether `hospital`'s validator authored a block within the liveness window, or a full
	/// window has not been observed yet (since genesis or a chain-wide halt).
	pub fn is_live(hospital: HospitalId) -> bool {
		Self::liveness()(hospital)
	}

	/// Liveness as of now: the slot time, window and observation are read once, each
	/// validator's last block when asked.
	fn liveness() -> impl Fn(HospitalId) -> bool {
		let (now, window) = (Self::slot_time(), Self::liveness_window());
		let observed_for =
			ObservedSince::<T>::get().map_or(0, |(_, since)| now.saturating_sub(since));
		move |hospital| {
			observed_for <= window
				|| LastAuthored::<T>::get(hospital)
					.is_some_and(|at| now.saturating_sub(at) <= window)
		}
	}

	/// `LivenessWindow`, but at least three full rounds of the current validators' slots, so a
	/// healthy validator always authors within it.
	fn liveness_window() -> u64 {
		let validators =
			u64::try_from(Validators::<T>::decode_len().unwrap_or_default()).unwrap_or(u64::MAX);
		let rounds = Self::slot_duration().saturating_mul(validators).saturating_mul(3);
		T::LivenessWindow::get().max(rounds)
	}
}

impl<T: Config> StalledSetRecovery<BlockNumberFor<T>> for Pallet<T> {
	fn recover_stalled_set(delay: BlockNumberFor<T>, best_finalized: BlockNumberFor<T>) {
		StallRecovery::<T>::put((delay, best_finalized));
		Self::deposit_event(Event::StallRecoveryRequested { delay, best_finalized });
	}

	fn live_validators() -> (Vec<HospitalId>, Vec<HospitalId>) {
		let validators = Validators::<T>::get().into_inner();
		let is_live = Self::liveness();
		let live = validators.iter().copied().filter(|id| is_live(*id)).collect();
		(live, validators)
	}
}
