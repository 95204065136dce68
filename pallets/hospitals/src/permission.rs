//! [`CheckPermission`]: the transaction extension that keeps the chain permissioned.
//!
//! It runs before `CheckNonce`, in the pool and again at block inclusion:
//! 1. a general (v5) transaction without a signer passes only if the runtime's
//!    [`CallPermissions::allows_unsigned`] names its call (else
//!    `Custom(`[`invalidity::UNSIGNED_NOT_PERMITTED`]`)`);
//! 2. the signer must be an active hospital's or active pharmacy's admin or operator, or a
//!    registered patient (else `InvalidTransaction::Custom(`[`invalidity::NOT_A_MEMBER`]`)`);
//!    the patients of a suspended or removed hospital keep only the calls that protect them;
//! 3. the call must be one that signer may make now, as the runtime's [`CallPermissions`] says
//!    (else `Custom(`[`invalidity::CALL_NOT_PERMITTED`]`)`);
//! 4. admins' transactions (hospitals' and pharmacies') get the highest pool [`priority`], then
//!    operators', then patients';
//! 5. an account gets at most `MaxExtrinsicsPerBlock` extrinsics into one block, and the
//!    patients of one hospital `MaxPatientExtrinsicsPerBlock` together; past that the
//!    transaction is `ExhaustsResources`, so it waits in the pool for a later block instead of
//!    being banned.
//!
//! It adds no bytes to the signed payload, so polkadot.js and subxt sign without custom types.

use codec::{Decode, DecodeWithMemTracking, Encode};
use core::marker::PhantomData;
use frame_support::{
	dispatch::DispatchInfo, pallet_prelude::TransactionSource, traits::Get, DefaultNoBound,
};
use frame_system::pallet_prelude::BlockNumberFor;
use medchain_primitives::{HospitalId, HospitalRegistry, HospitalRole};
use scale_info::TypeInfo;
use sp_runtime::{
	traits::{
		AsSystemOriginSigner, DispatchInfoOf, DispatchOriginOf, Dispatchable, Implication,
		TransactionExtension, ValidateResult,
	},
	transaction_validity::{InvalidTransaction, TransactionValidityError, ValidTransaction},
	Weight,
};

use crate::{AccountRoles, Config, ExtrinsicCount, Pallet, PatientExtrinsicCount, WeightInfo};

/// The `InvalidTransaction::Custom` codes [`CheckPermission`] refuses with.
pub mod invalidity {
	/// The signer is neither an active hospital's or pharmacy's admin or operator nor a
	/// registered patient.
	pub const NOT_A_MEMBER: u8 = 1;
	/// The signer's role may not make this call, or not now (e.g. an upgrade nobody authorized).
	pub const CALL_NOT_PERMITTED: u8 = 2;
	/// A general transaction without a signer, for a call not allowed unsigned.
	pub const UNSIGNED_NOT_PERMITTED: u8 = 3;
}

/// Pool priorities by signer: governance first, then hospitals' day-to-day work, then patients,
/// so a flood from below never delays what is above it.
pub mod priority {
	use super::{HospitalRole, Signer};

	/// Priority of a hospital's admin's transactions.
	pub const ADMIN: u64 = 3_000;
	/// Priority of a pharmacy's admin's transactions: below the hospitals' governance, so
	/// pharmacies never delay a vote of the hospitals (to suspend one of them, say).
	pub const PHARMACY_ADMIN: u64 = 2_500;
	/// Priority of a hospital's or pharmacy's operator's transactions.
	pub const OPERATOR: u64 = 2_000;
	/// Priority of a patient's transactions, orphaned or not.
	pub const PATIENT: u64 = 1_000;

	/// The pool priority of `signer`'s transactions.
	pub fn of(signer: &Signer) -> u64 {
		match signer {
			Signer::Hospital { role: HospitalRole::Admin, .. } => ADMIN,
			Signer::Pharmacy { role: HospitalRole::Admin, .. } => PHARMACY_ADMIN,
			Signer::Hospital { role: HospitalRole::Operator, .. }
			| Signer::Pharmacy { role: HospitalRole::Operator, .. } => OPERATOR,
			Signer::Patient { .. } | Signer::OrphanedPatient { .. } => PATIENT,
		}
	}
}

