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
//!   one duplicate in a bulk import does not throw away the rest; weight for failed items is
//!   refunded.
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
//!
//! ## Quotas
//! A custodian anchors (or amends) at most `MaxAnchorsPerPeriod` records in any `QuotaPeriod`
//! blocks (a rolling window, `medchain_primitives::quota`); past it, `AnchorQuotaReached`.
//!
//! Records are indexed by patient and by custodian in anchoring order (one storage entry per
//! record, so an index holds any number of records); the `RecordsApi` runtime API pages
//! through them and verifies roots and disclosed fields.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

mod anchoring;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod weights;

pub use weights::WeightInfo;

/// Sets up what benchmarks need from the registry.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// An active hospital's operator account, and its hospital.
	fn operator() -> (AccountId, medchain_primitives::HospitalId);
	/// Registered patient pseudonym `seed`; distinct seeds give distinct patients.
	fn patient(seed: u32) -> AccountId;
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{dispatch::PostDispatchInfo, pallet_prelude::*, traits::UnixTime};
	use frame_system::pallet_prelude::*;
	use medchain_primitives::{
		commitment::{Hash256, RecordId},
		records::Record,
		HospitalId, HospitalRegistry, PatientRegistry, RecordType, RollingQuota,
	};

	/// A record as this runtime stores it.
	pub type RecordOf<T> = Record<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;

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
		pub patient: AccountId,
		pub record_type: RecordType,
		pub field_root: Hash256,
		pub ciphertext_digest: Hash256,
	}

	pub type AnchorRequestOf<T> = AnchorRequest<<T as frame_system::Config>::AccountId>;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// Which accounts act for which active hospital.
		type Hospitals: HospitalRegistry<Self::AccountId>;

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

		/// Most record ids one runtime API page returns.
		#[pallet::constant]
		type MaxPageSize: Get<u32>;

		type WeightInfo: WeightInfo;

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

	#[pallet::storage]
	pub type PatientRecordCount<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// A custodian's records in anchoring order: (hospital, position) → record.
	#[pallet::storage]
	pub type CustodianRecords<T: Config> =
		StorageDoubleMap<_, Twox64Concat, HospitalId, Twox64Concat, u32, RecordId>;

	#[pallet::storage]
	pub type CustodianRecordCount<T: Config> =
		StorageMap<_, Twox64Concat, HospitalId, u32, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		RecordAnchored {
			record_id: RecordId,
			custodian: HospitalId,
			patient: T::AccountId,
			record_type: RecordType,
			field_root: Hash256,
		},
		/// Item `index` of a batch was not anchored.
		AnchorFailed {
			index: u32,
			error: DispatchError,
		},
		RecordAmended {
			previous: RecordId,
			record_id: RecordId,
			version: u32,
		},
		RecordErased {
			record_id: RecordId,
			by: T::AccountId,
		},
		/// The custodian's operator `by` asked to erase the record; it can be completed from
		/// block `due` on, and cancelled until then.
		ErasureScheduled {
			record_id: RecordId,
			by: T::AccountId,
			due: BlockNumberFor<T>,
		},
		ErasureCancelled {
			record_id: RecordId,
			by: T::AccountId,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The signer is not an operator of an active hospital.
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
		RecordNotFound,
		/// Only the record's custodian may amend it.
		NotCustodian,
		/// Only the custodian or the patient may erase a record.
		NotCustodianOrPatient,
		/// Erased records can't be amended.
		RecordErased,
		/// Only the latest version can be amended.
		AlreadyAmended,
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
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
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
			let custodian = Self::ensure_operator(origin)?;
			let request =
				AnchorRequest { request_id, patient, record_type, field_root, ciphertext_digest };
			Self::do_anchor(custodian, request)
		}

		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::anchor_batch(u32::try_from(items.len()).unwrap_or(u32::MAX)))]
		pub fn anchor_batch(
			origin: OriginFor<T>,
			items: BoundedVec<AnchorRequestOf<T>, T::MaxBatchSize>,
		) -> DispatchResultWithPostInfo {
			let custodian = Self::ensure_operator(origin)?;
			ensure!(!items.is_empty(), Error::<T>::EmptyBatch);
			let mut anchored: u32 = 0;
			let mut failed: u64 = 0;
			for (index, request) in (0u32..).zip(items) {
				match Self::do_anchor(custodian, request) {
					Ok(()) => anchored = anchored.saturating_add(1),
					Err(error) => {
						failed = failed.saturating_add(1);
						Self::deposit_event(Event::AnchorFailed { index, error });
					}
				}
			}
			// A failed item costs at most its checks' reads.
			let checks = T::DbWeight::get().reads(failed.saturating_mul(3));
			let actual = T::WeightInfo::anchor_batch(anchored).saturating_add(checks);
			Ok(PostDispatchInfo { actual_weight: Some(actual), pays_fee: Pays::Yes })
		}

		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::amend())]
		pub fn amend(
			origin: OriginFor<T>,
			record_id: RecordId,
			field_root: Hash256,
			ciphertext_digest: Hash256,
		) -> DispatchResult {
			let custodian = Self::ensure_operator(origin)?;
			Self::do_amend(custodian, record_id, field_root, ciphertext_digest)
		}

		/// The patient erases their record at once; the custodian's operator schedules the
		/// erasure, which waits `CustodianEraseDelay` blocks.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::erase())]
		pub fn erase(origin: OriginFor<T>, record_id: RecordId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_erase(who, record_id)
		}

		/// Cancels the record's scheduled erasure. The origin must be the record's patient or
		/// the admin of its (active) custodian.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::cancel_erasure())]
		pub fn cancel_erasure(origin: OriginFor<T>, record_id: RecordId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_cancel_erasure(who, record_id)
		}

		/// Completes the record's scheduled erasure once it is due. The origin must be the
		/// custodian's operator or the record's patient.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::complete_erasure())]
		pub fn complete_erasure(origin: OriginFor<T>, record_id: RecordId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_complete_erasure(who, record_id)
		}
	}
}
