//! The consortium's roles as origins: a pallet names them in its `Config` (as `pallet-nfts`
//! and KILT do) instead of checking the signer itself.

use core::marker::PhantomData;

use frame_support::{dispatch::RawOrigin, traits::EnsureOrigin};
use medchain_primitives::{HospitalId, HospitalRegistry, HospitalRole};

/// Succeeds with the hospital whose *active* operator signed the origin.
pub struct EnsureHospitalOperator<Registry, AccountId>(PhantomData<(Registry, AccountId)>);

/// Succeeds with the hospital whose *active* admin signed the origin.
pub struct EnsureHospitalAdmin<Registry, AccountId>(PhantomData<(Registry, AccountId)>);

/// The hospital `origin`'s signer serves as `role`, or the origin back.
fn try_role<O, Registry, AccountId>(origin: O, role: HospitalRole) -> Result<HospitalId, O>
where
	O: Into<Result<RawOrigin<AccountId>, O>> + From<RawOrigin<AccountId>>,
	Registry: HospitalRegistry<AccountId>,
{
	match origin.into()? {
		RawOrigin::Signed(who) => match Registry::active_hospital_of(&who) {
			Some((hospital, actual)) if actual == role => Ok(hospital),
			_ => Err(O::from(RawOrigin::Signed(who))),
		},
		other => Err(O::from(other)),
	}
}

impl<O, Registry, AccountId> EnsureOrigin<O> for EnsureHospitalOperator<Registry, AccountId>
where
	O: Into<Result<RawOrigin<AccountId>, O>> + From<RawOrigin<AccountId>>,
	Registry: HospitalRegistry<AccountId>,
{
	type Success = HospitalId;

	fn try_origin(origin: O) -> Result<HospitalId, O> {
		try_role::<O, Registry, AccountId>(origin, HospitalRole::Operator)
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn try_successful_origin() -> Result<O, ()> {
		let (operator, _) = Registry::benchmark_hospital(HospitalRole::Operator).ok_or(())?;
		Ok(O::from(RawOrigin::Signed(operator)))
	}
}

impl<O, Registry, AccountId> EnsureOrigin<O> for EnsureHospitalAdmin<Registry, AccountId>
where
	O: Into<Result<RawOrigin<AccountId>, O>> + From<RawOrigin<AccountId>>,
	Registry: HospitalRegistry<AccountId>,
{
	type Success = HospitalId;

	fn try_origin(origin: O) -> Result<HospitalId, O> {
		try_role::<O, Registry, AccountId>(origin, HospitalRole::Admin)
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn try_successful_origin() -> Result<O, ()> {
		let (admin, _) = Registry::benchmark_hospital(HospitalRole::Admin).ok_or(())?;
		Ok(O::from(RawOrigin::Signed(admin)))
	}
}

/// For benchmarks: an origin `Origin` accepts, and what it succeeds with (the hospital).
#[cfg(feature = "runtime-benchmarks")]
pub fn benchmark_origin<Origin, Outer>(
) -> Result<(Outer, Origin::Success), frame_benchmarking::BenchmarkError>
where
	Origin: EnsureOrigin<Outer>,
	Outer: Clone,
{
	let weightless = |_| frame_benchmarking::BenchmarkError::Weightless;
	let origin = Origin::try_successful_origin().map_err(weightless)?;
	let success = Origin::try_origin(origin.clone()).map_err(|_| weightless(()))?;
	Ok((origin, success))
}
