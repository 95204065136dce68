//! # Records pallet
//!
//! Anchors medical records without a byte of health information: a record on chain is its
//! patient's pseudonym, its custodian hospital, its type, the Merkle root of its field leaves
//! (`medchain_primitives::commitment`), the digest of the ciphertext the custodian stores, its
//! version, status, block and time.
//!
//! ## Calls
//! - [`Pallet::anchor`]: a custodian hospital's operator anchors a record for a patient
//!   pseudonym it registered itself (pseudonyms are per custodian). The record id is derived from (custodian, client request id), so nobody
//!   can front-run it; a repeated request id is refused (`DuplicateRequest`). Field roots need
//!   not be unique: a root commits to its record id (`medchain_primitives::commitment`), so
//!   [`Pallet::verify`] asks for the record id and the root together, and a root copied into
//!   another hospital's anchor neither blocks nor impersonates the true custodian.
//! - [`Pallet::anchor_batch`]: up to `MaxBatchSize` anchors in one extrinsic. **Not atomic**: each
//!   item succeeds or fails on its own (`RecordAnchored` or `AnchorFailed { index, error }`), so
//!   one duplicate in a bulk import does not throw away the rest; a failed item's writes are
//!   refunded. The bookkeeping is per call, not per item: the quota, the block time and the
//!   custodian's index length are read and written once, each patient's index length once
//!   (`anchor_batch.rs`); past the quota, the remaining items fail with `AnchorQuotaReached`.
//! - [`Pallet::amend`]: the custodian anchors a new version; the old one becomes `Amended`.
//! - [`Pallet::erase`]: the patient turns their record into a tombstone at once: status
//!   `Erased` with block, time and who asked; the hashes stay. The custodian's operator only
//!   schedules an erasure, due after the genesis-set `CustodianEraseDelay`, so a stolen operator
//!   key can't destroy records irreversibly.
//! - [`Pallet::cancel_erasure`]: the patient or the custodian's admin cancels a scheduled
//!   erasure before it is completed.
//! - [`Pallet::complete_erasure`]: the custodian's operator or the patient completes a
//!   scheduled erasure once it is due, and only while the operator that scheduled it is still
//!   the custodian's operator: rotating a stolen key voids the erasures it scheduled.
//! - [`Pallet::fill`]: an active pharmacy's operator records one dispensing of a prescription
//!   it holds an access entry for (`prescription.rs`).
//!
//! ## Prescriptions
//! A `Prescription` record is anchored, through `anchor_batch` only, with terms: how many fills
//! (refills + 1, at most `MaxRefills` refills) until when (capped at `MaxPrescriptionValidity`
//! after anchoring). An amendment carries the terms to the new version, and fills are counted
//! against the first version (the root), so no amendment resets them. Only the latest, unerased,
//! unexpired version fills, by a pharmacy that opened exactly that version in the access log
//! (`Config::Accesses`); `medchain_primitives::prescription::FillRefusal` states the rules once,
//! for `fill` and for the runtime API.
//!
//! ## Quotas
//! A custodian anchors (or amends) at most `MaxAnchorsPerPeriod` records in any `QuotaPeriod`
//! blocks (a rolling window, `medchain_primitives::quota`); past it, `AnchorQuotaReached`.
//!
//! Records are indexed by patient and by custodian in anchoring order (one storage entry per
//! record, so an index holds any number of records); the `RecordsApi` runtime API pages
//! through them and verifies roots and disclosed fields.

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]
#![cfg_attr(test, allow(clippy::arithmetic_side_effects, reason = "tests compute expected values"))]

extern crate alloc;

pub use pallet::*;

#[cfg(any(feature = "try-runtime", test))]
mod try_state;

mod anchor_batch;
mod anchoring;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod migrations;
#[cfg(test)]
mod mock;
mod prescription;
mod queries;
#[cfg(test)]
mod tests;
pub mod weights;

pub use weights::WeightInfo;

/// Sets up what benchmarks need from the registry.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Registered patient pseudonym `seed`; distinct seeds give distinct patients.
	fn patient(seed: u32) -> AccountId;
	/// Gives `accessor` (the benchmark pharmacy) an access entry for exactly `record`, so that
	/// `Config::Accesses` finds it.
	fn access(
		record: medchain_primitives::commitment::RecordId,
		accessor: medchain_primitives::HospitalId,
	);
}

