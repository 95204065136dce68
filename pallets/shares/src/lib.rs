//! # Shares pallet
//!
//! A patient shares chosen fields of chosen records, for a limited time, with whoever holds a
//! share token, or with one hospital holding it. The token (`medchain_token`) never
//! reaches the chain: a grant stores its ed25519 public key, and each use is the token's
//! signature of an access request, checked by [`ShareGrants::use_grant`] for the access log.
//!
//! ## Calls
//! - [`Pallet::create_grant`]: the patient creates a grant over their own active records.
//! - [`Pallet::create_grant_for`]: the custodian hospital submits a grant the patient signed
//!   (sr25519 in practice; `<Bytes>`-wrapped as polkadot.js signs, never raw). The signature covers
//!   every term, the token key, the genesis hash, the patient's consent nonce and a deadline,
//!   so it works once and can't be replayed after a revoke.
//! - [`Pallet::revoke`]: the patient or the granting custodian; refused from then on.
//! - [`Pallet::request_consent`], [`Pallet::approve_consent`], [`Pallet::deny_consent`]: a
//!   hospital asks a patient pseudonym for a scope; the patient approves with a token key, which
//!   creates a grant to that hospital, or denies.
//! - [`Pallet::withdraw_consents`]: the patient invalidates consents signed but not yet
//!   submitted, by moving their consent nonce past them.
//!
//! Durations are bounded by genesis-set limits (production: 1 h to 8,760 h). A grant is refused
//! from its expiry block on; expired grants and consent requests are pruned in `on_initialize`,
//! at most `MaxPrunedPerBlock` of each per block, oldest first.
//!
//! ## Quotas
//! Nothing costs fees, so every write is bounded: a patient holds at most `MaxGrantsPerPatient`
//! unexpired grants; a hospital (its operator, or the patients it registered) creates at most
//! `MaxNewSharesPerHospitalPerBlock` grants and consent requests per block, so pruning
//! (`MaxPrunedPerBlock` ≥ that times the most hospitals, checked by the runtime) keeps pace with
//! the fastest creation; a hospital has at most `MaxPendingPerRequester` requests waiting for one
//! patient, and expired requests stop counting.

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]
#![cfg_attr(test, allow(clippy::arithmetic_side_effects, reason = "tests compute expected values"))]

extern crate alloc;

pub use pallet::*;

#[cfg(any(feature = "try-runtime", test))]
mod try_state;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod consent;
mod grants;
#[cfg(test)]
mod mock;
mod pruning;
mod queries;
#[cfg(test)]
mod tests;
pub mod weights;

pub use weights::WeightInfo;

/// How far one `withdraw_consents` may move a patient's consent nonce, so a mistaken call
/// can't exhaust it.
pub const MAX_NONCE_WITHDRAWAL: u64 = 1_000;

/// A bounded list's length, for weight functions.
fn count<T>(items: &[T]) -> u32 {
	u32::try_from(items.len()).unwrap_or(u32::MAX)
}

/// Sets up what benchmarks need from the registry and the records pallet.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId, Signature> {
	/// A registered patient pseudonym.
	fn patient() -> AccountId;
	/// An active record `seed` of `patient` in `custodian`'s custody.
	fn record(
		patient: &AccountId,
		custodian: medchain_primitives::HospitalId,
		seed: u32,
	) -> medchain_primitives::commitment::RecordId;
	/// The patient's signature of `payload` (the benchmark patient holds a key).
	fn sign(patient: &AccountId, payload: &[u8]) -> Signature;
}

