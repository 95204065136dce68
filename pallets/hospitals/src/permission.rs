//! [`CheckPermission`]: the transaction extension that keeps the chain permissioned.
//!
//! It runs before `CheckNonce`, in the pool and again at block inclusion:
//! 1. the signer must be an active hospital's admin or operator, or a registered patient
//!    (else `InvalidTransaction::Custom(`[`invalidity::NOT_A_MEMBER`]`)`);
//! 2. the call must be one that role may make, as the runtime's [`CallPermissions`] says
//!    (else `Custom(`[`invalidity::CALL_NOT_PERMITTED`]`)`);
//! 3. an account gets at most `MaxExtrinsicsPerBlock` extrinsics into one block; past that the
//!    transaction is `ExhaustsResources`, so it waits in the pool for a later block instead of
//!    being banned.
//!
//! It adds no bytes to the signed payload, so polkadot.js and subxt sign without custom types.

use codec::{Decode, DecodeWithMemTracking, Encode};
use core::marker::PhantomData;
use frame_support::{
	dispatch::DispatchInfo, pallet_prelude::TransactionSource, traits::Get, DefaultNoBound,
};
use medchain_primitives::{HospitalId, HospitalRegistry, HospitalRole, PatientRegistry};
use scale_info::TypeInfo;
use sp_runtime::{
	traits::{
		AsSystemOriginSigner, DispatchInfoOf, DispatchOriginOf, Dispatchable, Implication,
		TransactionExtension, ValidateResult,
	},
	transaction_validity::{InvalidTransaction, TransactionValidityError, ValidTransaction},
	Weight,
};

use crate::{Config, ExtrinsicCount, Pallet, WeightInfo};

/// The `InvalidTransaction::Custom` codes [`CheckPermission`] refuses with.
pub mod invalidity {
	/// The signer is neither an active hospital's admin or operator nor a registered patient.
	pub const NOT_A_MEMBER: u8 = 1;
	/// The signer's role may not make this call.
	pub const CALL_NOT_PERMITTED: u8 = 2;
}

/// Who signed a transaction, as the registry sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signer {
	/// The admin or operator account of an active hospital.
	Hospital { hospital: HospitalId, role: HospitalRole },
	/// A registered patient pseudonym, and the hospital that registered it.
	Patient { hospital: HospitalId },
}

/// Which calls each kind of signer may make. The runtime implements it over its call enum.
pub trait CallPermissions<Call> {
	fn allows(signer: &Signer, call: &Call) -> bool;
}

impl<T: Config> Pallet<T> {
	/// The role of `who`, if it may sign transactions at all.
	pub fn signer(who: &T::AccountId) -> Option<Signer> {
		if let Some((hospital, role)) = Self::active_hospital_of(who) {
			return Some(Signer::Hospital { hospital, role });
		}
		Self::registering_hospital(who).map(|hospital| Signer::Patient { hospital })
	}
}

/// See the [module docs](self).
#[derive(Encode, Decode, DecodeWithMemTracking, Clone, Eq, PartialEq, TypeInfo, DefaultNoBound)]
#[scale_info(skip_type_params(T))]
pub struct CheckPermission<T: Config + Send + Sync>(PhantomData<T>);

impl<T: Config + Send + Sync> CheckPermission<T> {
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
	/// The signer whose extrinsic count `prepare` increments; `None` for unsigned origins.
	type Val = Option<T::AccountId>;
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
		// Inherents and unsigned transactions carry no signer; their own checks apply.
		let Some(who) = origin.as_system_origin_signer() else {
			return Ok((ValidTransaction::default(), None, origin));
		};
		let signer =
			Pallet::<T>::signer(who).ok_or(InvalidTransaction::Custom(invalidity::NOT_A_MEMBER))?;
		if !T::CallPermissions::allows(&signer, call) {
			return Err(InvalidTransaction::Custom(invalidity::CALL_NOT_PERMITTED).into());
		}
		if Pallet::<T>::extrinsics_this_block(who) >= T::MaxExtrinsicsPerBlock::get() {
			return Err(InvalidTransaction::ExhaustsResources.into());
		}
		let who = who.clone();
		Ok((ValidTransaction::default(), Some(who), origin))
	}

	fn prepare(
		self,
		val: Self::Val,
		_origin: &DispatchOriginOf<T::RuntimeCall>,
		_call: &T::RuntimeCall,
		_info: &DispatchInfoOf<T::RuntimeCall>,
		_len: usize,
	) -> Result<Self::Pre, TransactionValidityError> {
		if let Some(who) = val {
			let now = frame_system::Pallet::<T>::block_number();
			let count = Pallet::<T>::extrinsics_this_block(&who).saturating_add(1);
			ExtrinsicCount::<T>::insert(&who, (now, count));
		}
		Ok(())
	}
}

impl<T: Config> Pallet<T> {
	/// How many extrinsics `who` has had included in the current block so far.
	pub fn extrinsics_this_block(who: &T::AccountId) -> u32 {
		match ExtrinsicCount::<T>::get(who) {
			Some((block, count)) if block == frame_system::Pallet::<T>::block_number() => count,
			_ => 0,
		}
	}
}