/// Who signed a transaction, as the registry sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signer {
	/// The admin or operator account of an active hospital.
	Hospital {
		/// The hospital the account serves.
		hospital: HospitalId,
		/// Whether the account is the hospital's admin or its operator.
		role: HospitalRole,
	},
	/// The admin or operator account of an active pharmacy: a member that never validates,
	/// and is no hospital to any pallet (the runtime's [`CallPermissions`] lists its calls).
	Pharmacy {
		/// The pharmacy the account serves.
		pharmacy: HospitalId,
		/// Whether the account is the pharmacy's admin or its operator.
		role: HospitalRole,
	},
	/// A registered patient pseudonym, and the (active) hospital that registered it.
	Patient {
		/// The hospital that registered the pseudonym.
		hospital: HospitalId,
	},
	/// A patient registered by a hospital that is now suspended or removed. No longer a full
	/// signer (its sybils can't act), but it may still protect itself: revoke, deny, withdraw,
	/// erase, as the runtime's [`CallPermissions`] lists.
	OrphanedPatient {
		/// The suspended or removed hospital that registered the pseudonym.
		hospital: HospitalId,
	},
}

/// Which calls each kind of signer may make. The runtime implements it over its call enum.
pub trait CallPermissions<AccountId, Call> {
	/// Whether `who`, whose role is `signer`, may make `call` now.
	fn allows(who: &AccountId, signer: &Signer, call: &Call) -> bool;

	/// Whether a general transaction without a signer may carry `call`. None may by default.
	/// An allowed call still needs an extension that authorizes its origin
	/// (`frame_system::AuthorizeCall` with `#[pallet::authorize]`), or the transaction is
	/// `UnknownOrigin`.
	fn allows_unsigned(_call: &Call) -> bool {
		false
	}
}

impl<T: Config> Pallet<T> {
	/// The role of `who`, if it may sign transactions at all: a member's role (a hospital's,
	/// then a pharmacy's) takes precedence over a patient entry of the same account.
	pub fn signer(who: &T::AccountId) -> Option<Signer> {
		if let Some((member, role)) = AccountRoles::<T>::get(who) {
			if Self::is_active(member) {
				return Some(Signer::Hospital { hospital: member, role });
			}
			if Self::is_active_pharmacy(member) {
				return Some(Signer::Pharmacy { pharmacy: member, role });
			}
		}
		let hospital = crate::Patients::<T>::get(who).filter(|p| p.active)?.hospital;
		Some(if Self::is_active(hospital) {
			Signer::Patient { hospital }
		} else {
			Signer::OrphanedPatient { hospital }
		})
	}
}

/// See the [module docs](self).
#[derive(Encode, Decode, DecodeWithMemTracking, Clone, Eq, PartialEq, TypeInfo, DefaultNoBound)]
#[scale_info(skip_type_params(T))]
pub struct CheckPermission<T: Config + Send + Sync>(PhantomData<T>);

impl<T: Config + Send + Sync> CheckPermission<T> {
	/// The extension, as the runtime lists it in its transaction extensions.
	pub fn new() -> Self {
		Self(PhantomData)
	}
}

impl<T: Config + Send + Sync> core::fmt::Debug for CheckPermission<T> {
	fn fmt(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
		write!(f, "CheckPermission")
	}
}

