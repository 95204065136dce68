//! # Access-log pallet
//!
//! Every disclosure of a record leaves an entry on chain: which record of which patient, who
//! read it, which custodian holds it, exactly which fields may be released, why, when, and how
//! it was authorized. Checks happen at dispatch, so a refused access is itself on chain as a
//! failed extrinsic with its reason.
//!
//! ## Calls
//! - [`Pallet::access`]: an active hospital's operator presents a share token's signature of
//!   the request (grant, record, accessor, purpose, the grant's use count, valid-until block).
//!   The shares pallet checks and counts the use (`ShareGrants::use_grant`), so the same
//!   signature never works twice.
//! - [`Pallet::break_glass`]: emergency access without a grant, with a justification code,
//!   limited per hospital in any genesis-set period (a rolling window), flagged, and announced
//!   to the patient by an `EmergencyAccess` event.
//! - [`Pallet::patient_access`]: the patient reads their own record.
//!
//! ## Quotas
//! Entries stay forever, so each writer is bounded in any `QuotaPeriod` blocks (rolling windows,
//! `medchain_primitives::quota`): a hospital's grant accesses (`MaxAccessesPerHospital`), one
//! patient's own reads (`MaxPatientAccesses`), and the own reads of all the patients one hospital
//! registered together (`MaxPatientAccessesPerHospital`), so registering more pseudonyms buys
//! no more entries.
//! - [`Pallet::confirm_release`]: the custodian records, once, the hash of what it sent, so an
//!   auditor can tell an authorized read from an actual disclosure.
//!
//! Entries are indexed by patient, accessor hospital, custodian and record, one storage item
//! per entry, in time order; the `AccessLogApi` runtime API pages through an index within a
//! time range.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod logging;
#[cfg(test)]
mod mock;
mod queries;
#[cfg(test)]
mod tests;
pub mod weights;

pub use weights::WeightInfo;

