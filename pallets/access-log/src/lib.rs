//! # Access-log pallet
//!
//! Every disclosure of a record leaves an entry on chain: which record of which patient, who
//! read it, which custodian holds it, exactly which fields may be released, why, when, and how
//! it was authorized. Checks happen at dispatch, so a refused access is itself on chain as a
//! failed extrinsic with its reason.
//!
//! ## Calls
//! - [`Pallet::access`]: an active hospital's operator, or a pharmacy's for a prescription
//!   (`Config::PharmacyOrigin`), presents a share token's signature of the request (grant, record, accessor, purpose, the
//!   grant's use count, valid-until block). The shares pallet checks and counts the use
//!   (`ShareGrants::use_grant`), so the same signature never works twice.
//! - [`Pallet::break_glass`]: emergency access without a grant, with a justification code,
//!   limited per hospital in any genesis-set period (a rolling window), flagged, and announced
//!   to the patient by an `EmergencyAccess` event.
//! - [`Pallet::patient_access`]: the patient reads their own record.
//! - [`Pallet::confirm_release`]: the custodian records, once, the hash of what it sent, so an
//!   auditor can tell an authorized read from an actual disclosure.
//!
//! ## Quotas
//! Entries stay forever, so each writer is bounded in any `QuotaPeriod` blocks (rolling windows,
//! `medchain_primitives::quota`): a hospital's grant accesses (`MaxAccessesPerHospital`), one
//! patient's own reads (`MaxPatientAccesses`), and the own reads of all the patients one hospital
//! registered together (`MaxPatientAccessesPerHospital`), so registering more pseudonyms buys
//! no more entries.
//!
//! Entries are indexed by patient, accessor hospital, custodian and record, one storage item
//! per entry, in time order; the `AccessLogApi` runtime API pages through an index within a
//! time range. [`AccessedBy`] holds each (record, accessor)'s latest entry, which the records
//! pallet's `fill` asks for through `medchain_primitives::prescription::AccessLookup`.

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]
#![cfg_attr(test, allow(clippy::arithmetic_side_effects, reason = "tests compute expected values"))]

extern crate alloc;

pub use pallet::*;

#[cfg(any(feature = "try-runtime", test))]
mod try_state;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod disclosure;
pub mod migrations;
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
	/// An active record in the custody of the operator's hospital, and its patient.
	fn record(seed: u32) -> (medchain_primitives::commitment::RecordId, AccountId);
	/// An active grant of `record` to whoever holds the token with `token_key`.
	fn grant(
		patient: AccountId,
		record: medchain_primitives::commitment::RecordId,
		token_key: medchain_primitives::shares::TokenKey,
	) -> medchain_primitives::shares::GrantId;
}

use disclosure::AccessorKind;

