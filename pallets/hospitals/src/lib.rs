//! # Hospitals pallet
//!
//! The consortium registry of medchain: which hospitals are members, the accounts, validator
//! keys and nodes each one uses, and the patient pseudonyms hospitals have registered.
//!
//! ## Calls
//! - [`Pallet::register_patient`]: an active hospital's operator registers the pseudonymous
//!   account it knows for a patient. The account gets a provider reference (medchain has no
//!   balances), which is never removed, so its nonce never resets.
//! - [`Pallet::deregister_patient`]: the registering hospital stops the pseudonym from sending
//!   new transactions. Nothing already on chain changes.
//! - [`Pallet::propose`]: an active hospital's admin proposes to suspend, reinstate or remove a
//!   hospital, or to upgrade the runtime.
//! - [`Pallet::propose_hospital`]: the same, to admit a hospital whose validator keys proved
//!   possession by signing its admin account.
//! - [`Pallet::vote`]: another active hospital's admin approves; the vote that reaches two
//!   thirds of the active hospitals (not counting the target) executes the proposal.
//! - [`Pallet::close`]: removes a proposal past its lifetime.
//!
//! Governance calls are `Operational`, so a flood of normal transactions can't delay them.
//!
//! ## Transaction permissioning
//! [`CheckPermission`] admits only members' and registered patients' transactions, only the
//! calls their role allows, and a bounded number per account per block.
//!
//! ## Genesis
//! The founding hospitals. Their admin and operator accounts get a provider reference, and
//! every account, validator key and peer id must be unique across hospitals.
//!
//! Other pallets see this one only through [`medchain_primitives::HospitalRegistry`] and
//! [`medchain_primitives::PatientRegistry`].

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
/// Inserts an active hospital with placeholder keys, for other pallets' runtime benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub use benchmarking::active_hospital;
mod genesis;
pub mod governance;
#[cfg(test)]
mod mock;
pub mod permission;
mod registry;
#[cfg(test)]
mod tests {
	mod governance;
	mod patients;
	mod permission;
	mod registry;
}
pub mod types;
pub mod weights;

