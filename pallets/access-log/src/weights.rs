//! Weights for `pallet_access_log`.
//!
//! PROVISIONAL: estimated by hand from each call's storage accesses, not benchmark output.
//! Replaced by `frame-omni-bencher` output from `benchmarking.rs` when weights are generated
//! (issue 8).

#![allow(unused_parens)]
#![allow(unused_imports)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::Weight};

/// Weight functions needed for `pallet_access_log`.
pub trait WeightInfo {
	fn access() -> Weight;
	fn break_glass() -> Weight;
	fn patient_access() -> Weight;
	fn confirm_release() -> Weight;
}

/// Weights for `pallet_access_log`, using the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Reads: operator (2), record, genesis hash, grant, next id, four index lengths.
	/// Writes: grant, next id, entry, four index entries, four index lengths. One ed25519
	/// verification.
	fn access() -> Weight {
		Weight::from_parts(120_000_000, 8_000)
			.saturating_add(T::DbWeight::get().reads(10))
			.saturating_add(T::DbWeight::get().writes(11))
	}
	/// Reads: operator (2), record, period, limit, usage, next id, four index lengths.
	/// Writes: usage, next id, entry, four index entries, four index lengths.
	fn break_glass() -> Weight {
		Weight::from_parts(50_000_000, 8_000)
			.saturating_add(T::DbWeight::get().reads(10))
			.saturating_add(T::DbWeight::get().writes(11))
	}
	/// Reads: record, next id, three index lengths. Writes: next id, entry, three index
	/// entries, three index lengths.
	fn patient_access() -> Weight {
		Weight::from_parts(40_000_000, 8_000)
			.saturating_add(T::DbWeight::get().reads(5))
			.saturating_add(T::DbWeight::get().writes(8))
	}
	/// Reads: operator (2), entry. Writes: entry.
	fn confirm_release() -> Weight {
		Weight::from_parts(25_000_000, 4_000)
			.saturating_add(T::DbWeight::get().reads(3))
			.saturating_add(T::DbWeight::get().writes(1))
	}
}

impl WeightInfo for () {
	fn access() -> Weight {
		Weight::from_parts(120_000_000, 8_000)
	}
	fn break_glass() -> Weight {
		Weight::from_parts(50_000_000, 8_000)
	}
	fn patient_access() -> Weight {
		Weight::from_parts(40_000_000, 8_000)
	}
	fn confirm_release() -> Weight {
		Weight::from_parts(25_000_000, 4_000)
	}
}