/// The shares pallet: its config, storage, events, errors and calls.
// The `#[pallet::storage]` expansion calls `expect` on the pallet's name in the runtime (set by
// `construct_runtime!`); this pallet's own code never does (the workspace denies it).
#[allow(clippy::expect_used, reason = "expanded by #[pallet::storage]")]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;
	use medchain_primitives::{
		commitment::RecordId,
		shares::{
			ConsentRequest, ConsentRequestId, FieldSelection, Grant, GrantId, GrantTerms, Grantor,
			PurposeOfUse, TokenKey,
		},
		HospitalId, HospitalRegistry, PatientRegistry, RecordLookup,
	};
	use sp_runtime::traits::{IdentifyAccount, Verify};

	/// The records of one grant or consent request (at most `MaxRecordsPerGrant`).
	pub type RecordsOf<T> = BoundedVec<RecordId, <T as Config>::MaxRecordsPerGrant>;
	/// A grant's terms as this runtime stores them.
	pub type GrantTermsOf<T> = GrantTerms<RecordsOf<T>, BlockNumberFor<T>>;
	/// A grant as this runtime stores it.
	pub type GrantOf<T> =
		Grant<<T as frame_system::Config>::AccountId, BlockNumberFor<T>, RecordsOf<T>>;
	/// A consent request as this runtime stores it.
	pub type ConsentRequestOf<T> = ConsentRequest<BlockNumberFor<T>, RecordsOf<T>>;

	/// The layout of this pallet's storage. Bump it with every change to the layout, and add
	/// the migration to the runtime's `Migrations`.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	/// The shares pallet.
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
		/// Which accounts are registered patient pseudonyms, and which hospital registered each.
		type Patients: PatientRegistry<Self::AccountId>;
		/// The anchored records grants refer to (the records pallet).
		type Records: RecordLookup<Self::AccountId, BlockNumberFor<Self>>;

		/// A patient's signature of a grant consent (the runtime's `MultiSignature`).
		type PatientSignature: Verify<Signer: IdentifyAccount<AccountId = Self::AccountId>>
			+ Parameter
			+ MaxEncodedLen;

		/// Most records in one grant or consent request.
		#[pallet::constant]
		type MaxRecordsPerGrant: Get<u32>;

		/// Most unexpired consent requests one hospital may have waiting for one patient.
		#[pallet::constant]
		type MaxPendingPerRequester: Get<u32>;

		/// Most unexpired grants one patient may hold (revoked ones count until they expire).
		#[pallet::constant]
		type MaxGrantsPerPatient: Get<u32>;

		/// Most grants and consent requests one hospital, with the patients it registered,
		/// may create in one block.
		#[pallet::constant]
		type MaxNewSharesPerHospitalPerBlock: Get<u32>;

		/// Most expired grants, and most expired consent requests, pruned in one block.
		#[pallet::constant]
		type MaxPrunedPerBlock: Get<u32>;

		/// Blocks an expired grant stays in state before it is pruned: meanwhile its token key
		/// still finds it, and a holder is told it expired rather than that it never existed.
		#[pallet::constant]
		type GrantRetention: Get<BlockNumberFor<Self>>;

		/// Latest deadline a signed consent may carry, in blocks from now.
		#[pallet::constant]
		type MaxConsentValidity: Get<BlockNumberFor<Self>>;

		/// Most grants or consent requests one runtime API page returns.
		#[pallet::constant]
		type MaxPageSize: Get<u32>;

		/// Weights of this pallet's calls and pruning.
		type WeightInfo: WeightInfo;

		/// Sets up the hospital, patient, records and signatures the benchmarks need.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId, Self::PatientSignature>;
	}

	/// The id the next grant gets.
	#[pallet::storage]
	pub type NextGrantId<T: Config> = StorageValue<_, GrantId, ValueQuery>;

	/// Every grant that has not expired yet (revoked ones too, until their expiry).
	#[pallet::storage]
	pub type Grants<T: Config> = StorageMap<_, Twox64Concat, GrantId, GrantOf<T>>;

	/// The grant each share token key opens, while the grant is in state: a node finds the
	/// grant from the token alone. One token key belongs to one grant at most.
	#[pallet::storage]
	pub type GrantByToken<T: Config> = StorageMap<_, Blake2_128Concat, TokenKey, GrantId>;

	/// The grants each patient holds, with their expiry blocks (at most `MaxGrantsPerPatient`).
	/// Expired ones stop counting at once, even before pruning reaches them.
	#[pallet::storage]
	pub type PatientGrants<T: Config> = StorageMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<(GrantId, BlockNumberFor<T>), T::MaxGrantsPerPatient>,
		ValueQuery,
	>;

	/// Per hospital: the block of its last new grant or consent request, and how many it
	/// created in that block.
	#[pallet::storage]
	pub type NewSharesInBlock<T: Config> =
		StorageMap<_, Twox64Concat, HospitalId, (BlockNumberFor<T>, u32), ValueQuery>;

	/// (prune block, grant): the pruning queue. A grant is pruned `GrantRetention` blocks after
	/// it expires, so that its token still answers "expired" for a while, not "not found".
	#[pallet::storage]
	pub type GrantPruneQueue<T: Config> =
		StorageDoubleMap<_, Twox64Concat, BlockNumberFor<T>, Twox64Concat, GrantId, ()>;

	/// The oldest expiry block that may still have grants to prune.
	#[pallet::storage]
	pub type PruneCursor<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// The nonce the patient's next signed consent must carry.
	#[pallet::storage]
	pub type ConsentNonce<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u64, ValueQuery>;

	/// The id the next consent request gets.
	#[pallet::storage]
	pub type NextConsentRequestId<T: Config> = StorageValue<_, ConsentRequestId, ValueQuery>;

	/// Every consent request not yet answered or pruned, by id.
	#[pallet::storage]
	pub type ConsentRequests<T: Config> =
		StorageMap<_, Twox64Concat, ConsentRequestId, ConsentRequestOf<T>>;

	/// The consent requests waiting for each patient.
	#[pallet::storage]
	pub type PatientConsentRequests<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, ConsentRequestId, ()>;

	/// (patient, requester) → the requester's waiting requests and their expiry blocks.
	#[pallet::storage]
	pub type RequesterPending<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Twox64Concat,
		HospitalId,
		BoundedVec<(ConsentRequestId, BlockNumberFor<T>), T::MaxPendingPerRequester>,
		ValueQuery,
	>;

	/// (expiry block, request) → its patient: the consent requests' pruning queue.
	#[pallet::storage]
	pub type RequestsExpiringAt<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		BlockNumberFor<T>,
		Twox64Concat,
		ConsentRequestId,
		T::AccountId,
	>;

	/// The oldest expiry block that may still have consent requests to prune.
	#[pallet::storage]
	pub type RequestPruneCursor<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// Shortest grant, in blocks.
	#[pallet::storage]
	pub type MinGrantDuration<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// Longest grant, in blocks.
	#[pallet::storage]
	pub type MaxGrantDuration<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// How long a consent request can be approved, in blocks.
	#[pallet::storage]
	pub type ConsentRequestLifetime<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// The pallet's genesis settings.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Shortest grant, in blocks ([`MinGrantDuration`]); raised to 1 if zero.
		pub min_grant_duration: BlockNumberFor<T>,
		/// Longest grant, in blocks ([`MaxGrantDuration`]); raised to the shortest if below it.
		pub max_grant_duration: BlockNumberFor<T>,
		/// How long a consent request can be approved, in blocks ([`ConsentRequestLifetime`]);
		/// raised to 1 if zero.
		pub consent_request_lifetime: BlockNumberFor<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			// An inverted range would refuse every grant; keep the chain usable instead.
			let min = self.min_grant_duration.max(One::one());
			MinGrantDuration::<T>::put(min);
			MaxGrantDuration::<T>::put(self.max_grant_duration.max(min));
			ConsentRequestLifetime::<T>::put(self.consent_request_lifetime.max(One::one()));
		}
	}

	/// The pallet's events.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A grant was created.
		GrantCreated {
			/// The new grant's id.
			grant: GrantId,
			/// The patient whose records it shares.
			patient: T::AccountId,
			/// Who created it: the patient, the custodian, or the patient approving a request.
			grantor: Grantor,
			/// The one hospital that may use it; any hospital holding the token if `None`.
			grantee: Option<HospitalId>,
			/// The block from which the grant is refused and may be pruned.
			expires_at: BlockNumberFor<T>,
		},
		/// A grant was revoked; it is refused from now on.
		GrantRevoked {
			/// The revoked grant's id.
			grant: GrantId,
			/// The patient, or the granting custodian's operator, who revoked it.
			by: T::AccountId,
		},
		/// The grant expired and was removed from state.
		GrantPruned {
			/// The removed grant's id.
			grant: GrantId,
		},
		/// The consent request expired unanswered and was removed from state.
		ConsentRequestPruned {
			/// The removed request's id.
			request: ConsentRequestId,
		},
		/// The patient's consents signed with a nonce below `next_nonce` can no longer be used.
		ConsentsWithdrawn {
			/// The patient pseudonym that withdrew them.
			patient: T::AccountId,
			/// The patient's new consent nonce.
			next_nonce: u64,
		},
		/// A hospital asked a patient to share records with it.
		ConsentRequested {
			/// The new request's id.
			request: ConsentRequestId,
			/// The patient pseudonym asked.
			patient: T::AccountId,
			/// The hospital asking.
			requester: HospitalId,
			/// The block from which the request can no longer be approved, and may be pruned.
			expires_at: BlockNumberFor<T>,
		},
		/// The patient approved a consent request; `GrantCreated` precedes this.
		ConsentApproved {
			/// The approved request's id.
			request: ConsentRequestId,
			/// The grant created for the requester.
			grant: GrantId,
		},
		/// The patient denied a consent request.
		ConsentDenied {
			/// The denied request's id.
			request: ConsentRequestId,
			/// The patient pseudonym that denied it.
			patient: T::AccountId,
			/// The hospital that had asked.
			requester: HospitalId,
		},
	}

	/// The pallet's errors.
	#[pallet::error]
	pub enum Error<T> {
		/// The patient (the signer, or the patient named) is not a registered patient
		/// pseudonym.
		NotRegisteredPatient,
		/// The origin is not an operator of an active hospital (`Config::OperatorOrigin`).
		NotHospitalOperator,
		/// A grant or consent request must name at least one record.
		NoRecords,
		/// A record appears twice.
		DuplicateRecord,
		/// A named record does not exist.
		RecordNotFound,
		/// The record belongs to another patient.
		NotPatientsRecord,
		/// Erased or amended records can't be shared.
		RecordNotActive,
		/// The field mask is empty, or names a field one of the records' types lacks.
		FieldsOutsideRecordType,
		/// The duration is outside the genesis-set bounds.
		DurationOutOfRange,
		/// The grantee is not an active hospital or pharmacy.
		GranteeNotActive,
		/// `max_uses` of zero would create a grant nobody can use.
		ZeroMaxUses,
		/// A custodian can only submit grants of existing records in its own custody.
		NotCustodian,
		/// The patient's consent deadline has passed.
		ConsentExpired,
		/// The patient's signature does not cover these terms.
		BadPatientSignature,
		/// This consent's nonce was used already (e.g. the grant was created, then revoked).
		ConsentNonceUsed,
		/// The consent's nonce is ahead of the patient's next nonce.
		ConsentNonceAhead,
		/// No grant has this id (it never existed, or it expired and was pruned).
		GrantNotFound,
		/// Only the patient or the custodian that created the grant may revoke it.
		NotGrantorOrPatient,
		/// The grant is revoked already.
		AlreadyRevoked,
		/// The grant has expired already.
		GrantExpired,
		/// This hospital already has `MaxPendingPerRequester` unexpired requests waiting for
		/// the patient.
		TooManyRequestsFromHospital,
		/// The patient holds `MaxGrantsPerPatient` unexpired grants already.
		TooManyGrants,
		/// The hospital (its operator or its patients) created `MaxNewSharesPerHospitalPerBlock`
		/// grants and consent requests in this block already; try in the next block.
		HospitalShareRateReached,
		/// The consent's deadline is further away than `MaxConsentValidity`.
		ConsentDeadlineTooFar,
		/// `withdraw_consents` must move the nonce forward, by at most [`MAX_NONCE_WITHDRAWAL`].
		BadNonceWithdrawal,
		/// No such consent request waits for the signer.
		ConsentRequestNotFound,
		/// The request's lifetime has passed; it can only be denied.
		ConsentRequestExpired,
		/// An id counter is exhausted, or an expiry block overflows.
		Overflow,
		/// The token key opens another grant already: every grant needs a fresh token.
		TokenKeyInUse,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}

		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			Self::prune_expired(now).saturating_add(Self::prune_expired_requests(now))
		}

		fn integrity_test() {
			assert!(T::MaxPrunedPerBlock::get() > 0, "pruning must make progress");
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// The patient shares their own active records on `terms`, from now for
		/// `terms.duration` blocks. The grant counts against the share rate of the hospital
		/// that registered the patient.
		///
		/// The origin must be signed by a registered patient pseudonym.
		///
		/// Emits `GrantCreated`.
		///
		/// Errors: `NotRegisteredPatient`, `NoRecords`, `DuplicateRecord`, `RecordNotFound`,
		/// `NotPatientsRecord`, `RecordNotActive`, `FieldsOutsideRecordType`,
		/// `DurationOutOfRange`, `GranteeNotActive`, `ZeroMaxUses`, `TooManyGrants`,
		/// `HospitalShareRateReached`, `Overflow`, `TokenKeyInUse`.
		///
		/// ## Complexity
		/// - O(r) in the number of records in `terms`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::create_grant(count(&terms.records)))]
		pub fn create_grant(origin: OriginFor<T>, terms: GrantTermsOf<T>) -> DispatchResult {
			let patient = ensure_signed(origin)?;
			ensure!(T::Patients::is_registered(&patient), Error::<T>::NotRegisteredPatient);
			Self::insert_grant(patient, terms, Grantor::Patient).map(|_| ())
		}

		/// The custodian submits a grant of `patient`'s records on `terms` that the patient
		/// signed (`grant_consent_message`, `<Bytes>`-wrapped) with consent nonce `nonce`,
		/// valid until block `deadline`. The patient's consent nonce then moves past `nonce`.
		///
		/// The origin must be the operator of an active hospital (`Config::OperatorOrigin`)
		/// that is the custodian of every record in `terms`.
		///
		/// Emits `GrantCreated`.
		///
		/// Errors: `NotHospitalOperator`, `ConsentExpired`, `ConsentDeadlineTooFar`,
		/// `BadPatientSignature`, `ConsentNonceUsed`, `ConsentNonceAhead`, `NotCustodian`,
		/// `NoRecords`, `DuplicateRecord`, `NotPatientsRecord`, `RecordNotActive`,
		/// `FieldsOutsideRecordType`, `DurationOutOfRange`, `GranteeNotActive`, `ZeroMaxUses`,
		/// `TooManyGrants`, `HospitalShareRateReached`, `Overflow`, `TokenKeyInUse`.
		///
		/// ## Complexity
		/// - O(r) in the number of records in `terms`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::create_grant_for(count(&terms.records)))]
		pub fn create_grant_for(
			origin: OriginFor<T>,
			patient: T::AccountId,
			terms: GrantTermsOf<T>,
			nonce: u64,
			deadline: BlockNumberFor<T>,
			signature: T::PatientSignature,
		) -> DispatchResult {
			let custodian = T::OperatorOrigin::try_origin(origin)
				.map_err(|_| Error::<T>::NotHospitalOperator)?;
			Self::check_consent(&patient, &terms, nonce, deadline, &signature)?;
			for record in terms.records.iter() {
				let custodian_of = T::Records::record(record).map(|record| record.custodian);
				ensure!(custodian_of == Some(custodian), Error::<T>::NotCustodian);
			}
			Self::insert_grant(patient.clone(), terms, Grantor::Custodian(custodian))?;
			ConsentNonce::<T>::insert(&patient, nonce.saturating_add(1));
			Ok(())
		}

		/// Revokes grant `grant`; accesses are refused from then on. The grant stays in state
		/// until it expires.
		///
		/// The origin must be signed by the grant's patient or, for a grant the custodian
		/// submitted (`create_grant_for`), by the operator of that custodian (an active
		/// hospital).
		///
		/// Emits `GrantRevoked`.
		///
		/// Errors: `GrantNotFound`, `NotGrantorOrPatient`, `AlreadyRevoked`, `GrantExpired`.
		///
		/// ## Complexity
		/// - O(1).
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::revoke())]
		pub fn revoke(origin: OriginFor<T>, grant: GrantId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_revoke(who, grant)
		}

		/// A hospital asks a patient pseudonym to share `fields` of `records` with it for
		/// `duration` blocks, for `purpose`. The request waits `ConsentRequestLifetime` blocks
		/// for the patient's answer and counts against the hospital's share rate.
		///
		/// The origin must be the operator of an active hospital (`Config::OperatorOrigin`).
		///
		/// Emits `ConsentRequested`.
		///
		/// Errors: `NotHospitalOperator`, `NotRegisteredPatient`, `NoRecords`,
		/// `DuplicateRecord`, `RecordNotFound`, `NotPatientsRecord`, `RecordNotActive`,
		/// `FieldsOutsideRecordType`, `DurationOutOfRange`, `TooManyRequestsFromHospital`,
		/// `HospitalShareRateReached`, `Overflow`, `TokenKeyInUse`.
		///
		/// ## Complexity
		/// - O(r) in the number of `records`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::request_consent(count(records)))]
		pub fn request_consent(
			origin: OriginFor<T>,
			patient: T::AccountId,
			records: RecordsOf<T>,
			fields: FieldSelection,
			duration: BlockNumberFor<T>,
			purpose: PurposeOfUse,
		) -> DispatchResult {
			let requester = T::OperatorOrigin::try_origin(origin)
				.map_err(|_| Error::<T>::NotHospitalOperator)?;
			Self::do_request_consent(requester, patient, records, fields, duration, purpose)
		}

		/// The patient approves a consent request: a grant to the requester, on the request's
		/// terms, with this token key and `max_uses`. The request's scope is checked again (a
		/// record may have been amended or erased since), and the grant counts against the
		/// share rate of the hospital that registered the patient.
		///
		/// The origin must be signed by the patient the request waits for.
		///
		/// Emits `GrantCreated`, then `ConsentApproved`.
		///
		/// Errors: `ConsentRequestNotFound`, `ConsentRequestExpired`, `NoRecords`,
		/// `DuplicateRecord`, `RecordNotFound`, `NotPatientsRecord`, `RecordNotActive`,
		/// `FieldsOutsideRecordType`, `DurationOutOfRange`, `GranteeNotActive`, `ZeroMaxUses`,
		/// `TooManyGrants`, `NotRegisteredPatient`, `HospitalShareRateReached`, `Overflow`, `TokenKeyInUse`.
		///
		/// ## Complexity
		/// - O(r) in the number of the request's records; charged for `MaxRecordsPerGrant`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::approve_consent(T::MaxRecordsPerGrant::get()))]
		pub fn approve_consent(
			origin: OriginFor<T>,
			request: ConsentRequestId,
			token_key: TokenKey,
			max_uses: Option<u32>,
		) -> DispatchResult {
			let patient = ensure_signed(origin)?;
			Self::do_approve_consent(patient, request, token_key, max_uses)
		}

		/// The patient denies a consent request, expired or not; it is removed.
		///
		/// The origin must be signed by the patient the request waits for.
		///
		/// Emits `ConsentDenied`.
		///
		/// Errors: `ConsentRequestNotFound`.
		///
		/// ## Complexity
		/// - O(1).
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::deny_consent())]
		pub fn deny_consent(origin: OriginFor<T>, request: ConsentRequestId) -> DispatchResult {
			let patient = ensure_signed(origin)?;
			Self::do_deny_consent(patient, request)
		}

		/// The patient withdraws every consent they signed with a nonce below `next_nonce` and
		/// that no custodian has submitted yet. `next_nonce` must be ahead of the current
		/// nonce by 1 to [`MAX_NONCE_WITHDRAWAL`].
		///
		/// The origin must be signed by the patient (the pallet accepts any signed origin; the
		/// runtime lets only patients sign this call).
		///
		/// Emits `ConsentsWithdrawn`.
		///
		/// Errors: `BadNonceWithdrawal`.
		///
		/// ## Complexity
		/// - O(1).
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::withdraw_consents())]
		pub fn withdraw_consents(origin: OriginFor<T>, next_nonce: u64) -> DispatchResult {
			// Anyone may move their own nonce; the runtime lets only patients sign this, including
			// those of a suspended hospital, who must be able to withdraw.
			let patient = ensure_signed(origin)?;
			let current = ConsentNonce::<T>::get(&patient);
			let furthest = current.saturating_add(MAX_NONCE_WITHDRAWAL);
			ensure!(current < next_nonce && next_nonce <= furthest, Error::<T>::BadNonceWithdrawal);
			ConsentNonce::<T>::insert(&patient, next_nonce);
			Self::deposit_event(Event::ConsentsWithdrawn { patient, next_nonce });
			Ok(())
		}
	}
}
