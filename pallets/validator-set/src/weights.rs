//! Weights for `pallet_validator_set`.
//!
//! PROVISIONAL: estimated by hand from each hook's storage accesses, not benchmark output.
//! Replaced by `frame-omni-bencher` output from `benchmarking.rs` when weights are generated
//! (issue 8).

#![allow(unused_parens)]
#![allow(unused_imports)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::Weight};

/// Weight functions needed for `pallet_validator_set`.
pub trait WeightInfo {
	/// A block that is not a session boundary and has nothing queued.
	fn on_initialize_idle() -> Weight;
	/// A session boundary that changes a set of `v` validators (also charged for retries).
	fn start_session(v: u32) -> Weight;
}

/// Weights for `pallet_validator_set`, using the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Reads: SessionLength, QueuedSet, StallRecovery.
	fn on_initialize_idle() -> Weight {
		Weight::from_parts(3_000_000, 1_500).saturating_add(T::DbWeight::get().reads(3))
	}
	/// Reads: SessionLength, CurrentSession, the registry (`v` hospitals), Validators, Aura and
	/// GRANDPA authorities, PendingChange, StallRecovery, CurrentSetId.
	/// Writes: CurrentSession, QueuedSet, PendingChange, Aura authorities, CurrentSetId,
	/// Validators, StallRecovery.
	fn start_session(v: u32) -> Weight {
		Weight::from_parts(20_000_000, 5_000)
			.saturating_add(Weight::from_parts(2_000_000, 700).saturating_mul(v.into()))
			.saturating_add(T::DbWeight::get().reads(9_u64.saturating_add(v.into())))
			.saturating_add(T::DbWeight::get().writes(7))
	}
}

impl WeightInfo for () {
	fn on_initialize_idle() -> Weight {
		Weight::from_parts(3_000_000, 1_500)
	}
	fn start_session(v: u32) -> Weight {
		Weight::from_parts(20_000_000, 5_000)
			.saturating_add(Weight::from_parts(2_000_000, 700).saturating_mul(v.into()))
	}
}
