//! Weights for `pallet_shares`.
//!
//! PROVISIONAL: estimated by hand from each call's storage accesses, not benchmark output.
//! Replaced by `frame-omni-bencher` output from `benchmarking.rs` when weights are generated
//! (issue 8).

#![allow(unused_parens)]
#![allow(unused_imports)]

use core::marker::PhantomData;
use frame_support::{traits::Get, weights::Weight};

/// Weight functions needed for `pallet_shares`.
pub trait WeightInfo {
	fn create_grant(r: u32) -> Weight;
	fn create_grant_for(r: u32) -> Weight;
	fn revoke() -> Weight;
	fn request_consent(r: u32) -> Weight;
	fn approve_consent(r: u32) -> Weight;
	fn deny_consent() -> Weight;
	fn prune_expired(n: u32) -> Weight;
}

/// Weights for `pallet_shares`, using the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Reads: Patients, genesis bounds (2), NextGrantId, one record each.
	/// Writes: NextGrantId, Grants, PatientGrants, GrantsExpiringAt.
	fn create_grant(r: u32) -> Weight {
		Weight::from_parts(40_000_000, 6_000)
			.saturating_add(T::DbWeight::get().reads(4))
			.saturating_add(T::DbWeight::get().writes(4))
			.saturating_add(Weight::from_parts(8_000_000, 1_000).saturating_mul(r.into()))
			.saturating_add(T::DbWeight::get().reads(r.into()))
	}
	/// `create_grant` plus the operator (2 reads), the genesis hash, the nonce, an sr25519
	/// verification (twice at worst) and the custodian check (one more read per record).
	fn create_grant_for(r: u32) -> Weight {
		Weight::from_parts(200_000_000, 6_000)
			.saturating_add(T::DbWeight::get().reads(7))
			.saturating_add(T::DbWeight::get().writes(5))
			.saturating_add(Weight::from_parts(10_000_000, 1_000).saturating_mul(r.into()))
			.saturating_add(T::DbWeight::get().reads(2u64.saturating_mul(r.into())))
	}
	/// Reads: Grants, signer's hospital (2). Writes: Grants.
	fn revoke() -> Weight {
		Weight::from_parts(30_000_000, 6_000)
			.saturating_add(T::DbWeight::get().reads(3))
			.saturating_add(T::DbWeight::get().writes(1))
	}
	/// Reads: operator (2), Patients, bounds (2), pending count, lifetime, request id, records.
	/// Writes: request id, request, patient index, pending count.
	fn request_consent(r: u32) -> Weight {
		Weight::from_parts(40_000_000, 6_000)
			.saturating_add(T::DbWeight::get().reads(8))
			.saturating_add(T::DbWeight::get().writes(4))
			.saturating_add(Weight::from_parts(8_000_000, 1_000).saturating_mul(r.into()))
			.saturating_add(T::DbWeight::get().reads(r.into()))
	}
	/// Taking the request (3 reads, 3 writes), then `create_grant`.
	fn approve_consent(r: u32) -> Weight {
		Self::create_grant(r)
			.saturating_add(T::DbWeight::get().reads(3))
			.saturating_add(T::DbWeight::get().writes(3))
	}
	/// Reads: patient index, pending count, request. Writes: the same three.
	fn deny_consent() -> Weight {
		Weight::from_parts(25_000_000, 6_000)
			.saturating_add(T::DbWeight::get().reads(3))
			.saturating_add(T::DbWeight::get().writes(3))
	}
	/// Reads: cursor. Writes: cursor. Per grant: Grants read, three removals.
	fn prune_expired(n: u32) -> Weight {
		Weight::from_parts(5_000_000, 1_000)
			.saturating_add(T::DbWeight::get().reads(1))
			.saturating_add(T::DbWeight::get().writes(1))
			.saturating_add(
				Weight::from_parts(15_000_000, 6_000)
					.saturating_add(T::DbWeight::get().reads(1))
					.saturating_add(T::DbWeight::get().writes(3))
					.saturating_mul(n.into()),
			)
	}
}

impl WeightInfo for () {
	fn create_grant(r: u32) -> Weight {
		Weight::from_parts(40_000_000, 6_000)
			.saturating_add(Weight::from_parts(8_000_000, 1_000).saturating_mul(r.into()))
	}
	fn create_grant_for(r: u32) -> Weight {
		Weight::from_parts(200_000_000, 6_000)
			.saturating_add(Weight::from_parts(10_000_000, 1_000).saturating_mul(r.into()))
	}
	fn revoke() -> Weight {
		Weight::from_parts(30_000_000, 6_000)
	}
	fn request_consent(r: u32) -> Weight {
		Weight::from_parts(40_000_000, 6_000)
			.saturating_add(Weight::from_parts(8_000_000, 1_000).saturating_mul(r.into()))
	}
	fn approve_consent(r: u32) -> Weight {
		Self::create_grant(r)
	}
	fn deny_consent() -> Weight {
		Weight::from_parts(25_000_000, 6_000)
	}
	fn prune_expired(n: u32) -> Weight {
		Weight::from_parts(5_000_000, 1_000)
			.saturating_add(Weight::from_parts(15_000_000, 6_000).saturating_mul(n.into()))
	}
}
