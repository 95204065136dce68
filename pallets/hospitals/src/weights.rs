//! Weights for `pallet_hospitals`.
//!
//! PROVISIONAL: these values are estimates written by hand from each call's storage accesses
//! (see the comments), not benchmark output. They are replaced by `frame-omni-bencher` output
//! from `benchmarking.rs` when weights are generated (issue 8).

#![allow(unused_parens)]
#![allow(unused_imports)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::Weight};

/// Weight functions needed for `pallet_hospitals`.
pub trait WeightInfo {
	fn register_patient() -> Weight;
	fn deregister_patient() -> Weight;
	fn check_permission() -> Weight;
	fn propose() -> Weight;
	fn propose_hospital() -> Weight;
	fn vote() -> Weight;
	fn close() -> Weight;
}

/// Weights for `pallet_hospitals`, using the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Reads: AccountRoles (signer), Hospitals, AccountRoles (patient), Patients, System::Account.
	/// Writes: Patients, System::Account.
	fn register_patient() -> Weight {
		Weight::from_parts(25_000_000, 3_600)
			.saturating_add(T::DbWeight::get().reads(5))
			.saturating_add(T::DbWeight::get().writes(2))
	}
	/// Reads: AccountRoles (signer), Hospitals, Patients. Writes: Patients.
	fn deregister_patient() -> Weight {
		Weight::from_parts(20_000_000, 3_600)
			.saturating_add(T::DbWeight::get().reads(3))
			.saturating_add(T::DbWeight::get().writes(1))
	}
	/// Reads: AccountRoles, Hospitals, Patients, ExtrinsicCount. Writes: ExtrinsicCount.
	fn check_permission() -> Weight {
		Weight::from_parts(10_000_000, 3_600)
			.saturating_add(T::DbWeight::get().reads(4))
			.saturating_add(T::DbWeight::get().writes(1))
	}
	/// Worst case executes a removal at once. Reads: AccountRoles, Hospitals (signer, target,
	/// approvals), counts, lifetime, ids. Writes: proposal, ids, target, count.
	fn propose() -> Weight {
		Weight::from_parts(60_000_000, 8_000)
			.saturating_add(T::DbWeight::get().reads(10))
			.saturating_add(T::DbWeight::get().writes(5))
	}
	/// As `propose`, plus two signature verifications and admitting the hospital (accounts,
	/// keys, peers, providers) when it executes at once.
	fn propose_hospital() -> Weight {
		Weight::from_parts(200_000_000, 12_000)
			.saturating_add(T::DbWeight::get().reads(16))
			.saturating_add(T::DbWeight::get().writes(16))
	}
	/// As `propose`, with every approval's hospital read for the tally.
	fn vote() -> Weight {
		Weight::from_parts(150_000_000, 40_000)
			.saturating_add(T::DbWeight::get().reads(40))
			.saturating_add(T::DbWeight::get().writes(16))
	}
	/// Reads: AccountRoles, Hospitals, Proposals. Writes: Proposals.
	fn close() -> Weight {
		Weight::from_parts(20_000_000, 8_000)
			.saturating_add(T::DbWeight::get().reads(3))
			.saturating_add(T::DbWeight::get().writes(1))
	}
}

/// The same estimates without database weights, for unit tests.
impl WeightInfo for () {
	fn register_patient() -> Weight {
		Weight::from_parts(25_000_000, 3_600)
	}
	fn deregister_patient() -> Weight {
		Weight::from_parts(20_000_000, 3_600)
	}
	fn check_permission() -> Weight {
		Weight::from_parts(10_000_000, 3_600)
	}
	fn propose() -> Weight {
		Weight::from_parts(60_000_000, 8_000)
	}
	fn propose_hospital() -> Weight {
		Weight::from_parts(200_000_000, 12_000)
	}
	fn vote() -> Weight {
		Weight::from_parts(150_000_000, 40_000)
	}
	fn close() -> Weight {
		Weight::from_parts(20_000_000, 8_000)
	}
}
