//! Weights for `pallet_records`.
//!
//! PROVISIONAL: estimated by hand from each call's storage accesses, not benchmark output.
//! Replaced by `frame-omni-bencher` output from `benchmarking.rs` when weights are generated
//! (issue 8).

#![allow(unused_parens)]
#![allow(unused_imports)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::Weight};

/// Weight functions needed for `pallet_records`.
pub trait WeightInfo {
	fn anchor() -> Weight;
	fn anchor_batch(n: u32) -> Weight;
	fn amend() -> Weight;
	fn erase() -> Weight;
}

/// Weights for `pallet_records`, using the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Reads: signer's hospital (2), Patients, Records, RecordOfRoot, two index counts.
	/// Writes: Records, RecordOfRoot, two index entries, two index counts.
	fn anchor() -> Weight {
		Weight::from_parts(30_000_000, 4_000)
			.saturating_add(T::DbWeight::get().reads(7))
			.saturating_add(T::DbWeight::get().writes(6))
	}
	/// The signer's hospital once (2 reads), then per item what `anchor` does without it.
	fn anchor_batch(n: u32) -> Weight {
		Weight::from_parts(10_000_000, 2_000)
			.saturating_add(T::DbWeight::get().reads(2))
			.saturating_add(
				Weight::from_parts(25_000_000, 4_000)
					.saturating_add(T::DbWeight::get().reads(5))
					.saturating_add(T::DbWeight::get().writes(6))
					.saturating_mul(n.into()),
			)
	}
	/// Reads: signer's hospital (2), Records, RecordOfRoot, two index counts.
	/// Writes: both Records, RecordOfRoot, two index entries, two index counts.
	fn amend() -> Weight {
		Weight::from_parts(35_000_000, 4_000)
			.saturating_add(T::DbWeight::get().reads(6))
			.saturating_add(T::DbWeight::get().writes(7))
	}
	/// Reads: Records, signer's hospital (2). Writes: Records.
	fn erase() -> Weight {
		Weight::from_parts(25_000_000, 4_000)
			.saturating_add(T::DbWeight::get().reads(3))
			.saturating_add(T::DbWeight::get().writes(1))
	}
}

impl WeightInfo for () {
	fn anchor() -> Weight {
		Weight::from_parts(30_000_000, 4_000)
	}
	fn anchor_batch(n: u32) -> Weight {
		Weight::from_parts(10_000_000, 2_000)
			.saturating_add(Weight::from_parts(25_000_000, 4_000).saturating_mul(n.into()))
	}
	fn amend() -> Weight {
		Weight::from_parts(35_000_000, 4_000)
	}
	fn erase() -> Weight {
		Weight::from_parts(25_000_000, 4_000)
	}
}
