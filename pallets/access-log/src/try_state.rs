//! The invariants of the access log, checked by `try_state` (try-runtime, and after every unit
//! test).

use frame_support::ensure;
use medchain_primitives::access::{AccessQuery, Accessor};
use sp_runtime::TryRuntimeError;

use crate::{AccessIndex, Config, Entries, IndexLength, NextAccessId, Pallet};

impl<T: Config> Pallet<T> {
	/// Entries are never removed, so there is one for every id below `NextAccessId`; every
	/// index is dense and names only entries that belong to it; each entry is in its patient's,
	/// its custodian's and its record's index once, and in its accessor hospital's.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let next = NextAccessId::<T>::get();
		let entries = Entries::<T>::iter_keys().try_fold(0u64, |count, id| {
			ensure!(id < next, "an entry's id is not below NextAccessId");
			Ok::<_, TryRuntimeError>(count.saturating_add(1))
		})?;
		ensure!(entries == next, "an access entry is missing");

		let (mut patients, mut custodians, mut records, mut accessors) = (0u64, 0u64, 0u64, 0u64);
		let mut hospital_accesses = 0u64;
		for entry in Entries::<T>::iter_values() {
			if matches!(entry.accessor, Accessor::Hospital(_)) {
				hospital_accesses = hospital_accesses.saturating_add(1);
			}
		}
		for (query, length) in IndexLength::<T>::iter() {
			AccessIndex::<T>::check(&query)?;
			for id in (0..length).filter_map(|position| AccessIndex::<T>::get(&query, position)) {
				let entry = Entries::<T>::get(id).ok_or("an index names no entry")?;
				let belongs = match &query {
					AccessQuery::Patient(patient) => entry.patient == *patient,
					AccessQuery::Accessor(hospital) => {
						entry.accessor == Accessor::Hospital(*hospital)
					}
					AccessQuery::Custodian(hospital) => entry.custodian == *hospital,
					AccessQuery::Record(record) => entry.record == *record,
				};
				ensure!(belongs, "an index names an entry of another query");
			}
			let counter = match query {
				AccessQuery::Patient(_) => &mut patients,
				AccessQuery::Accessor(_) => &mut accessors,
				AccessQuery::Custodian(_) => &mut custodians,
				AccessQuery::Record(_) => &mut records,
			};
			*counter = counter.saturating_add(u64::from(length));
		}
		ensure!(patients == entries, "patient indices don't count every entry once");
		ensure!(custodians == entries, "custodian indices don't count every entry once");
		ensure!(records == entries, "record indices don't count every entry once");
		ensure!(accessors == hospital_accesses, "accessor indices don't count every access once");
		Ok(())
	}
}