// The `#[pallet::storage]` expansion calls `expect` on the pallet's name in the runtime (set by
// `construct_runtime!`); this pallet's own code never does (the workspace denies it).
#[allow(clippy::expect_used, reason = "expanded by #[pallet::storage]")]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{pallet_prelude::*, traits::UnixTime};
	use frame_system::pallet_prelude::*;
	use medchain_pallet_support::AppendOnlyIndex;
	use medchain_primitives::{
		access::{AccessEntry, AccessId, AccessKind, AccessQuery, BreakGlassReason},
		commitment::{Hash256, RecordId},
		shares::{GrantId, PurposeOfUse, ShareGrants, TokenSignature},
		FieldMask, HospitalId, PatientRegistry, RecordLookup, RollingQuota,
	};

	/// An access entry with the runtime's account and block number types.
	pub type AccessEntryOf<T> =
		AccessEntry<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;
	/// An index key (patient, accessor, custodian or record) with the runtime's account type.
	pub type AccessQueryOf<T> = AccessQuery<<T as frame_system::Config>::AccountId>;

	/// The layout of this pallet's storage. Bump it with every change to the layout, and add
	/// the migration to the runtime's `Migrations`.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	/// The access-log pallet.
	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// The pallet's configuration trait.
	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// The origin of a hospital's own calls (`break_glass`, `confirm_release`): an active
		/// hospital's operator, succeeding with its hospital
		/// (`medchain_pallet_support::EnsureHospitalOperator` in the runtime).
		type OperatorOrigin: EnsureOrigin<Self::RuntimeOrigin, Success = HospitalId>;
		/// The origin of a pharmacy's `access`: an active pharmacy's operator, succeeding with
		/// its pharmacy (`medchain_pallet_support::EnsurePharmacyOperator` in the runtime). A
		/// pharmacy opens prescriptions only.
		type PharmacyOrigin: EnsureOrigin<Self::RuntimeOrigin, Success = HospitalId>;
		/// The registered patients and the hospitals that registered them.
		type Patients: PatientRegistry<Self::AccountId>;
		/// The anchored records an access reads.
		type Records: RecordLookup<Self::AccountId, BlockNumberFor<Self>>;
		/// The share grants an access spends.
		type Grants: ShareGrants<Self::AccountId, BlockNumberFor<Self>>;
		/// The clock that timestamps entries and releases (Unix milliseconds).
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

		/// Weights of the calls.
		type WeightInfo: WeightInfo;

		/// Sets up the records and grants the benchmarks use.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// The id the next entry gets.
	#[pallet::storage]
	pub type NextAccessId<T: Config> = StorageValue<_, AccessId, ValueQuery>;

	/// Every access entry, by id.
	#[pallet::storage]
	pub type Entries<T: Config> = StorageMap<_, Twox64Concat, AccessId, AccessEntryOf<T>>;

	/// The entries of each patient, accessor, custodian and record, in time order:
	/// (query, position) → entry id.
	#[pallet::storage]
	pub type Index<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, AccessQueryOf<T>, Twox64Concat, u32, AccessId>;

	/// How many entries each index holds: the position of its next entry.
	#[pallet::storage]
	pub type IndexLength<T: Config> =
		StorageMap<_, Blake2_128Concat, AccessQueryOf<T>, u32, ValueQuery>;

	/// The entries of each query in time order, over [`Index`] and [`IndexLength`].
	pub type AccessIndex<T> = AppendOnlyIndex<AccessQueryOf<T>, AccessId, Index<T>, IndexLength<T>>;

	/// The latest entry of each (record, accessor hospital or pharmacy).
	#[pallet::storage]
	pub type AccessedBy<T: Config> =
		StorageDoubleMap<_, Identity, RecordId, Twox64Concat, HospitalId, AccessId>;

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

	/// The rolling break-glass period, in blocks (set at genesis, at least one).
	#[pallet::storage]
	pub type BreakGlassPeriod<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// Break-glass accesses one hospital may open in any `BreakGlassPeriod` blocks.
	#[pallet::storage]
	pub type BreakGlassLimit<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// The break-glass period and limit at genesis.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The rolling break-glass period, in blocks (0 is stored as 1).
		pub break_glass_period: BlockNumberFor<T>,
		/// Break-glass accesses one hospital may open per period.
		pub break_glass_limit: u32,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			BreakGlassPeriod::<T>::put(self.break_glass_period.max(One::one()));
			BreakGlassLimit::<T>::put(self.break_glass_limit);
		}
	}

	/// The pallet's events.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An access entry was written.
		AccessRecorded {
			/// The entry's id.
			access: AccessId,
			/// How the access was authorized: grant, break-glass or the patient.
			kind: AccessKind,
			/// The record read.
			record: RecordId,
			/// The hospital holding the record, which releases the fields.
			custodian: HospitalId,
			/// Exactly the fields the custodian may release.
			fields: FieldMask,
		},
		/// Break-glass: the patient's notification.
		EmergencyAccess {
			/// The entry's id.
			access: AccessId,
			/// The record's patient.
			patient: T::AccountId,
			/// The record read.
			record: RecordId,
			/// The hospital that broke the glass.
			accessor: HospitalId,
			/// The justification code.
			reason: BreakGlassReason,
		},
		/// The custodian confirmed what it released for an entry.
		ReleaseConfirmed {
			/// The entry's id.
			access: AccessId,
			/// The custodian hospital.
			custodian: HospitalId,
			/// Hash of the response the custodian sent.
			response_hash: Hash256,
		},
	}

	/// The pallet's errors.
	#[pallet::error]
	pub enum Error<T> {
		/// The origin is not an active hospital's operator (`Config::OperatorOrigin`), or for
		/// `access` an active hospital's or pharmacy's operator (`Config::PharmacyOrigin`).
		NotHospitalOperator,
		/// No record has this id.
		RecordNotFound,
		/// The record was erased.
		RecordIsErased,
		/// The record was amended: its newer version must be shared.
		RecordSuperseded,
		/// No grant has this id.
		GrantNotFound,
		/// The signature is not the grant's token's signature of this request.
		BadTokenSignature,
		/// The signature was used already: the grant's use count has moved on.
		SignatureReplayed,
		/// The request claims more uses than the grant has had.
		UseCountMismatch,
		/// The request's valid-until block has passed.
		AccessRequestExpired,
		/// The grant was revoked.
		GrantRevoked,
		/// The grant's duration is over.
		GrantExpired,
		/// The grant is for another hospital.
		WrongGrantee,
		/// The grant does not cover this record.
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
		/// No access entry has this id.
		AccessNotFound,
		/// Only the entry's custodian confirms its release.
		NotEntryCustodian,
		/// The release of this entry was confirmed already.
		AlreadyReleased,
		/// The access id counter is exhausted.
		Overflow,
		/// A pharmacy opens prescriptions only.
		PharmacyOpensPrescriptionsOnly,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Logs a read of `record` under `grant`, with the share token's `signature` of the
		/// request (grant, record, accessor, `purpose`, `uses`, `valid_until`). The shares pallet
		/// counts the use, so a signature works only once; the entry names the fields the grant
		/// discloses of the record.
		///
		/// The origin must be the operator of an active hospital, or of an active pharmacy
		/// (`Config::PharmacyOrigin`) for a prescription: a grant a patient made for any
		/// hospital never opens their other records to pharmacies.
		///
		/// Emits `AccessRecorded`.
		///
		/// Errors: `NotHospitalOperator`, `PharmacyOpensPrescriptionsOnly`; `RecordNotFound`,
		/// `RecordIsErased`,
		/// `RecordSuperseded`; the grant's refusals
		/// `GrantNotFound`, `BadTokenSignature`, `SignatureReplayed`, `UseCountMismatch`,
		/// `AccessRequestExpired`, `GrantRevoked`, `GrantExpired`, `WrongGrantee`,
		/// `RecordNotInGrant` (also when the grant is another patient's), `PurposeMismatch`,
		/// `UsesExhausted`; `HospitalAccessQuotaReached`; `Overflow`.
		///
		/// ## Complexity
		/// - O(1).
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
			let (accessor, kind) = match T::OperatorOrigin::try_origin(origin) {
				Ok(hospital) => (hospital, AccessorKind::Hospital),
				Err(origin) => (
					T::PharmacyOrigin::try_origin(origin)
						.map_err(|_| Error::<T>::NotHospitalOperator)?,
					AccessorKind::Pharmacy,
				),
			};
			let request = (grant, record, purpose, uses, valid_until);
			Self::do_access(accessor, kind, request, &signature)
		}

		/// Opens an emergency access to `record` without a grant, with the justification code
		/// `reason`. The entry discloses every field of the record, with purpose
		/// `EmergencyTreatment`. Each hospital may open at most `BreakGlassLimit` in any
		/// `BreakGlassPeriod` blocks.
		///
		/// The origin must be the operator of an active hospital (`Config::OperatorOrigin`).
		///
		/// Emits `AccessRecorded`, then `EmergencyAccess` for the patient.
		///
		/// Errors: `NotHospitalOperator`, `RecordNotFound`, `RecordIsErased`,
		/// `RecordSuperseded`, `BreakGlassLimitReached`, `Overflow`.
		///
		/// ## Complexity
		/// - O(1).
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::break_glass())]
		pub fn break_glass(
			origin: OriginFor<T>,
			record: RecordId,
			reason: BreakGlassReason,
		) -> DispatchResult {
			let accessor = T::OperatorOrigin::try_origin(origin)
				.map_err(|_| Error::<T>::NotHospitalOperator)?;
			Self::do_break_glass(accessor, record, reason)
		}

		/// The patient reads their own `record`: the entry discloses every field, with purpose
		/// `PatientRequested`. Counts against the patient's quota (`MaxPatientAccesses`) and that
		/// of all the patients their hospital registered (`MaxPatientAccessesPerHospital`).
		///
		/// The origin must be signed by the record's patient, an active registered patient of an
		/// active hospital.
		///
		/// Emits `AccessRecorded`.
		///
		/// Errors: `NotRegisteredPatient`, `RecordNotFound`, `RecordIsErased`,
		/// `RecordSuperseded`, `NotRecordPatient`, `PatientAccessQuotaReached`,
		/// `HospitalPatientsAccessQuotaReached`, `Overflow`.
		///
		/// ## Complexity
		/// - O(1).
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::patient_access())]
		pub fn patient_access(origin: OriginFor<T>, record: RecordId) -> DispatchResult {
			let patient = ensure_signed(origin)?;
			Self::do_patient_access(patient, record)
		}

		/// The custodian confirms it released, for entry `access`, the response with hash
		/// `response_hash`. The receipt (hash, block, time) is written once into the entry.
		///
		/// The origin must be the operator of an active hospital (`Config::OperatorOrigin`), the
		/// entry's custodian.
		///
		/// Emits `ReleaseConfirmed`.
		///
		/// Errors: `NotHospitalOperator`, `AccessNotFound`, `NotEntryCustodian`,
		/// `AlreadyReleased`.
		///
		/// ## Complexity
		/// - O(1).
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::confirm_release())]
		pub fn confirm_release(
			origin: OriginFor<T>,
			access: AccessId,
			response_hash: Hash256,
		) -> DispatchResult {
			let custodian = T::OperatorOrigin::try_origin(origin)
				.map_err(|_| Error::<T>::NotHospitalOperator)?;
			Self::do_confirm_release(custodian, access, response_hash)
		}
	}
}
