//! # Hospitals pallet
//!
//! The consortium registry of medchain: which hospitals and pharmacies are members, the
//! accounts, validator keys and nodes each one uses, and the patient pseudonyms hospitals have
//! registered.
//!
//! ## Members
//! Hospitals act, vote and validate. Pharmacies are members that never validate: they fill
//! prescriptions, have no validator keys, and don't count towards `MinActiveHospitals`, the
//! validator set, or stall recovery. Both kinds take their ids from one counter, and share the
//! account and peer maps, so an id, an account or a peer id names one member of either kind.
//! Pharmacies vote only where genesis says so (`pharmacies_vote_on_admissions`), and then only
//! on admissions ([`Pallet::votes_on`]).
//!
//! ## Calls
//! - [`Pallet::register_patient`]: an active hospital's operator registers the pseudonymous
//!   account it knows for a patient. The account gets a provider reference (medchain has no
//!   balances), which is never removed, so its nonce never resets.
//! - [`Pallet::deregister_patient`]: the registering hospital stops the pseudonym from sending
//!   new transactions. Nothing already on chain changes.
//! - [`Pallet::propose`]: an active hospital's admin proposes to suspend, reinstate or remove a
//!   member (a hospital or a pharmacy), or to upgrade the runtime.
//! - [`Pallet::propose_hospital`]: the same, to admit a hospital whose validator keys proved
//!   possession by signing the whole admission ([`governance::admission_message`]): chain,
//!   name, accounts and nodes.
//! - [`Pallet::propose_pharmacy`]: the same, to admit a pharmacy whose node keys signed its
//!   whole admission ([`governance::pharmacy_admission_message`]).
//! - [`Pallet::vote`]: another active hospital's admin approves; the vote that reaches two
//!   thirds of the active hospitals (the target counted in the electorate, its own vote not)
//!   executes the proposal. Where genesis lets pharmacies vote on admissions, the active
//!   pharmacies join the electorate of an admission.
//! - [`Pallet::close`]: removes a proposal past its lifetime.
//! - [`Pallet::rotate_operator`]: an active hospital's (or pharmacy's) admin replaces its
//!   operator account (a stolen operator key stops working at once; the member keeps its id
//!   and custody).
//! - [`Pallet::rotate_session_keys`]: the admin replaces the hospital's Aura and GRANDPA keys,
//!   with proofs of possession over [`rotation::key_rotation_message`]; the validator set picks
//!   them up at the next session.
//! - [`Pallet::rotate_nodes`]: a hospital's or pharmacy's admin replaces its nodes, each
//!   signing [`rotation::node_rotation_message`] with its node key.
//!
//! Governance and rotation calls are `Operational`, so a flood of normal transactions can't
//! delay them.
//!
//! ## Transaction permissioning
//! [`CheckPermission`] admits only members' (hospitals' and pharmacies') and registered
//! patients' transactions, only the calls their role allows, and a bounded number per account
//! per block; the patients of one hospital together get `MaxPatientExtrinsicsPerBlock`. A
//! patient is a full signer only while the hospital that registered it is active; after that it
//! may only protect itself.
//!
//! ## Quotas
//! A hospital registers at most `MaxRegistrationsPerPeriod` patients in any `QuotaPeriod`
//! blocks, and its admin has at most `MaxOpenProposals` proposals open.
//!
//! ## Genesis
//! The founding hospitals. Their admin and operator accounts get a provider reference, and
//! every account, validator key and peer id must be unique across hospitals. Genesis also says
//! whether pharmacies vote on admissions; nothing changes that later.
//!
//! Other pallets see this one only through [`medchain_primitives::HospitalRegistry`] and
//! [`medchain_primitives::PatientRegistry`].

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]
#![cfg_attr(test, allow(clippy::arithmetic_side_effects, reason = "tests compute expected values"))]

extern crate alloc;

pub use pallet::*;

#[cfg(any(feature = "try-runtime", test))]
mod try_state;

#[cfg(feature = "runtime-benchmarks")]
#[allow(
	clippy::expect_used,
	clippy::indexing_slicing,
	clippy::arithmetic_side_effects,
	reason = "benchmark setup of a consortium: a runtime built with runtime-benchmarks runs no chain"
)]
mod benchmarking;
/// Inserts an active hospital with placeholder keys, for other pallets' runtime benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub use benchmarking::active_hospital;
/// The id of the hospital other pallets' benchmarks act for: far above any founder's, so it
/// never overwrites one.
#[cfg(feature = "runtime-benchmarks")]
pub const BENCHMARK_HOSPITAL: medchain_primitives::HospitalId = 200;
/// Inserts an active pharmacy, for other pallets' runtime benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub use benchmarking::active_pharmacy;
/// The id of the pharmacy other pallets' benchmarks act for: next to the benchmark hospital's.
#[cfg(feature = "runtime-benchmarks")]
pub const BENCHMARK_PHARMACY: medchain_primitives::HospitalId = 201;
pub mod genesis;
pub mod governance;
pub mod migrations;
#[cfg(test)]
mod mock;
pub mod permission;
mod registry;
pub mod rotation;
#[cfg(test)]
mod tests {
	mod governance;
	mod patients;
	mod permission;
	mod pharmacies;
	mod registry;
	mod rotation;
}
pub mod types;
pub mod weights;

