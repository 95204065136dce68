//! The consortium's roles as origins: a pallet names them in its `Config` (as `pallet-nfts`
//! and KILT do) instead of checking the signer itself.

use core::marker::PhantomData;

use frame_support::{
	dispatch::RawOrigin,
	traits::{EnsureOrigin, Get},
};
use medchain_primitives::{HospitalId, HospitalRegistry, HospitalRole};

/// Succeeds with the hospital whose *active* `Role` (operator or admin) signed the origin.
pub struct EnsureHospitalRole<Registry, AccountId, Role>(PhantomData<(Registry, AccountId, Role)>);

/// The operator role, for [`EnsureHospitalRole`].
pub struct Operator;
impl Get<HospitalRole> for Operator {
	fn get() -> HospitalRole {
		HospitalRole::Operator
	}
}

/// The admin role, for [`EnsureHospitalRole`].
pub struct Admin;
impl Get<HospitalRole> for Admin {
	fn get() -> HospitalRole {
		HospitalRole::Admin
	}
}

/// Succeeds with the hospital whose active operator signed the origin.
pub type EnsureHospitalOperator<Registry, AccountId> =
	EnsureHospitalRole<Registry, AccountId, Operator>;

/// Succeeds with the hospital whose active admin signed the origin.
pub type EnsureHospitalAdmin<Registry, AccountId> = EnsureHospitalRole<Registry, AccountId, Admin>;

impl<O, Registry, AccountId, Role> EnsureOrigin<O> for EnsureHospitalRole<Registry, AccountId, Role>
where
	O: Into<Result<RawOrigin<AccountId>, O>> + From<RawOrigin<AccountId>>,
	Registry: HospitalRegistry<AccountId>,
	Role: Get<HospitalRole>,
{
	type Success = HospitalId;

	fn try_origin(origin: O) -> Result<HospitalId, O> {
		signed_in_role(origin, Registry::active_hospital_of, Role::get())
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn try_successful_origin() -> Result<O, ()> {
		let (account, _) = Registry::benchmark_hospital(Role::get()).ok_or(())?;
		Ok(O::from(RawOrigin::Signed(account)))
	}
}

/// Succeeds with the pharmacy whose active operator signed the origin.
pub struct EnsurePharmacyOperator<Registry, AccountId>(PhantomData<(Registry, AccountId)>);

impl<O, Registry, AccountId> EnsureOrigin<O> for EnsurePharmacyOperator<Registry, AccountId>
where
	O: Into<Result<RawOrigin<AccountId>, O>> + From<RawOrigin<AccountId>>,
	Registry: HospitalRegistry<AccountId>,
{
	type Success = HospitalId;

	fn try_origin(origin: O) -> Result<HospitalId, O> {
		signed_in_role(origin, Registry::active_pharmacy_of, HospitalRole::Operator)
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn try_successful_origin() -> Result<O, ()> {
		let (account, _) = Registry::benchmark_pharmacy(HospitalRole::Operator).ok_or(())?;
		Ok(O::from(RawOrigin::Signed(account)))
	}
}

/// The member whose account in `role` signed `origin`, as `member_of` finds it.
fn signed_in_role<O, AccountId>(
	origin: O,
	member_of: impl Fn(&AccountId) -> Option<(HospitalId, HospitalRole)>,
	role: HospitalRole,
) -> Result<HospitalId, O>
where
	O: Into<Result<RawOrigin<AccountId>, O>> + From<RawOrigin<AccountId>>,
{
	match origin.into()? {
		RawOrigin::Signed(who) => match member_of(&who) {
			Some((member, signer_role)) if signer_role == role => Ok(member),
			_ => Err(O::from(RawOrigin::Signed(who))),
		},
		other => Err(O::from(other)),
	}
}

/// What `Origin` succeeds with (the hospital) for an origin signed by `who`: the same check a
/// call taking `Origin` makes, for a call that also accepts other signers (a patient, say).
pub fn success_for_signer<T: frame_system::Config, Origin>(
	who: &T::AccountId,
) -> Option<Origin::Success>
where
	Origin: EnsureOrigin<T::RuntimeOrigin>,
{
	Origin::try_origin(RawOrigin::Signed(who.clone()).into()).ok()
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
