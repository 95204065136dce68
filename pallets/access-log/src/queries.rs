//! The auditors' queries behind the `AccessLogApi` runtime API, and the records pallet's
//! question whether a member opened a record (`AccessLookup`).

use alloc::vec::Vec;
use frame_support::traits::Get;
use medchain_primitives::{
	access::{AccessId, AccessPage},
	commitment::RecordId,
	prescription::AccessLookup,
	HospitalId,
};

use crate::{AccessEntryOf, AccessIndex, AccessQueryOf, AccessedBy, Config, Entries, Pallet};

impl<T: Config> AccessLookup for Pallet<T> {
	fn accessed_by(record: &RecordId, accessor: HospitalId) -> Option<AccessId> {
		AccessedBy::<T>::get(record, accessor)
	}

	fn spend_access(record: &RecordId, accessor: HospitalId) -> Option<AccessId> {
		AccessedBy::<T>::take(record, accessor)
	}
}

impl<T: Config> Pallet<T> {
	/// The entry with id `id`, if any.
	pub fn entry(id: AccessId) -> Option<AccessEntryOf<T>> {
		Entries::<T>::get(id)
	}

	/// The entries of `query` with `from_time <= time < to_time`, oldest first, from index
	/// position `cursor` on (or the range's first), at most `limit` (capped at `MaxPageSize`).
	pub fn entries(
		query: AccessQueryOf<T>,
		from_time: u64,
		to_time: u64,
		cursor: u32,
		limit: u32,
	) -> AccessPage<T::AccountId, frame_system::pallet_prelude::BlockNumberFor<T>> {
		let length = AccessIndex::<T>::len(&query);
		let limit = usize::try_from(limit.min(T::MaxPageSize::get())).unwrap_or(0);
		let mut position = cursor.max(Self::first_at_or_after(&query, length, from_time));
		let mut entries = Vec::new();
		while position < length && entries.len() < limit {
			let Some((id, entry)) = Self::at(&query, position) else { break };
			if entry.time >= to_time {
				return AccessPage { entries, next_cursor: None };
			}
			entries.push((id, entry));
			position = position.saturating_add(1);
		}
		let more = position < length
			&& Self::at(&query, position).is_some_and(|(_, entry)| entry.time < to_time);
		AccessPage { entries, next_cursor: more.then_some(position) }
	}

	fn at(query: &AccessQueryOf<T>, position: u32) -> Option<(AccessId, AccessEntryOf<T>)> {
		let id = AccessIndex::<T>::get(query, position)?;
		Some((id, Entries::<T>::get(id)?))
	}

	/// Binary search: the first position whose entry's time is at least `time` (entries are
	/// appended in time order).
	fn first_at_or_after(query: &AccessQueryOf<T>, length: u32, time: u64) -> u32 {
		let (mut low, mut high) = (0u32, length);
		while low < high {
			let middle = low.saturating_add(high.saturating_sub(low) / 2);
			let earlier = Self::at(query, middle).is_some_and(|(_, entry)| entry.time < time);
			if earlier {
				low = middle.saturating_add(1);
			} else {
				high = middle;
			}
		}
		low
	}
}