pub use genesis::{GenesisHospital, GenesisNode};
pub use permission::{CallPermissions, CheckPermission, Signer};
pub use types::{
	Hospital, HospitalNode, HospitalStatus, MaxVoters, MemberKind, NewHospital, NewPharmacy,
	Patient, PeerIdOf, Pharmacy, Proposal, ProposalId, ProposalInfo,
};
pub use weights::WeightInfo;

/// An active hospital's operator, as this pallet's own calls take it.
type OperatorOrigin<T> = medchain_pallet_support::EnsureHospitalOperator<
	pallet::Pallet<T>,
	<T as frame_system::Config>::AccountId,
>;
/// An active hospital's admin, as this pallet's own calls take it.
type AdminOrigin<T> = medchain_pallet_support::EnsureHospitalAdmin<
	pallet::Pallet<T>,
	<T as frame_system::Config>::AccountId,
>;

/// The pallet itself: config, storage, events, errors and calls (see the crate docs).
// The `#[pallet::storage]` expansion calls `expect` on the pallet's name in the runtime (set by
// `construct_runtime!`); this pallet's own code never does (the workspace denies it).
#[allow(clippy::expect_used, reason = "expanded by #[pallet::storage]")]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;
	use medchain_primitives::{peer::NodeSignature, HospitalId, HospitalRole, RollingQuota};
	use sp_runtime::RuntimeAppPublic;

	/// The layout of this pallet's storage. Bump it with every change to the layout, and add
	/// the migration to the runtime's `Migrations`.
	///
	/// 1: pharmacies (`Pharmacies`, `ActivePharmacies`, `PharmaciesVoteOnAdmissions`,
	/// `Proposal::AddPharmacy`, wider approvals); see [`crate::migrations`].
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	/// The hospitals pallet.
	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// The pallet's configuration trait.
	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// A hospital's block-authoring (Aura) public key.
		type AuraId: Parameter
			+ Member
			+ MaxEncodedLen
			+ Ord
			+ MaybeSerializeDeserialize
			+ RuntimeAppPublic<ProofOfPossession = Self::AuraProof>;

		/// An Aura key's proof of possession, as `propose_hospital` and `rotate_session_keys`
		/// take it.
		type AuraProof: Parameter;

		/// A hospital's finality-voting (GRANDPA) public key.
		type GrandpaId: Parameter
			+ Member
			+ MaxEncodedLen
			+ Ord
			+ MaybeSerializeDeserialize
			+ RuntimeAppPublic<ProofOfPossession = Self::GrandpaProof>;

		/// A GRANDPA key's proof of possession, as `propose_hospital` and `rotate_session_keys`
		/// take it.
		type GrandpaProof: Parameter;

		/// Most hospitals active at once (admission and reinstatement are refused beyond it);
		/// bounds the approvals of a proposal and the validator set. Ids are never reused.
		#[pallet::constant]
		type MaxHospitals: Get<u32>;

		/// Most pharmacies active at once (admission and reinstatement are refused beyond it).
		/// Pharmacies don't validate, so no authority limit binds it.
		#[pallet::constant]
		type MaxPharmacies: Get<u32>;

		/// No proposal may leave fewer active hospitals than this. Four is the smallest set
		/// in which GRANDPA survives one faulty validator.
		#[pallet::constant]
		type MinActiveHospitals: Get<u32>;

		/// Share of the active hospitals (not counting the target) whose approval executes a
		/// proposal, as an exact fraction `(numerator, denominator)`. At least two thirds;
		/// `integrity_test` refuses less.
		#[pallet::constant]
		type ApprovalThreshold: Get<(u32, u32)>;

		/// Longest hospital name, in bytes.
		#[pallet::constant]
		type MaxNameLength: Get<u32>;

		/// Most nodes one hospital (or pharmacy) may register.
		#[pallet::constant]
		type MaxNodesPerHospital: Get<u32>;

		/// Longest peer id, in bytes of its base58 text (an ed25519 peer id takes 52).
		#[pallet::constant]
		type MaxPeerIdLength: Get<u32>;

		/// Longest node multiaddr, in bytes of its text form.
		#[pallet::constant]
		type MaxAddressLength: Get<u32>;

		/// Which calls admins, operators and patients may sign; see [`CheckPermission`].
		type CallPermissions: CallPermissions<
			Self::AccountId,
			<Self as frame_system::Config>::RuntimeCall,
		>;

		/// Most extrinsics one account may have in one block.
		#[pallet::constant]
		type MaxExtrinsicsPerBlock: Get<u32>;

		/// Most extrinsics the patients one hospital registered may have in one block together.
		#[pallet::constant]
		type MaxPatientExtrinsicsPerBlock: Get<u32>;

		/// Most patients one hospital may register in any `QuotaPeriod` blocks.
		#[pallet::constant]
		type MaxRegistrationsPerPeriod: Get<u32>;

		/// The rolling window of the registration quota, in blocks (a day in production).
		#[pallet::constant]
		type QuotaPeriod: Get<BlockNumberFor<Self>>;

		/// Most proposals one hospital's admin may have open at once.
		#[pallet::constant]
		type MaxOpenProposals: Get<u32>;

		/// Longest `delay` a `RecoverStalledSet` proposal may ask for: a forced GRANDPA change
		/// stays pending for its delay, and blocks every other set change meanwhile.
		#[pallet::constant]
		type MaxRecoveryDelay: Get<BlockNumberFor<Self>>;

		/// Forces a new GRANDPA set when governance votes a `RecoverStalledSet` proposal.
		type StallRecovery: medchain_primitives::StalledSetRecovery<BlockNumberFor<Self>>;

		/// Weights of this pallet's calls and of [`CheckPermission`].
		type WeightInfo: WeightInfo;
	}

	/// Member hospitals by id. Removed hospitals stay, with status `Removed`, for auditors.
	#[pallet::storage]
	pub type Hospitals<T: Config> = StorageMap<_, Twox64Concat, HospitalId, Hospital<T>>;

	/// The id the next admitted hospital or pharmacy gets.
	#[pallet::storage]
	pub type NextHospitalId<T: Config> = StorageValue<_, HospitalId, ValueQuery>;

	/// The member (hospital or pharmacy) and role of every admin and operator account; an
	/// account serves one member in one role.
	#[pallet::storage]
	pub type AccountRoles<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, (HospitalId, HospitalRole)>;

	/// Owner of each Aura key; keys are unique across hospitals.
	#[pallet::storage]
	pub type AuraKeyOwner<T: Config> = StorageMap<_, Blake2_128Concat, T::AuraId, HospitalId>;

	/// Owner of each GRANDPA key; keys are unique across hospitals.
	#[pallet::storage]
	pub type GrandpaKeyOwner<T: Config> = StorageMap<_, Blake2_128Concat, T::GrandpaId, HospitalId>;

	/// Owner (hospital or pharmacy) of each node's peer id; peer ids are unique across members.
	#[pallet::storage]
	pub type PeerOwner<T: Config> = StorageMap<_, Blake2_128Concat, PeerIdOf<T>, HospitalId>;

	/// The ids of the `Active` hospitals, ascending: the registry's bounded view of who acts,
	/// votes and validates (removed hospitals stay in [`Hospitals`] for auditors, unbounded
	/// over the chain's life, so nothing iterates that map).
	#[pallet::storage]
	pub type ActiveHospitals<T: Config> =
		StorageValue<_, BoundedVec<HospitalId, T::MaxHospitals>, ValueQuery>;

	/// Member pharmacies by id (ids shared with [`Hospitals`]). Removed pharmacies stay, with
	/// status `Removed`, for auditors.
	#[pallet::storage]
	pub type Pharmacies<T: Config> = StorageMap<_, Twox64Concat, HospitalId, Pharmacy<T>>;

	/// The ids of the `Active` pharmacies, ascending: the bounded view of the pharmacies that
	/// act (nothing iterates [`Pharmacies`]).
	#[pallet::storage]
	pub type ActivePharmacies<T: Config> =
		StorageValue<_, BoundedVec<HospitalId, T::MaxPharmacies>, ValueQuery>;

	/// Whether active pharmacies vote on admissions (of hospitals and of pharmacies). Set at
	/// genesis only; without it the hospitals alone admit members.
	#[pallet::storage]
	pub type PharmaciesVoteOnAdmissions<T: Config> = StorageValue<_, bool, ValueQuery>;

	/// Open proposals by id.
	#[pallet::storage]
	pub type Proposals<T: Config> = StorageMap<_, Twox64Concat, ProposalId, ProposalInfo<T>>;

	/// The id the next proposal gets.
	#[pallet::storage]
	pub type NextProposalId<T: Config> = StorageValue<_, ProposalId, ValueQuery>;

	/// How many blocks a proposal takes votes for. Set at genesis, so test chains can use
	/// seconds where production uses days.
	#[pallet::storage]
	pub type ProposalLifetime<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// Registered patient pseudonyms.
	#[pallet::storage]
	pub type Patients<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, Patient<T>>;

	/// Per account: the block of its last included extrinsic and how many it had in that
	/// block. Read lazily by [`CheckPermission`], so nothing needs clearing each block.
	#[pallet::storage]
	pub type ExtrinsicCount<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, (BlockNumberFor<T>, u32)>;

	/// Per hospital: the block of its patients' last included extrinsic and how many they had
	/// in that block together.
	#[pallet::storage]
	pub type PatientExtrinsicCount<T: Config> =
		StorageMap<_, Twox64Concat, HospitalId, (BlockNumberFor<T>, u32)>;

	/// Each hospital's patient registrations in the rolling quota window.
	#[pallet::storage]
	pub type RegistrationQuota<T: Config> =
		StorageMap<_, Twox64Concat, HospitalId, RollingQuota, ValueQuery>;

	/// How many proposals each member has open.
	#[pallet::storage]
	pub type OpenProposals<T: Config> = StorageMap<_, Twox64Concat, HospitalId, u32, ValueQuery>;

	/// The founding hospitals, the proposal lifetime, and whether pharmacies vote on
	/// admissions.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The founding hospitals, in id order from 0.
		pub hospitals: alloc::vec::Vec<GenesisHospital<T>>,
		/// See [`ProposalLifetime`].
		pub proposal_lifetime: BlockNumberFor<T>,
		/// See [`PharmaciesVoteOnAdmissions`]; `false` when the chain spec leaves it out.
		#[serde(default)]
		pub pharmacies_vote_on_admissions: bool,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			// The runtime's `build_state` admits the founders first, and refuses a genesis
			// whose founders fail; a builder that comes here anyway admits no more of them.
			if let Err(error) = genesis::admit_founders::<T>(&self.hospitals) {
				frame_support::defensive!(error);
			}
			ProposalLifetime::<T>::put(self.proposal_lifetime);
			// `false` is the storage's default: only a chain whose pharmacies vote stores it.
			if self.pharmacies_vote_on_admissions {
				PharmaciesVoteOnAdmissions::<T>::put(true);
			}
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}

		fn integrity_test() {
			let (numerator, denominator) = T::ApprovalThreshold::get();
			assert!(
				denominator > 0
					&& numerator <= denominator
					&& u64::from(numerator) * 3 >= u64::from(denominator) * 2,
				"ApprovalThreshold must be a fraction between two thirds and one"
			);
		}
	}

	/// Events of the hospitals pallet.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// The admin of `proposer` opened proposal `id` (and approved it).
		Proposed {
			/// The new proposal's id.
			id: ProposalId,
			/// The member whose admin proposed it.
			proposer: HospitalId,
			/// What the proposal does once approved.
			proposal: Proposal<T>,
		},
		/// Proposal `id` has `ayes` approvals that count, of `needed`.
		Tallied {
			/// The proposal that was tallied.
			id: ProposalId,
			/// How many approvals count now.
			ayes: u32,
			/// How many approvals executing it needs now.
			needed: u32,
		},
		/// Proposal `id` was approved and carried out.
		Executed {
			/// The proposal that was executed (and removed).
			id: ProposalId,
		},
		/// Proposal `id` passed its lifetime and was closed without executing.
		Closed {
			/// The proposal that was closed.
			id: ProposalId,
		},
		/// A hospital was admitted and is active.
		HospitalAdded {
			/// The id the new hospital got.
			hospital: HospitalId,
			/// The new hospital's name.
			name: BoundedVec<u8, T::MaxNameLength>,
		},
		/// A hospital (or pharmacy) was suspended: it no longer acts, votes or validates.
		HospitalSuspended {
			/// The hospital or pharmacy that was suspended.
			hospital: HospitalId,
		},
		/// A suspended hospital (or pharmacy) was made active again.
		HospitalReinstated {
			/// The hospital or pharmacy that was reinstated.
			hospital: HospitalId,
		},
		/// A hospital (or pharmacy) was removed for good; its entry stays for auditors.
		HospitalRemoved {
			/// The hospital or pharmacy that was removed.
			hospital: HospitalId,
		},
		/// The admin of `hospital` (a hospital or a pharmacy) replaced its operator account.
		OperatorRotated {
			/// The hospital or pharmacy whose operator changed.
			hospital: HospitalId,
			/// The operator account that stopped serving the hospital.
			old: T::AccountId,
			/// The new operator account.
			new: T::AccountId,
		},
		/// The admin of `hospital` (a hospital or a pharmacy) replaced its nodes (the peer
		/// allowlist follows once final).
		NodesRotated {
			/// The hospital or pharmacy whose nodes changed.
			hospital: HospitalId,
		},
		/// The admin of `hospital` replaced its validator keys, from the next session on.
		SessionKeysRotated {
			/// The hospital whose keys changed.
			hospital: HospitalId,
			/// The new Aura key.
			aura: T::AuraId,
			/// The new GRANDPA key.
			grandpa: T::GrandpaId,
		},
		/// Code with `code_hash` may now be set with `system.apply_authorized_upgrade`.
		RuntimeUpgradeAuthorized {
			/// The hash of the authorized runtime code.
			code_hash: T::Hash,
		},
		/// Governance asked for a forced GRANDPA change to recover stalled finality.
		StallRecoveryScheduled {
			/// Blocks the signalling block must be deep before nodes apply the change.
			delay: BlockNumberFor<T>,
			/// The block the new set votes on top of.
			best_finalized: BlockNumberFor<T>,
		},
		/// `hospital` registered the pseudonym `patient`.
		PatientRegistered {
			/// The registered pseudonym.
			patient: T::AccountId,
			/// The hospital that registered it.
			hospital: HospitalId,
		},
		/// `hospital` deregistered the pseudonym `patient`.
		PatientDeregistered {
			/// The deregistered pseudonym.
			patient: T::AccountId,
			/// The hospital that had registered it.
			hospital: HospitalId,
		},
		/// A pharmacy was admitted and is active.
		PharmacyAdded {
			/// The id the new pharmacy got (from the hospitals' counter).
			pharmacy: HospitalId,
			/// The new pharmacy's name.
			name: BoundedVec<u8, T::MaxNameLength>,
		},
	}

	/// Errors of the hospitals pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// The signer is not the admin of an active hospital.
		NotHospitalAdmin,
		/// No hospital or pharmacy has this id.
		HospitalNotFound,
		/// The hospital (or pharmacy) is not active.
		NotActive,
		/// The hospital (or pharmacy) is not suspended.
		NotSuspended,
		/// The hospital (or pharmacy) was removed; removal is final.
		HospitalIsRemoved,
		/// The change would leave fewer active hospitals than `MinActiveHospitals`.
		BelowMinimumHospitals,
		/// An admin or operator account already serves a hospital or pharmacy (or is given
		/// twice).
		AccountInUse,
		/// The Aura key belongs to another hospital.
		AuraKeyInUse,
		/// The GRANDPA key belongs to another hospital.
		GrandpaKeyInUse,
		/// A peer id belongs to another hospital or pharmacy (or is listed twice).
		PeerIdInUse,
		/// A validator key did not prove possession by signing this admission
		/// (`governance::admission_message`).
		InvalidKeyProof,
		/// A node's peer id is no ed25519 peer id, or its node key did not sign this admission
		/// (one signature per node, in node order).
		InvalidNodeProof,
		/// Adding a hospital or pharmacy needs its key proofs: use `propose_hospital` or
		/// `propose_pharmacy`.
		AddNeedsKeyProofs,
		/// No open proposal has this id.
		ProposalNotFound,
		/// This member already approved the proposal.
		AlreadyVoted,
		/// The hospital a proposal is about does not vote on it.
		TargetCannotVote,
		/// The proposal is past its lifetime.
		Expired,
		/// The proposal is still within its lifetime.
		NotExpired,
		/// `MaxHospitals` hospitals are active already (or the id counter is exhausted).
		TooManyHospitals,
		/// The hospital registered `MaxRegistrationsPerPeriod` patients in the last
		/// `QuotaPeriod` blocks.
		RegistrationQuotaReached,
		/// The admin's hospital has `MaxOpenProposals` proposals open; close or pass one first.
		TooManyOpenProposals,
		/// A stall recovery's `delay` is longer than `MaxRecoveryDelay`.
		RecoveryDelayTooLong,
		/// A stall recovery's `best_finalized` is not a block before the current one.
		FinalizedNotInPast,
		/// More than two thirds of the current validators are live, so finality has not stalled
		/// for lack of the others: no stall recovery.
		FinalityNotStalled,
		/// The signer is not the operator of an active hospital.
		NotHospitalOperator,
		/// The pseudonym is already a registered patient.
		AlreadyRegistered,
		/// The pseudonym is an admin or operator account of a hospital.
		AccountIsHospital,
		/// No patient with this pseudonym was ever registered.
		PatientNotFound,
		/// The pseudonym belongs to another hospital.
		NotRegisteringHospital,
		/// The pseudonym is already deregistered.
		AlreadyDeregistered,
		/// The signer is not the admin of an active hospital or of an active pharmacy.
		NotMemberAdmin,
		/// A pharmacy's admin proposed or approved what pharmacies don't vote on: they vote only
		/// on admissions, and only where genesis says so (`PharmaciesVoteOnAdmissions`).
		PharmacyCannotVote,
		/// `MaxPharmacies` pharmacies are active already (or the id counter is exhausted).
		TooManyPharmacies,
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Registers `patient`, a pseudonymous account, as a patient of the caller's hospital,
		/// counted against its registration quota. A pseudonym the same hospital registered
		/// and deregistered before is registered again.
		///
		/// The origin must be the operator of an active hospital (`EnsureHospitalOperator`).
		///
		/// Emits `PatientRegistered`.
		///
		/// Errors: `NotHospitalOperator`, `AccountIsHospital` (`patient` is a hospital's admin
		/// or operator),
		/// `AlreadyRegistered`, `NotRegisteringHospital` (another hospital registered it),
		/// `RegistrationQuotaReached`.
		///
		/// ## Complexity
		/// - O(1).
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_patient())]
		pub fn register_patient(origin: OriginFor<T>, patient: T::AccountId) -> DispatchResult {
			let hospital = OperatorOrigin::<T>::try_origin(origin)
				.map_err(|_| Error::<T>::NotHospitalOperator)?;
			ensure!(!AccountRoles::<T>::contains_key(&patient), Error::<T>::AccountIsHospital);
			let existing = Patients::<T>::get(&patient);
			if let Some(existing) = &existing {
				ensure!(!existing.active, Error::<T>::AlreadyRegistered);
				ensure!(existing.hospital == hospital, Error::<T>::NotRegisteringHospital);
			}
			Self::count_registration(hospital)?;
			if existing.is_none() {
				// First registration: admit the account. The reference is never removed.
				frame_system::Pallet::<T>::inc_providers(&patient);
			}
			let registered_at = frame_system::Pallet::<T>::block_number();
			Patients::<T>::insert(&patient, Patient { hospital, registered_at, active: true });
			Self::deposit_event(Event::PatientRegistered { patient, hospital });
			Ok(())
		}

		/// Deregisters `patient`: it can send no new transactions. Its history stays valid.
		///
		/// The origin must be the operator of an active hospital (`EnsureHospitalOperator`),
		/// the one that registered `patient`.
		///
		/// Emits `PatientDeregistered`.
		///
		/// Errors: `NotHospitalOperator`, `PatientNotFound`, `NotRegisteringHospital`,
		/// `AlreadyDeregistered`.
		///
		/// ## Complexity
		/// - O(1).
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::deregister_patient())]
		pub fn deregister_patient(origin: OriginFor<T>, patient: T::AccountId) -> DispatchResult {
			let hospital = OperatorOrigin::<T>::try_origin(origin)
				.map_err(|_| Error::<T>::NotHospitalOperator)?;
			let mut record = Patients::<T>::get(&patient).ok_or(Error::<T>::PatientNotFound)?;
			ensure!(record.hospital == hospital, Error::<T>::NotRegisteringHospital);
			ensure!(record.active, Error::<T>::AlreadyDeregistered);
			record.active = false;
			Patients::<T>::insert(&patient, record);
			Self::deposit_event(Event::PatientDeregistered { patient, hospital });
			Ok(())
		}

		/// Proposes `proposal` (suspend, reinstate or remove a hospital or pharmacy, upgrade the
		/// runtime, or recover stalled finality) and approves it; executes it at once if that
		/// approval alone reaches the threshold. Adding a hospital goes through
		/// [`Pallet::propose_hospital`], and adding a pharmacy through
		/// [`Pallet::propose_pharmacy`], which need key proofs.
		///
		/// The origin must be the admin of an active hospital.
		///
		/// Emits `Proposed` and `Tallied`; if it executes, `Executed` and the proposal's own
		/// events (`HospitalSuspended`, `HospitalReinstated`, `HospitalRemoved`,
		/// `RuntimeUpgradeAuthorized`, or `HospitalSuspended` for each hospital that is not live
		/// and `StallRecoveryScheduled`).
		///
		/// Errors: `NotHospitalAdmin`, `AddNeedsKeyProofs`, `TooManyOpenProposals`; for a
		/// suspension, reinstatement or removal `HospitalNotFound`, `HospitalIsRemoved`,
		/// `NotActive`, `NotSuspended`, `BelowMinimumHospitals` (hospitals only),
		/// `TooManyHospitals`, `TooManyPharmacies`; for a stall recovery `RecoveryDelayTooLong`,
		/// `FinalizedNotInPast`, `FinalityNotStalled`.
		///
		/// ## Complexity
		/// - O(H), H being `MaxHospitals`: executing a stall recovery reads every validator and
		///   may suspend every active hospital.
		#[pallet::call_index(2)]
		#[pallet::weight((
			Pallet::<T>::with_recovery_bound(T::WeightInfo::propose()),
			DispatchClass::Operational
		))]
		pub fn propose(origin: OriginFor<T>, proposal: Proposal<T>) -> DispatchResult {
			let proposer =
				AdminOrigin::<T>::try_origin(origin).map_err(|_| Error::<T>::NotHospitalAdmin)?;
			ensure!(!proposal.is_admission(), Error::<T>::AddNeedsKeyProofs);
			Self::do_propose(proposer, proposal)
		}

		/// Proposes admitting `hospital` and approves it; executes it at once if that approval
		/// alone reaches the threshold.
		///
		/// The origin must be the admin of an active hospital, or of an active pharmacy where
		/// pharmacies vote on admissions (`PharmaciesVoteOnAdmissions`).
		///
		/// `aura_proof` and `grandpa_proof` are the new hospital's proofs of possession over
		/// [`governance::admission_message`] (this chain's genesis hash, the name, accounts and
		/// nodes), as `author_rotateKeysWithOwner(owner = that message)` produces them;
		/// `node_proofs` are each node's node-key (ed25519) signature of
		/// [`governance::node_admission_message`] (the same message and the two keys), in
		/// node order. Nobody can re-propose the proofs with other accounts or nodes, or
		/// register a node whose key it does not hold.
		///
		/// Emits `Proposed` and `Tallied`; if it executes, `Executed` and `HospitalAdded`.
		///
		/// Errors: `NotMemberAdmin`, `PharmacyCannotVote`, `InvalidKeyProof`,
		/// `InvalidNodeProof`, `TooManyHospitals`, `AccountInUse`, `AuraKeyInUse`,
		/// `GrandpaKeyInUse`, `PeerIdInUse`, `TooManyOpenProposals`.
		///
		/// ## Complexity
		/// - O(1): charged for a hospital with `MaxNodesPerHospital` nodes.
		#[pallet::call_index(3)]
		#[pallet::weight((T::WeightInfo::propose_hospital(), DispatchClass::Operational))]
		pub fn propose_hospital(
			origin: OriginFor<T>,
			hospital: NewHospital<T>,
			aura_proof: T::AuraProof,
			grandpa_proof: T::GrandpaProof,
			node_proofs: BoundedVec<NodeSignature, T::MaxNodesPerHospital>,
		) -> DispatchResult {
			let (proposer, _) = Self::ensure_member_admin(origin)?;
			// Before the proofs' verification, the costly part.
			ensure!(Self::votes_on_admissions(proposer), Error::<T>::PharmacyCannotVote);
			Self::check_key_proofs(&hospital, &aura_proof, &grandpa_proof, &node_proofs)?;
			Self::do_propose(proposer, Proposal::AddHospital(hospital))
		}

		/// Proposes admitting `pharmacy`, a member that never validates, and approves it;
		/// executes it at once if that approval alone reaches the threshold.
		///
		/// The origin must be the admin of an active hospital, or of an active pharmacy where
		/// pharmacies vote on admissions (`PharmaciesVoteOnAdmissions`).
		///
		/// `node_proofs` are each node's node-key (ed25519) signature of
		/// [`governance::pharmacy_admission_message`] (this chain's genesis hash, the name,
		/// accounts and nodes), in node order: nobody can re-propose them with other accounts
		/// or nodes, or register a node whose key it does not hold.
		///
		/// Emits `Proposed` and `Tallied`; if it executes, `Executed` and `PharmacyAdded`.
		///
		/// Errors: `NotMemberAdmin`, `PharmacyCannotVote`, `InvalidNodeProof`,
		/// `TooManyPharmacies`, `AccountInUse`, `PeerIdInUse`, `TooManyOpenProposals`.
		///
		/// ## Complexity
		/// - O(1): charged for a pharmacy with `MaxNodesPerHospital` nodes.
		#[pallet::call_index(9)]
		#[pallet::weight((T::WeightInfo::propose_pharmacy(), DispatchClass::Operational))]
		pub fn propose_pharmacy(
			origin: OriginFor<T>,
			pharmacy: NewPharmacy<T>,
			node_proofs: BoundedVec<NodeSignature, T::MaxNodesPerHospital>,
		) -> DispatchResult {
			let (proposer, _) = Self::ensure_member_admin(origin)?;
			ensure!(Self::votes_on_admissions(proposer), Error::<T>::PharmacyCannotVote);
			Self::check_pharmacy_proofs(&pharmacy, &node_proofs)?;
			Self::do_propose(proposer, Proposal::AddPharmacy(pharmacy))
		}

		/// Approves open proposal `id`; the approval that reaches the threshold executes it.
		///
		/// Approvals of members that may no longer vote on it are dropped.
		///
		/// The origin must be the admin of an active hospital that is not the proposal's target
		/// and has not approved it yet; or, for an admission where pharmacies vote on admissions
		/// (`PharmaciesVoteOnAdmissions`), of an active pharmacy.
		///
		/// Emits `Tallied`; if it executes, `Executed` and the proposal's own events
		/// (`HospitalAdded`, `PharmacyAdded`, `HospitalSuspended`, `HospitalReinstated`,
		/// `HospitalRemoved`, `RuntimeUpgradeAuthorized`, or `HospitalSuspended` for each
		/// hospital that is not live and `StallRecoveryScheduled`).
		///
		/// Errors: `NotMemberAdmin`, `ProposalNotFound`, `Expired`, `PharmacyCannotVote`,
		/// `TargetCannotVote`, `AlreadyVoted`, `TooManyHospitals`; when it would execute, any
		/// error of the proposal's checks again (as for [`Pallet::propose`],
		/// [`Pallet::propose_hospital`] and [`Pallet::propose_pharmacy`]), since the registry
		/// may have changed.
		///
		/// ## Complexity
		/// - O(H + P), H being `MaxHospitals` and P `MaxPharmacies`: the approvals are filtered,
		///   and executing a stall recovery reads every validator and may suspend every active
		///   hospital.
		#[pallet::call_index(4)]
		#[pallet::weight((
			Pallet::<T>::with_pharmacy_approvals_bound(Pallet::<T>::with_recovery_bound(
				T::WeightInfo::vote()
			)),
			DispatchClass::Operational
		))]
		pub fn vote(origin: OriginFor<T>, id: ProposalId) -> DispatchResult {
			let (voter, _) = Self::ensure_member_admin(origin)?;
			Self::do_vote(voter, id)
		}

		/// Replaces the operator account of the admin's hospital (or pharmacy) with
		/// `new_operator`, which must serve no member (a patient entry of it does not matter:
		/// the operator role takes precedence). The old account stops signing at once.
		///
		/// The origin must be the admin of an active hospital or of an active pharmacy.
		///
		/// Emits `OperatorRotated`.
		///
		/// Errors: `NotMemberAdmin`, `AccountInUse`, `HospitalNotFound`.
		///
		/// ## Complexity
		/// - O(1).
		#[pallet::call_index(6)]
		#[pallet::weight((T::WeightInfo::rotate_operator(), DispatchClass::Operational))]
		pub fn rotate_operator(origin: OriginFor<T>, new_operator: T::AccountId) -> DispatchResult {
			let (member, kind) = Self::ensure_member_admin(origin)?;
			Self::do_rotate_operator(member, kind, new_operator)
		}

		/// Replaces the Aura and GRANDPA keys of the admin's hospital; both must be unused and
		/// prove possession by signing [`rotation::key_rotation_message`] (this chain, this
		/// hospital), as `author_rotateKeysWithOwner(owner = that message)` produces them. The
		/// validator set takes them up at the next session.
		///
		/// The origin must be the admin of an active hospital.
		///
		/// Emits `SessionKeysRotated`.
		///
		/// Errors: `NotHospitalAdmin`, `AuraKeyInUse`, `GrandpaKeyInUse`, `InvalidKeyProof`,
		/// `HospitalNotFound`.
		///
		/// ## Complexity
		/// - O(1).
		#[pallet::call_index(7)]
		#[pallet::weight((T::WeightInfo::rotate_session_keys(), DispatchClass::Operational))]
		pub fn rotate_session_keys(
			origin: OriginFor<T>,
			aura: T::AuraId,
			grandpa: T::GrandpaId,
			aura_proof: T::AuraProof,
			grandpa_proof: T::GrandpaProof,
		) -> DispatchResult {
			let hospital =
				AdminOrigin::<T>::try_origin(origin).map_err(|_| Error::<T>::NotHospitalAdmin)?;
			Self::do_rotate_session_keys(hospital, aura, grandpa, &aura_proof, &grandpa_proof)
		}

		/// Replaces the nodes of the admin's hospital (or pharmacy). Each new node's key signs
		/// [`rotation::node_rotation_message`] (this chain, this member, these nodes), in node
		/// order; peer ids must be unused by other members and distinct.
		///
		/// The origin must be the admin of an active hospital or of an active pharmacy.
		///
		/// Emits `NodesRotated`.
		///
		/// Errors: `NotMemberAdmin`, `PeerIdInUse`, `InvalidNodeProof`, `HospitalNotFound`.
		///
		/// ## Complexity
		/// - O(1): charged for `MaxNodesPerHospital` nodes.
		#[pallet::call_index(8)]
		#[pallet::weight((T::WeightInfo::rotate_nodes(), DispatchClass::Operational))]
		pub fn rotate_nodes(
			origin: OriginFor<T>,
			nodes: BoundedVec<HospitalNode<T>, T::MaxNodesPerHospital>,
			node_proofs: BoundedVec<NodeSignature, T::MaxNodesPerHospital>,
		) -> DispatchResult {
			let (member, kind) = Self::ensure_member_admin(origin)?;
			Self::do_rotate_nodes(member, kind, nodes, &node_proofs)
		}

		/// Closes proposal `id`, which is past its lifetime, without executing it, freeing one of
		/// its proposer's open-proposal slots.
		///
		/// The origin must be the admin of an active hospital (any, not only the proposer's).
		///
		/// Emits `Closed`.
		///
		/// Errors: `NotHospitalAdmin`, `ProposalNotFound`, `NotExpired`.
		///
		/// ## Complexity
		/// - O(1).
		#[pallet::call_index(5)]
		#[pallet::weight((T::WeightInfo::close(), DispatchClass::Operational))]
		pub fn close(origin: OriginFor<T>, id: ProposalId) -> DispatchResult {
			AdminOrigin::<T>::try_origin(origin).map_err(|_| Error::<T>::NotHospitalAdmin)?;
			let info = Proposals::<T>::get(id).ok_or(Error::<T>::ProposalNotFound)?;
			ensure!(
				frame_system::Pallet::<T>::block_number() > info.expires_at,
				Error::<T>::NotExpired
			);
			Self::remove_proposal(id, &info);
			Self::deposit_event(Event::Closed { id });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// `measured` (a vote executing an admission, or a proposal), plus what a stall
		/// recovery can add: reading every validator's liveness and status, and a status and
		/// active-list write for each of up to `MaxHospitals` suspended hospitals (unmeasured
		/// until a benchmark covers it).
		pub(crate) fn with_recovery_bound(measured: Weight) -> Weight {
			let hospitals = u64::from(T::MaxHospitals::get());
			let recovery = T::DbWeight::get()
				.reads_writes(hospitals.saturating_mul(4), hospitals.saturating_mul(2));
			measured.saturating_add(recovery)
		}

		/// `measured` (a vote among hospitals), plus what pharmacies' approvals can add where
		/// they vote on admissions: for each of up to `MaxPharmacies` approvals, its member
		/// looked up in both maps (unmeasured until a benchmark covers it), and the voting flag,
		/// the active pharmacies' count and a pharmacy voter's own lookup.
		pub(crate) fn with_pharmacy_approvals_bound(measured: Weight) -> Weight {
			let pharmacies = u64::from(T::MaxPharmacies::get());
			let reads = pharmacies.saturating_mul(2).saturating_add(3);
			measured.saturating_add(T::DbWeight::get().reads(reads))
		}

		/// The active member (hospital or pharmacy) whose admin signed `origin`, and its kind.
		pub(crate) fn ensure_member_admin(
			origin: OriginFor<T>,
		) -> Result<(HospitalId, MemberKind), DispatchError> {
			let who = ensure_signed(origin).map_err(|_| Error::<T>::NotMemberAdmin)?;
			let Some((member, HospitalRole::Admin)) = AccountRoles::<T>::get(&who) else {
				return Err(Error::<T>::NotMemberAdmin.into());
			};
			let kind = Self::active_kind(member).ok_or(Error::<T>::NotMemberAdmin)?;
			Ok((member, kind))
		}

		/// Counts one registration of `hospital` against its rolling quota.
		fn count_registration(hospital: HospitalId) -> DispatchResult {
			let now = frame_system::Pallet::<T>::block_number();
			RegistrationQuota::<T>::try_mutate(hospital, |quota| {
				let limit = T::MaxRegistrationsPerPeriod::get();
				let refusal = Error::<T>::RegistrationQuotaReached.into();
				quota.count(now, T::QuotaPeriod::get(), limit, refusal)
			})
		}
	}
}