impl<T: Config + Send + Sync> TransactionExtension<T::RuntimeCall> for CheckPermission<T>
where
	T::RuntimeCall: Dispatchable<Info = DispatchInfo>,
	DispatchOriginOf<T::RuntimeCall>: AsSystemOriginSigner<T::AccountId> + Clone,
{
	const IDENTIFIER: &'static str = "CheckPermission";
	type Implicit = ();
	/// The signer whose extrinsic count `prepare` increments, and for a patient its hospital;
	/// `None` for an unsigned call the runtime allows.
	type Val = Option<(T::AccountId, Option<HospitalId>)>;
	type Pre = ();

	fn weight(&self, _: &T::RuntimeCall) -> Weight {
		T::WeightInfo::check_permission()
	}

	fn validate(
		&self,
		origin: DispatchOriginOf<T::RuntimeCall>,
		call: &T::RuntimeCall,
		_info: &DispatchInfoOf<T::RuntimeCall>,
		_len: usize,
		_self_implicit: (),
		_inherited_implication: &impl Implication,
		_source: TransactionSource,
	) -> ValidateResult<Self::Val, T::RuntimeCall> {
		// Bare extrinsics (inherents, `ValidateUnsigned`) never reach here; a general
		// transaction without a signer does, and only the runtime's explicit list passes.
		let Some(who) = origin.as_system_origin_signer() else {
			if T::CallPermissions::allows_unsigned(call) {
				return Ok((ValidTransaction::default(), None, origin));
			}
			return Err(InvalidTransaction::Custom(invalidity::UNSIGNED_NOT_PERMITTED).into());
		};
		let signer =
			Pallet::<T>::signer(who).ok_or(InvalidTransaction::Custom(invalidity::NOT_A_MEMBER))?;
		if !T::CallPermissions::allows(who, &signer, call) {
			return Err(InvalidTransaction::Custom(invalidity::CALL_NOT_PERMITTED).into());
		}
		if Pallet::<T>::extrinsics_this_block(who) >= T::MaxExtrinsicsPerBlock::get() {
			return Err(InvalidTransaction::ExhaustsResources.into());
		}
		let patients_of = match signer {
			Signer::Patient { hospital } | Signer::OrphanedPatient { hospital } => Some(hospital),
			Signer::Hospital { .. } | Signer::Pharmacy { .. } => None,
		};
		if patients_of.is_some_and(|hospital| {
			Pallet::<T>::patient_extrinsics_this_block(hospital)
				>= T::MaxPatientExtrinsicsPerBlock::get()
		}) {
			return Err(InvalidTransaction::ExhaustsResources.into());
		}
		let validity = ValidTransaction { priority: priority::of(&signer), ..Default::default() };
		Ok((validity, Some((who.clone(), patients_of)), origin))
	}

	fn prepare(
		self,
		val: Self::Val,
		_origin: &DispatchOriginOf<T::RuntimeCall>,
		_call: &T::RuntimeCall,
		_info: &DispatchInfoOf<T::RuntimeCall>,
		_len: usize,
	) -> Result<Self::Pre, TransactionValidityError> {
		if let Some((who, patients_of)) = val {
			let now = frame_system::Pallet::<T>::block_number();
			let count = Pallet::<T>::extrinsics_this_block(&who).saturating_add(1);
			ExtrinsicCount::<T>::insert(&who, (now, count));
			if let Some(hospital) = patients_of {
				let count = Pallet::<T>::patient_extrinsics_this_block(hospital).saturating_add(1);
				PatientExtrinsicCount::<T>::insert(hospital, (now, count));
			}
		}
		Ok(())
	}
}

impl<T: Config> Pallet<T> {
	/// How many extrinsics `who` has had included in the current block so far.
	pub fn extrinsics_this_block(who: &T::AccountId) -> u32 {
		Self::this_block(ExtrinsicCount::<T>::get(who))
	}

	/// How many extrinsics the patients `hospital` registered have had included in the current
	/// block so far, together.
	pub fn patient_extrinsics_this_block(hospital: HospitalId) -> u32 {
		Self::this_block(PatientExtrinsicCount::<T>::get(hospital))
	}

	fn this_block(count: Option<(BlockNumberFor<T>, u32)>) -> u32 {
		match count {
			Some((block, count)) if block == frame_system::Pallet::<T>::block_number() => count,
			_ => 0,
		}
	}
}
