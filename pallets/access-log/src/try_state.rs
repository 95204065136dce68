//! The invariants of the access log, checked by `try_state` (try-runtime, and after every unit
//! test).

use frame_support::ensure;
use medchain_primitives::access::{AccessQuery, Accessor};
use sp_runtime::TryRuntimeError;

use crate::{AccessIndex, AccessedBy, Config, Entries, NextAccessId, Pallet};

impl<T: Config> Pallet<T> {
	/// Entries are never removed, so there is one for every id below `NextAccessId`; every
	/// index is dense and names only entries that belong to it; each entry is in its patient's,
	/// its custodian's and its record's index once, and in its accessor hospital's; and
	/// [`AccessedBy`] names an entry of its record and accessor, the latest. (Entries from
	/// before storage version 1 have none: `AccessedBy` was not backfilled.)
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let next = NextAccessId::<T>::get();
		let entries = Entries::<T>::iter_keys().try_fold(0u64, |count, id| {
			ensure!(id < next, "an entry's id is not below NextAccessId");
			Ok::<_, TryRuntimeError>(count.saturating_add(1))
		})?;
		ensure!(entries == next, "an access entry is missing");

		let (mut patients, mut custodians, mut records, mut accessors) = (0u64, 0u64, 0u64, 0u64);
		let mut hospital_accesses = 0u64;
		for (id, entry) in Entries::<T>::iter() {
			if let Accessor::Hospital(hospital) = entry.accessor {
				hospital_accesses = hospital_accesses.saturating_add(1);
				let latest = AccessedBy::<T>::get(entry.record, hospital);
				ensure!(latest.is_none_or(|latest| latest >= id), "AccessedBy is not the latest");
			}
		}
		for (record, hospital, id) in AccessedBy::<T>::iter() {
			let entry = Entries::<T>::get(id).ok_or("AccessedBy names no entry")?;
			ensure!(
				entry.record == record && entry.accessor == Accessor::Hospital(hospital),
				"AccessedBy names another record's or accessor's entry"
			);
		}
		AccessIndex::<T>::check_all(|query, id| {
			let entry = Entries::<T>::get(id).ok_or("an index names no entry")?;
			let (belongs, counter) = match query {
				AccessQuery::Patient(patient) => (entry.patient == *patient, &mut patients),
				AccessQuery::Accessor(hospital) => {
					(entry.accessor == Accessor::Hospital(*hospital), &mut accessors)
				}
				AccessQuery::Custodian(hospital) => (entry.custodian == *hospital, &mut custodians),
				AccessQuery::Record(record) => (entry.record == *record, &mut records),
			};
			*counter = counter.saturating_add(1);
			Ok(belongs)
		})?;
		ensure!(patients == entries, "patient indices don't count every entry once");
		ensure!(custodians == entries, "custodian indices don't count every entry once");
		ensure!(records == entries, "record indices don't count every entry once");
		ensure!(accessors == hospital_accesses, "accessor indices don't count every access once");
		Ok(())
	}
}