/// Sets up what benchmarks need from the registry, the records and the shares pallets.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// An active hospital's operator account, and its hospital.
	fn operator() -> (AccountId, medchain_primitives::HospitalId);
	/// An active record in the custody of the operator's hospital, and its patient.
	fn record(seed: u32) -> (medchain_primitives::commitment::RecordId, AccountId);
	/// An active grant of `record` to whoever holds the token with `token_key`.
	fn grant(
		patient: AccountId,
		record: medchain_primitives::commitment::RecordId,
		token_key: medchain_primitives::shares::TokenKey,
	) -> medchain_primitives::shares::GrantId;
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{pallet_prelude::*, traits::UnixTime};
	use frame_system::pallet_prelude::*;
	use medchain_primitives::{
		access::{AccessEntry, AccessId, AccessKind, AccessQuery, BreakGlassReason},
		commitment::{Hash256, RecordId},
		shares::{GrantId, PurposeOfUse, ShareGrants, TokenSignature},
		FieldMask, HospitalId, HospitalRegistry, PatientRegistry, RecordLookup, RollingQuota,
	};

	pub type AccessEntryOf<T> =
		AccessEntry<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;
	pub type AccessQueryOf<T> = AccessQuery<<T as frame_system::Config>::AccountId>;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		type Hospitals: HospitalRegistry<Self::AccountId>;
		type Patients: PatientRegistry<Self::AccountId>;
		type Records: RecordLookup<Self::AccountId, BlockNumberFor<Self>>;
		type Grants: ShareGrants<Self::AccountId, BlockNumberFor<Self>>;
		type UnixTime: UnixTime;

		/// Most entries the runtime API returns in one page.
		#[pallet::constant]
		type MaxPageSize: Get<u32>;

		/// The rolling window of the access quotas, in blocks (a day in production).
		#[pallet::constant]
		type QuotaPeriod: Get<BlockNumberFor<Self>>;

		/// Most grant accesses one hospital may log in any `QuotaPeriod` blocks.
		#[pallet::constant]
		type MaxAccessesPerHospital: Get<u32>;

		/// Most own-record reads one patient may log in any `QuotaPeriod` blocks.
		#[pallet::constant]
		type MaxPatientAccesses: Get<u32>;

		/// Most own-record reads all the patients one hospital registered may log together in
		/// any `QuotaPeriod` blocks.
		#[pallet::constant]
		type MaxPatientAccessesPerHospital: Get<u32>;

		type WeightInfo: WeightInfo;

		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	#[pallet::storage]
	pub type NextAccessId<T: Config> = StorageValue<_, AccessId, ValueQuery>;

	#[pallet::storage]
	pub type Entries<T: Config> = StorageMap<_, Twox64Concat, AccessId, AccessEntryOf<T>>;

	/// The entries of each patient, accessor, custodian and record, in time order:
	/// (query, position) → entry.
	#[pallet::storage]
	pub type Index<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, AccessQueryOf<T>, Twox64Concat, u32, AccessId>;

	#[pallet::storage]
	pub type IndexLength<T: Config> =
		StorageMap<_, Blake2_128Concat, AccessQueryOf<T>, u32, ValueQuery>;

	/// Break-glass accesses per hospital in the rolling break-glass period.
	#[pallet::storage]
	pub type BreakGlassUsage<T: Config> =
		StorageMap<_, Twox64Concat, HospitalId, RollingQuota, ValueQuery>;

	/// Grant accesses per accessor hospital in the rolling quota period.
	#[pallet::storage]
	pub type HospitalAccessQuota<T: Config> =
		StorageMap<_, Twox64Concat, HospitalId, RollingQuota, ValueQuery>;

	/// Own-record reads per patient in the rolling quota period.
	#[pallet::storage]
	pub type PatientAccessQuota<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, RollingQuota, ValueQuery>;

	/// Own-record reads of each hospital's registered patients together, in the rolling quota
	/// period.
	#[pallet::storage]
	pub type RegisteredPatientsAccessQuota<T: Config> =
		StorageMap<_, Twox64Concat, HospitalId, RollingQuota, ValueQuery>;

	/// The break-glass period, in blocks.
	#[pallet::storage]
	pub type BreakGlassPeriod<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// Break-glass accesses one hospital may open per period.
	#[pallet::storage]
	pub type BreakGlassLimit<T: Config> = StorageValue<_, u32, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		pub break_glass_period: BlockNumberFor<T>,
		pub break_glass_limit: u32,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			BreakGlassPeriod::<T>::put(self.break_glass_period.max(One::one()));
			BreakGlassLimit::<T>::put(self.break_glass_limit);
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		AccessRecorded {
			access: AccessId,
			kind: AccessKind,
			record: RecordId,
			custodian: HospitalId,
			fields: FieldMask,
		},
		/// Break-glass: the patient's notification.
		EmergencyAccess {
			access: AccessId,
			patient: T::AccountId,
			record: RecordId,
			accessor: HospitalId,
			reason: BreakGlassReason,
		},
		ReleaseConfirmed {
			access: AccessId,
			custodian: HospitalId,
			response_hash: Hash256,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The signer is not an operator of an active hospital.
		UnregisteredAccessor,
		RecordNotFound,
		/// The record was erased.
		RecordErased,
		/// The record was amended: its newer version must be shared.
		RecordSuperseded,
		GrantNotFound,
		/// The signature is not the grant's token's signature of this request.
		BadTokenSignature,
		/// The signature was used already: the grant's use count has moved on.
		SignatureReplayed,
		/// The request claims more uses than the grant has had.
		UseCountMismatch,
		/// The request's valid-until block has passed.
		AccessRequestExpired,
		GrantRevoked,
		GrantExpired,
		/// The grant is for another hospital.
		WrongGrantee,
		RecordNotInGrant,
		/// The access states another purpose than the grant's.
		PurposeMismatch,
		/// The grant's maximum number of uses is reached.
		UsesExhausted,
		/// This hospital has used its break-glass accesses for the period.
		BreakGlassLimitReached,
		/// This hospital logged `MaxAccessesPerHospital` grant accesses in the quota period.
		HospitalAccessQuotaReached,
		/// This patient logged `MaxPatientAccesses` own reads in the quota period.
		PatientAccessQuotaReached,
		/// The patients of this patient's hospital logged `MaxPatientAccessesPerHospital` own
		/// reads together in the quota period.
		HospitalPatientsAccessQuotaReached,
		/// The signer is not a registered patient of an active hospital.
		NotRegisteredPatient,
		/// Only the record's patient may read it as the patient.
		NotRecordPatient,
		AccessNotFound,
		/// Only the entry's custodian confirms its release.
		NotEntryCustodian,
		/// The release of this entry was confirmed already.
		AlreadyReleased,
		/// The access id counter is exhausted.
		Overflow,
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Reads `record` under `grant`, with the share token's `signature` of the request.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::access())]
		pub fn access(
			origin: OriginFor<T>,
			grant: GrantId,
			record: RecordId,
			purpose: PurposeOfUse,
			uses: u32,
			valid_until: BlockNumberFor<T>,
			signature: TokenSignature,
		) -> DispatchResult {
			let accessor = Self::ensure_operator(origin)?;
			Self::do_access(accessor, grant, record, purpose, uses, valid_until, &signature)
		}

		/// Opens an emergency access to `record` without a grant.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::break_glass())]
		pub fn break_glass(
			origin: OriginFor<T>,
			record: RecordId,
			reason: BreakGlassReason,
		) -> DispatchResult {
			let accessor = Self::ensure_operator(origin)?;
			Self::do_break_glass(accessor, record, reason)
		}

		/// The patient reads their own record.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::patient_access())]
		pub fn patient_access(origin: OriginFor<T>, record: RecordId) -> DispatchResult {
			let patient = ensure_signed(origin)?;
			Self::do_patient_access(patient, record)
		}

		/// The custodian confirms it released the response with hash `response_hash`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::confirm_release())]
		pub fn confirm_release(
			origin: OriginFor<T>,
			access: AccessId,
			response_hash: Hash256,
		) -> DispatchResult {
			let custodian = Self::ensure_operator(origin)?;
			Self::do_confirm_release(custodian, access, response_hash)
		}
	}
}