pub use genesis::{GenesisHospital, GenesisNode};
pub use permission::{CallPermissions, CheckPermission, Signer};
pub use types::{
	Hospital, HospitalNode, HospitalStatus, NewHospital, Patient, PeerIdOf, Proposal, ProposalInfo,
};
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;
	use medchain_primitives::{HospitalId, HospitalRegistry, HospitalRole};
	use sp_runtime::RuntimeAppPublic;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// A hospital's block-authoring (Aura) public key.
		type AuraId: Parameter
			+ Member
			+ MaxEncodedLen
			+ Ord
			+ MaybeSerializeDeserialize
			+ RuntimeAppPublic<ProofOfPossession = Self::AuraProof>;

		/// An Aura key's proof of possession, as `propose_hospital` takes it.
		type AuraProof: Parameter;

		/// A hospital's finality-voting (GRANDPA) public key.
		type GrandpaId: Parameter
			+ Member
			+ MaxEncodedLen
			+ Ord
			+ MaybeSerializeDeserialize
			+ RuntimeAppPublic<ProofOfPossession = Self::GrandpaProof>;

		/// A GRANDPA key's proof of possession, as `propose_hospital` takes it.
		type GrandpaProof: Parameter;

		/// Most hospitals the consortium may ever admit (bounds the approvals of a proposal).
		#[pallet::constant]
		type MaxHospitals: Get<u32>;

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

		/// Most nodes one hospital may register.
		#[pallet::constant]
		type MaxNodesPerHospital: Get<u32>;

		/// Longest peer id, in bytes of its base58 text (an ed25519 peer id takes 52).
		#[pallet::constant]
		type MaxPeerIdLength: Get<u32>;

		/// Longest node multiaddr, in bytes of its text form.
		#[pallet::constant]
		type MaxAddressLength: Get<u32>;

		/// Which calls admins, operators and patients may sign; see [`CheckPermission`].
		type CallPermissions: CallPermissions<<Self as frame_system::Config>::RuntimeCall>;

		/// Most extrinsics one account may have in one block.
		#[pallet::constant]
		type MaxExtrinsicsPerBlock: Get<u32>;

		/// Forces a new GRANDPA set when governance votes a `RecoverStalledSet` proposal.
		type StallRecovery: medchain_primitives::StalledSetRecovery<BlockNumberFor<Self>>;

		type WeightInfo: WeightInfo;
	}

	/// Member hospitals by id. Removed hospitals stay, with status `Removed`, for auditors.
	#[pallet::storage]
	pub type Hospitals<T: Config> = StorageMap<_, Twox64Concat, HospitalId, Hospital<T>>;

	/// The id the next admitted hospital gets.
	#[pallet::storage]
	pub type NextHospitalId<T: Config> = StorageValue<_, HospitalId, ValueQuery>;

	/// The hospital and role of every admin and operator account; an account serves one
	/// hospital in one role.
	#[pallet::storage]
	pub type AccountRoles<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, (HospitalId, HospitalRole)>;

	/// Owner of each Aura key; keys are unique across hospitals.
	#[pallet::storage]
	pub type AuraKeyOwner<T: Config> = StorageMap<_, Blake2_128Concat, T::AuraId, HospitalId>;

	/// Owner of each GRANDPA key; keys are unique across hospitals.
	#[pallet::storage]
	pub type GrandpaKeyOwner<T: Config> = StorageMap<_, Blake2_128Concat, T::GrandpaId, HospitalId>;

	/// Owner of each node's peer id; peer ids are unique across hospitals.
	#[pallet::storage]
	pub type PeerOwner<T: Config> = StorageMap<_, Blake2_128Concat, PeerIdOf<T>, HospitalId>;

	/// How many hospitals are `Active`.
	#[pallet::storage]
	pub type ActiveHospitalCount<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// Open proposals by id.
	#[pallet::storage]
	pub type Proposals<T: Config> = StorageMap<_, Twox64Concat, u32, ProposalInfo<T>>;

	/// The id the next proposal gets.
	#[pallet::storage]
	pub type NextProposalId<T: Config> = StorageValue<_, u32, ValueQuery>;

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

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The founding hospitals, in id order from 0.
		pub hospitals: alloc::vec::Vec<GenesisHospital<T>>,
		/// See [`ProposalLifetime`].
		pub proposal_lifetime: BlockNumberFor<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			genesis::build::<T>(&self.hospitals);
			ProposalLifetime::<T>::put(self.proposal_lifetime);
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
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

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// The admin of `proposer` opened proposal `id` (and approved it).
		Proposed {
			id: u32,
			proposer: HospitalId,
			proposal: Proposal<T>,
		},
		/// Proposal `id` has `ayes` approvals that count, of `needed`.
		Tallied {
			id: u32,
			ayes: u32,
			needed: u32,
		},
		/// Proposal `id` was approved and carried out.
		Executed {
			id: u32,
		},
		/// Proposal `id` passed its lifetime and was closed without executing.
		Closed {
			id: u32,
		},
		HospitalAdded {
			hospital: HospitalId,
			name: BoundedVec<u8, T::MaxNameLength>,
		},
		HospitalSuspended {
			hospital: HospitalId,
		},
		HospitalReinstated {
			hospital: HospitalId,
		},
		HospitalRemoved {
			hospital: HospitalId,
		},
		/// Code with `code_hash` may now be set with `system.apply_authorized_upgrade`.
		RuntimeUpgradeAuthorized {
			code_hash: T::Hash,
		},
		/// Governance asked for a forced GRANDPA change to recover stalled finality.
		StallRecoveryScheduled {
			delay: BlockNumberFor<T>,
			best_finalized: BlockNumberFor<T>,
		},
		/// `hospital` registered the pseudonym `patient`.
		PatientRegistered {
			patient: T::AccountId,
			hospital: HospitalId,
		},
		/// `hospital` deregistered the pseudonym `patient`.
		PatientDeregistered {
			patient: T::AccountId,
			hospital: HospitalId,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The signer is not the admin of an active hospital.
		NotHospitalAdmin,
		/// No hospital has this id.
		HospitalNotFound,
		/// The hospital is not active.
		NotActive,
		/// The hospital is not suspended.
		NotSuspended,
		/// The hospital was removed; removal is final.
		HospitalRemoved,
		/// The change would leave fewer active hospitals than `MinActiveHospitals`.
		BelowMinimumHospitals,
		/// An admin or operator account already serves a hospital (or is given twice).
		AccountInUse,
		/// The Aura key belongs to another hospital.
		AuraKeyInUse,
		/// The GRANDPA key belongs to another hospital.
		GrandpaKeyInUse,
		/// A peer id belongs to another hospital (or is listed twice).
		PeerIdInUse,
		/// A validator key did not prove possession by signing the new hospital's admin account.
		InvalidKeyProof,
		/// Adding a hospital needs its key proofs: use `propose_hospital`.
		AddNeedsKeyProofs,
		/// No open proposal has this id.
		ProposalNotFound,
		/// This hospital already approved the proposal.
		AlreadyVoted,
		/// The hospital a proposal is about does not vote on it.
		TargetCannotVote,
		/// The proposal is past its lifetime.
		Expired,
		/// The proposal is still within its lifetime.
		NotExpired,
		/// The consortium already admitted `MaxHospitals` hospitals.
		TooManyHospitals,
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
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Registers `patient`, a pseudonymous account, as a patient of the caller's hospital.
		///
		/// The origin must be signed by an active hospital's operator. A pseudonym registered
		/// before and then deregistered by the same hospital is registered again.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_patient())]
		pub fn register_patient(origin: OriginFor<T>, patient: T::AccountId) -> DispatchResult {
			let hospital = Self::ensure_operator(origin)?;
			ensure!(!AccountRoles::<T>::contains_key(&patient), Error::<T>::AccountIsHospital);
			let existing = Patients::<T>::get(&patient);
			if let Some(existing) = &existing {
				ensure!(!existing.active, Error::<T>::AlreadyRegistered);
				ensure!(existing.hospital == hospital, Error::<T>::NotRegisteringHospital);
			} else {
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
		/// The origin must be signed by the operator of the hospital that registered it.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::deregister_patient())]
		pub fn deregister_patient(origin: OriginFor<T>, patient: T::AccountId) -> DispatchResult {
			let hospital = Self::ensure_operator(origin)?;
			let mut record = Patients::<T>::get(&patient).ok_or(Error::<T>::PatientNotFound)?;
			ensure!(record.hospital == hospital, Error::<T>::NotRegisteringHospital);
			ensure!(record.active, Error::<T>::AlreadyDeregistered);
			record.active = false;
			Patients::<T>::insert(&patient, record);
			Self::deposit_event(Event::PatientDeregistered { patient, hospital });
			Ok(())
		}

		/// Proposes `proposal` (suspend, reinstate, remove, or upgrade the runtime) and approves it.
		///
		/// The origin must be signed by an active hospital's admin. Adding a hospital goes
		/// through [`Pallet::propose_hospital`], which needs key proofs.
		#[pallet::call_index(2)]
		#[pallet::weight((T::WeightInfo::propose(), DispatchClass::Operational))]
		pub fn propose(origin: OriginFor<T>, proposal: Proposal<T>) -> DispatchResult {
			let proposer = Self::ensure_admin(origin)?;
			ensure!(!matches!(proposal, Proposal::AddHospital(_)), Error::<T>::AddNeedsKeyProofs);
			Self::do_propose(proposer, proposal)
		}

		/// Proposes admitting `hospital` and approves it.
		///
		/// The origin must be signed by an active hospital's admin. `aura_proof` and
		/// `grandpa_proof` are the new hospital's proofs of possession over the SCALE encoding
		/// of its admin account, as `author_rotateKeysWithOwner`/`generate_session_keys(owner)`
		/// produce them.
		#[pallet::call_index(3)]
		#[pallet::weight((T::WeightInfo::propose_hospital(), DispatchClass::Operational))]
		pub fn propose_hospital(
			origin: OriginFor<T>,
			hospital: NewHospital<T>,
			aura_proof: T::AuraProof,
			grandpa_proof: T::GrandpaProof,
		) -> DispatchResult {
			let proposer = Self::ensure_admin(origin)?;
			Self::check_key_proofs(&hospital, &aura_proof, &grandpa_proof)?;
			Self::do_propose(proposer, Proposal::AddHospital(hospital))
		}

		/// Approves open proposal `id`; the approval that reaches the threshold executes it.
		///
		/// The origin must be signed by the admin of an active hospital that is not the
		/// proposal's target and has not approved it yet.
		#[pallet::call_index(4)]
		#[pallet::weight((T::WeightInfo::vote(), DispatchClass::Operational))]
		pub fn vote(origin: OriginFor<T>, id: u32) -> DispatchResult {
			let voter = Self::ensure_admin(origin)?;
			Self::do_vote(voter, id)
		}

		/// Closes proposal `id`, which is past its lifetime, without executing it.
		///
		/// The origin must be signed by an active hospital's admin.
		#[pallet::call_index(5)]
		#[pallet::weight((T::WeightInfo::close(), DispatchClass::Operational))]
		pub fn close(origin: OriginFor<T>, id: u32) -> DispatchResult {
			Self::ensure_admin(origin)?;
			let info = Proposals::<T>::get(id).ok_or(Error::<T>::ProposalNotFound)?;
			ensure!(
				frame_system::Pallet::<T>::block_number() > info.expires_at,
				Error::<T>::NotExpired
			);
			Proposals::<T>::remove(id);
			Self::deposit_event(Event::Closed { id });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The hospital whose active operator signed `origin`.
		fn ensure_operator(origin: OriginFor<T>) -> Result<HospitalId, DispatchError> {
			let who = ensure_signed(origin)?;
			match Self::active_hospital_of(&who) {
				Some((hospital, HospitalRole::Operator)) => Ok(hospital),
				_ => Err(Error::<T>::NotHospitalOperator.into()),
			}
		}
	}
}