/// The records pallet: its config, storage, events, errors and calls.
// The `#[pallet::storage]` expansion calls `expect` on the pallet's name in the runtime (set by
// `construct_runtime!`); this pallet's own code never does (the workspace denies it).
#[allow(clippy::expect_used, reason = "expanded by #[pallet::storage]")]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{dispatch::PostDispatchInfo, pallet_prelude::*, traits::UnixTime};
	use frame_system::pallet_prelude::*;
	use medchain_pallet_support::AppendOnlyIndex;
	use medchain_primitives::{
		commitment::{Hash256, RecordId},
		prescription::{AccessLookup, Fill, PrescriptionRequest, PrescriptionTerms},
		records::Record,
		HospitalId, HospitalRegistry, PatientRegistry, RecordType, RollingQuota,
	};

	/// A record as this runtime stores it.
	pub type RecordOf<T> = Record<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;

	/// A fill as this runtime stores it.
	pub type FillOf<T> = Fill<BlockNumberFor<T>>;

	/// One anchor of a batch.
	#[derive(
		Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
	)]
	pub struct AnchorRequest<AccountId> {
		/// The custodian's own id for this anchor: a *keyed* hash of its database key, e.g.
		/// HMAC-SHA-256 under a secret only the custodian holds. Never an unkeyed hash of a
		/// medical record number: the space of such numbers is small enough to brute-force,
		/// and the request id is public.
		pub request_id: Hash256,
		/// The patient pseudonym the record is about; the custodian must have registered it.
		pub patient: AccountId,
		/// The record's type, which fixes its fields.
		pub record_type: RecordType,
		/// The Merkle root of the record's field leaves (`medchain_primitives::commitment`).
		pub field_root: Hash256,
		/// The digest of the encrypted record the custodian stores off chain.
		pub ciphertext_digest: Hash256,
		/// A prescription's terms: required for a `Prescription`, refused for any other type.
		pub prescription: Option<PrescriptionRequest>,
	}

	/// An [`AnchorRequest`] with this runtime's account id.
	pub type AnchorRequestOf<T> = AnchorRequest<<T as frame_system::Config>::AccountId>;

	/// The layout of this pallet's storage. Bump it with every change to the layout, and add
	/// the migration to the runtime's `Migrations`.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	/// The records pallet.
	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// The pallet's configuration.
	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// Which accounts act for which active hospital.
		type Hospitals: HospitalRegistry<Self::AccountId>;

		/// The origin of a hospital's own calls: an active hospital's operator, succeeding
		/// with its hospital (`medchain_pallet_support::EnsureHospitalOperator` in the runtime).
		type OperatorOrigin: EnsureOrigin<Self::RuntimeOrigin, Success = HospitalId>;

		/// Which accounts are registered patient pseudonyms.
		type Patients: PatientRegistry<Self::AccountId>;

		/// The time records are stamped with.
		type UnixTime: UnixTime;

		/// Most anchors in one `anchor_batch`.
		#[pallet::constant]
		type MaxBatchSize: Get<u32>;

		/// Most records (new anchors and amendments) one custodian may anchor in any
		/// `QuotaPeriod` blocks.
		#[pallet::constant]
		type MaxAnchorsPerPeriod: Get<u32>;

		/// The rolling window of the anchoring quota, in blocks (a day in production).
		#[pallet::constant]
		type QuotaPeriod: Get<BlockNumberFor<Self>>;

		/// Most record ids (or fills) one runtime API page returns.
		#[pallet::constant]
		type MaxPageSize: Get<u32>;

		/// Most refills a prescription may allow (fills after the first).
		#[pallet::constant]
		type MaxRefills: Get<u32>;

		/// Longest a prescription stays valid after anchoring, in milliseconds; a later
		/// requested expiry is capped to it.
		#[pallet::constant]
		type MaxPrescriptionValidity: Get<u64>;

		/// The origin of a pharmacy's calls: an active pharmacy's operator, succeeding with its
		/// pharmacy (`medchain_pallet_support::EnsurePharmacyOperator` in the runtime).
		type PharmacyOrigin: EnsureOrigin<Self::RuntimeOrigin, Success = HospitalId>;

		/// Whether a pharmacy opened a record in the access log.
		type Accesses: AccessLookup;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;

		/// Sets up the hospital and patients the benchmarks need.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// Every anchored record by id.
	#[pallet::storage]
	pub type Records<T: Config> = StorageMap<_, Identity, RecordId, RecordOf<T>>;

	/// Erasures a custodian scheduled, by record: who asked and the block it is due.
	#[pallet::storage]
	pub type PendingErasures<T: Config> =
		StorageMap<_, Identity, RecordId, (T::AccountId, BlockNumberFor<T>)>;

	/// How many blocks a custodian's erasure waits before it can be completed.
	#[pallet::storage]
	pub type CustodianEraseDelay<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// The pallet's genesis settings.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// See [`CustodianEraseDelay`].
		pub custodian_erase_delay: BlockNumberFor<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			CustodianEraseDelay::<T>::put(self.custodian_erase_delay);
		}
	}

	/// Each custodian's anchoring in the current quota window.
	#[pallet::storage]
	pub type AnchorQuota<T: Config> =
		StorageMap<_, Twox64Concat, HospitalId, RollingQuota, ValueQuery>;

	/// A patient's records in anchoring order: (patient, position) → record.
	#[pallet::storage]
	pub type PatientRecords<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, u32, RecordId>;

	/// How many records each patient has in [`PatientRecords`]: the next position.
	#[pallet::storage]
	pub type PatientRecordCount<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// A custodian's records in anchoring order: (hospital, position) → record.
	#[pallet::storage]
	pub type CustodianRecords<T: Config> =
		StorageDoubleMap<_, Twox64Concat, HospitalId, Twox64Concat, u32, RecordId>;

	/// How many records each custodian has in [`CustodianRecords`]: the next position.
	#[pallet::storage]
	pub type CustodianRecordCount<T: Config> =
		StorageMap<_, Twox64Concat, HospitalId, u32, ValueQuery>;

	/// Each patient's records in anchoring order.
	pub type PatientIndex<T> = AppendOnlyIndex<
		<T as frame_system::Config>::AccountId,
		RecordId,
		PatientRecords<T>,
		PatientRecordCount<T>,
	>;

	/// Each custodian's records in anchoring order.
	pub type CustodianIndex<T> =
		AppendOnlyIndex<HospitalId, RecordId, CustodianRecords<T>, CustodianRecordCount<T>>;

	/// The terms of every version of every prescription, by record.
	#[pallet::storage]
	pub type Prescriptions<T: Config> = StorageMap<_, Identity, RecordId, PrescriptionTerms>;

	/// Each prescription's fills in order, under its root (first version): (root, position) →
	/// fill.
	#[pallet::storage]
	pub type FillLog<T: Config> =
		StorageDoubleMap<_, Identity, RecordId, Twox64Concat, u32, FillOf<T>>;

	/// How many fills each prescription's root has in [`FillLog`]: the fills used.
	#[pallet::storage]
	pub type FillCount<T: Config> = StorageMap<_, Identity, RecordId, u32, ValueQuery>;

	/// Each prescription's fills in order, over every version, under its root.
	pub type FillIndex<T> = AppendOnlyIndex<RecordId, FillOf<T>, FillLog<T>, FillCount<T>>;

	/// The pallet's events.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A custodian anchored a new record (version 1).
		RecordAnchored {
			/// The new record's id, derived from the custodian and its request id.
			record_id: RecordId,
			/// The hospital that anchored the record and stores its ciphertext.
			custodian: HospitalId,
			/// The patient pseudonym the record is about.
			patient: T::AccountId,
			/// The record's type.
			record_type: RecordType,
			/// The Merkle root of the record's field leaves.
			field_root: Hash256,
		},
		/// Item `index` of a batch was not anchored.
		AnchorFailed {
			/// The item's position in the batch, from 0.
			index: u32,
			/// Why the item was not anchored.
			error: DispatchError,
		},
		/// The custodian anchored a new version of a record; the old one is now `Amended`.
		RecordAmended {
			/// The amended record's id.
			previous: RecordId,
			/// The new version's id.
			record_id: RecordId,
			/// The new version's number (a new anchor is version 1).
			version: u32,
		},
		/// The record is now an `Erased` tombstone; its hashes stay.
		RecordErased {
			/// The erased record's id.
			record_id: RecordId,
			/// The patient who erased it, or the custodian's operator that scheduled the
			/// erasure (whoever completed it).
			by: T::AccountId,
		},
		/// The custodian's operator `by` asked to erase the record; it can be completed from
		/// block `due` on, and cancelled until it is completed.
		ErasureScheduled {
			/// The record to erase.
			record_id: RecordId,
			/// The custodian's operator that scheduled the erasure.
			by: T::AccountId,
			/// The first block at which the erasure can be completed.
			due: BlockNumberFor<T>,
		},
		/// A scheduled erasure was cancelled; the record stays as it is.
		ErasureCancelled {
			/// The record whose erasure was cancelled.
			record_id: RecordId,
			/// The patient or the custodian's admin who cancelled it.
			by: T::AccountId,
		},
		/// A pharmacy dispensed a prescription.
		Filled {
			/// The version filled.
			prescription: RecordId,
			/// The pharmacy that dispensed.
			pharmacy: HospitalId,
			/// Which fill this was, from 1, over every version.
			fill_no: u32,
			/// How much was dispensed, in the prescription's units.
			quantity: u32,
			/// The block of the fill.
			at: BlockNumberFor<T>,
		},
	}

	/// The pallet's errors.
	#[pallet::error]
	pub enum Error<T> {
		/// The origin is not an operator of an active hospital (`Config::OperatorOrigin`).
		NotHospitalOperator,
		/// The patient pseudonym is not registered.
		PatientNotRegistered,
		/// The pseudonym was registered by another hospital; a custodian anchors records only
		/// for the pseudonyms it registered.
		NotCustodiansPatient,
		/// This custodian already used this request id.
		DuplicateRequest,
		/// The custodian anchored `MaxAnchorsPerPeriod` records in the last `QuotaPeriod` blocks.
		AnchorQuotaReached,
		/// `anchor_batch` with no items.
		EmptyBatch,
		/// No record has this id.
		RecordNotFound,
		/// Only the record's custodian may amend it.
		NotCustodian,
		/// Only the patient or the custodian's operator may erase a record or complete its
		/// erasure.
		NotCustodianOrPatient,
		/// Erased records can't be amended.
		RecordIsErased,
		/// Only the latest version can be amended.
		AlreadyAmended,
		/// The record is erased already.
		AlreadyErased,
		/// The record's erasure is scheduled already.
		ErasureAlreadyScheduled,
		/// No erasure of this record is scheduled.
		NoErasureScheduled,
		/// The scheduled erasure is not due yet.
		ErasureNotDue,
		/// Only the patient or the custodian's admin may cancel an erasure.
		NotPatientOrCustodianAdmin,
		/// The operator that scheduled the erasure is no longer the custodian's operator (its
		/// key was rotated away), so the erasure can only be cancelled.
		ErasureRequesterRotated,
		/// The version counter is exhausted.
		TooManyVersions,
		/// A `Prescription` is anchored only with its terms (through `anchor_batch`).
		PrescriptionTermsMissing,
		/// Prescription terms came with a record of another type.
		UnexpectedPrescriptionTerms,
		/// More refills than `MaxRefills`.
		TooManyRefills,
		/// The requested expiry is not after the anchoring time.
		ExpiryInPast,
		/// The origin is not an operator of an active pharmacy (`Config::PharmacyOrigin`).
		NotPharmacyOperator,
		/// A fill must dispense something.
		ZeroQuantity,
		/// The record is not a prescription (it has no terms).
		NotAPrescription,
		/// The prescription was erased.
		PrescriptionErased,
		/// A newer version replaced this one; only the latest fills.
		PrescriptionAmended,
		/// The prescription's expiry has passed.
		PrescriptionExpired,
		/// The pharmacy holds no access entry for this version.
		NoAccessEntry,
		/// Every allowed fill is used.
		NoFillsLeft,
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
		/// Anchors a record of `patient`: its type, field root and ciphertext digest, under
		/// the id derived from the custodian and `request_id`. A `Prescription` needs terms,
		/// which only [`Pallet::anchor_batch`] carries.
		///
		/// The origin must be the operator of an active hospital (`Config::OperatorOrigin`),
		/// which becomes the record's custodian; it must have registered `patient` itself.
		///
		/// Emits `RecordAnchored`.
		///
		/// Errors: `NotHospitalOperator`, `PatientNotRegistered`, `NotCustodiansPatient`,
		/// `DuplicateRequest`, `PrescriptionTermsMissing`, `AnchorQuotaReached`.
		///
		/// ## Complexity
		/// - O(1).
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::anchor())]
		pub fn anchor(
			origin: OriginFor<T>,
			request_id: Hash256,
			patient: T::AccountId,
			record_type: RecordType,
			field_root: Hash256,
			ciphertext_digest: Hash256,
		) -> DispatchResult {
			let custodian = T::OperatorOrigin::try_origin(origin)
				.map_err(|_| Error::<T>::NotHospitalOperator)?;
			let request = AnchorRequest {
				request_id,
				patient,
				record_type,
				field_root,
				ciphertext_digest,
				prescription: None,
			};
			Self::do_anchor(custodian, request)
		}

		/// Anchors each of `items` as [`Pallet::anchor`] would, for the same custodian; a
		/// `Prescription` item carries its terms (`AnchorRequest::prescription`). Not atomic: a
		/// failed item is reported and skipped, the others are anchored, and a failed item is
		/// charged only the reads of its checks.
		///
		/// The origin must be the operator of an active hospital (`Config::OperatorOrigin`).
		///
		/// Emits `RecordAnchored` for each anchored item and `AnchorFailed` for each failed one,
		/// with one of `anchor`'s errors or a prescription's `PrescriptionTermsMissing`,
		/// `UnexpectedPrescriptionTerms`, `TooManyRefills`, `ExpiryInPast`.
		///
		/// Errors: `NotHospitalOperator`, `EmptyBatch`.
		///
		/// ## Complexity
		/// - O(n) in the number of items (at most `MaxBatchSize`).
		#[pallet::call_index(1)]
		#[pallet::weight(Pallet::<T>::anchor_batch_weight(items))]
		pub fn anchor_batch(
			origin: OriginFor<T>,
			items: BoundedVec<AnchorRequestOf<T>, T::MaxBatchSize>,
		) -> DispatchResultWithPostInfo {
			let custodian = T::OperatorOrigin::try_origin(origin)
				.map_err(|_| Error::<T>::NotHospitalOperator)?;
			ensure!(!items.is_empty(), Error::<T>::EmptyBatch);
			let mut batch = crate::anchor_batch::AnchorBatch::<T>::open(custodian);
			let mut failed: u64 = 0;
			for (index, request) in (0u32..).zip(items) {
				if let Err(error) = batch.anchor(request) {
					failed = failed.saturating_add(1);
					Self::deposit_event(Event::AnchorFailed { index, error });
				}
			}
			let prescriptions = batch.prescriptions();
			let anchored = batch.close();
			// A failed item costs what an anchored one does, but for its writes.
			let items = anchored.saturating_add(u32::try_from(failed).unwrap_or(u32::MAX));
			let unwritten = T::DbWeight::get().writes(failed.saturating_mul(4));
			let actual = T::WeightInfo::anchor_batch(items)
				.saturating_sub(unwritten)
				.saturating_add(T::DbWeight::get().writes(prescriptions.into()));
			Ok(PostDispatchInfo { actual_weight: Some(actual), pays_fee: Pays::Yes })
		}

		/// Anchors a new version of record `record_id` with a new field root and ciphertext
		/// digest; the old version becomes `Amended`. The amendment counts against the
		/// custodian's anchoring quota.
		///
		/// The origin must be the operator of an active hospital (`Config::OperatorOrigin`)
		/// that is the record's custodian.
		///
		/// Emits `RecordAmended`.
		///
		/// Errors: `NotHospitalOperator`, `RecordNotFound`, `NotCustodian`, `AlreadyAmended`,
		/// `RecordIsErased`, `TooManyVersions`, `AnchorQuotaReached`.
		///
		/// ## Complexity
		/// - O(1).
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::amend())]
		pub fn amend(
			origin: OriginFor<T>,
			record_id: RecordId,
			field_root: Hash256,
			ciphertext_digest: Hash256,
		) -> DispatchResult {
			let custodian = T::OperatorOrigin::try_origin(origin)
				.map_err(|_| Error::<T>::NotHospitalOperator)?;
			Self::do_amend(custodian, record_id, field_root, ciphertext_digest)
		}

		/// Erases record `record_id`. The patient turns it into an `Erased` tombstone at once
		/// (dropping any scheduled erasure); the custodian's operator only schedules the
		/// erasure, which waits `CustodianEraseDelay` blocks (see [`Pallet::complete_erasure`]).
		///
		/// The origin must be signed by the record's patient or by the operator of its
		/// custodian (an active hospital).
		///
		/// Emits `RecordErased` (patient) or `ErasureScheduled` (operator).
		///
		/// Errors: `RecordNotFound`, `NotCustodianOrPatient`, `AlreadyErased`,
		/// `ErasureAlreadyScheduled` (the custodian's current operator scheduled one already).
		///
		/// ## Complexity
		/// - O(1).
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::erase())]
		pub fn erase(origin: OriginFor<T>, record_id: RecordId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_erase(who, record_id)
		}

		/// Cancels the record's scheduled erasure, at any time before it is completed.
		///
		/// The origin must be signed by the record's patient or by the admin of its custodian
		/// (an active hospital).
		///
		/// Emits `ErasureCancelled`.
		///
		/// Errors: `RecordNotFound`, `NotPatientOrCustodianAdmin`, `NoErasureScheduled`.
		///
		/// ## Complexity
		/// - O(1).
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::cancel_erasure())]
		pub fn cancel_erasure(origin: OriginFor<T>, record_id: RecordId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_cancel_erasure(who, record_id)
		}

		/// Completes the record's scheduled erasure once it is due: the record becomes an
		/// `Erased` tombstone, erased by the operator that scheduled it. Refused if that
		/// operator is no longer the custodian's operator (its key was rotated away).
		///
		/// The origin must be signed by the record's patient or by the operator of its
		/// custodian (an active hospital).
		///
		/// Emits `RecordErased`.
		///
		/// Errors: `RecordNotFound`, `NotCustodianOrPatient`, `NoErasureScheduled`,
		/// `ErasureNotDue`, `ErasureRequesterRotated`, `AlreadyErased`.
		///
		/// ## Complexity
		/// - O(1).
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::complete_erasure())]
		pub fn complete_erasure(origin: OriginFor<T>, record_id: RecordId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_complete_erasure(who, record_id)
		}

		/// Records that the origin's pharmacy dispensed `quantity` of `prescription`, one of
		/// the fills its terms allow over all its versions.
		///
		/// The origin must be the operator of an active pharmacy (`Config::PharmacyOrigin`)
		/// that holds an access entry for exactly this version; the fill spends it, so each
		/// fill follows an opening with the patient's share token (a revoked or expired share
		/// fills nothing more).
		///
		/// Emits `Filled`.
		///
		/// Errors: `NotPharmacyOperator`, `ZeroQuantity`, then in this order `RecordNotFound`,
		/// `NotAPrescription`, `PrescriptionErased`, `PrescriptionAmended`,
		/// `PrescriptionExpired`, `NoFillsLeft`, `NoAccessEntry`.
		///
		/// ## Complexity
		/// - O(1).
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::fill())]
		pub fn fill(origin: OriginFor<T>, prescription: RecordId, quantity: u32) -> DispatchResult {
			let pharmacy = T::PharmacyOrigin::try_origin(origin)
				.map_err(|_| Error::<T>::NotPharmacyOperator)?;
			Self::do_fill(pharmacy, prescription, quantity)
		}
	}
}
