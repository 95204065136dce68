//! What the registry stores about a hospital, a pharmacy and a patient.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use core::marker::PhantomData;
use frame_support::{
	traits::Get, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use medchain_primitives::HospitalId;
use scale_info::TypeInfo;

use crate::Config;

/// A member's (hospital's or pharmacy's) membership state. Only `Active` hospitals act, vote
/// and validate; only `Active` pharmacies act (and, where genesis allows it, vote on
/// admissions).
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum HospitalStatus {
	/// A member in good standing: a hospital acts, votes and validates; a pharmacy acts.
	Active,
	/// Stopped by governance; it may be reinstated.
	Suspended,
	/// Removed by governance for good; the entry stays for auditors.
	Removed,
}

/// A libp2p peer id in its base58 text form (`12D3KooW…`), as the node prints it.
pub type PeerIdOf<T> = BoundedVec<u8, <T as Config>::MaxPeerIdLength>;

/// One node a member (hospital or pharmacy) runs: its peer id and the multiaddr other members
/// dial.
#[derive(
	CloneNoBound,
	DebugNoBound,
	PartialEqNoBound,
	EqNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
#[scale_info(skip_type_params(T))]
pub struct HospitalNode<T: Config> {
	/// The node's peer id, in base58 text.
	pub peer_id: PeerIdOf<T>,
	/// The multiaddr other members dial, in text form.
	pub address: BoundedVec<u8, T::MaxAddressLength>,
}

/// A member hospital.
#[derive(
	CloneNoBound,
	DebugNoBound,
	PartialEqNoBound,
	EqNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
#[scale_info(skip_type_params(T))]
pub struct Hospital<T: Config> {
	/// The hospital's name, as UTF-8 bytes.
	pub name: BoundedVec<u8, T::MaxNameLength>,
	/// Governance key, kept offline.
	pub admin: T::AccountId,
	/// The key the hospital's node signs day-to-day extrinsics with.
	pub operator: T::AccountId,
	/// Block authoring key.
	pub aura: T::AuraId,
	/// Finality voting key.
	pub grandpa: T::GrandpaId,
	/// The nodes the hospital runs; its peer ids are on the active members' allowlist.
	pub nodes: BoundedVec<HospitalNode<T>, T::MaxNodesPerHospital>,
	/// Whether the hospital is active, suspended or removed.
	pub status: HospitalStatus,
	/// The block at which the hospital joined (0 for genesis members).
	pub joined: frame_system::pallet_prelude::BlockNumberFor<T>,
}

/// A registered patient pseudonym. Kept after deregistration, so the account's history and
/// provider reference stay.
#[derive(
	CloneNoBound,
	DebugNoBound,
	PartialEqNoBound,
	EqNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
#[scale_info(skip_type_params(T))]
pub struct Patient<T: Config> {
	/// The hospital that knows this pseudonym and registered it.
	pub hospital: HospitalId,
	/// The block of the latest registration (a re-registration updates it).
	pub registered_at: frame_system::pallet_prelude::BlockNumberFor<T>,
	/// `false` once deregistered: new transactions are refused, old blocks stay valid.
	pub active: bool,
}

/// A hospital as a proposal admits it (status and join block are set on admission).
#[derive(
	CloneNoBound,
	DebugNoBound,
	PartialEqNoBound,
	EqNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
#[scale_info(skip_type_params(T))]
pub struct NewHospital<T: Config> {
	/// The hospital's name, as UTF-8 bytes.
	pub name: BoundedVec<u8, T::MaxNameLength>,
	/// Governance account; must serve no hospital yet.
	pub admin: T::AccountId,
	/// Day-to-day signing account; must serve no hospital yet and differ from `admin`.
	pub operator: T::AccountId,
	/// Block authoring key; must be unused.
	pub aura: T::AuraId,
	/// Finality voting key; must be unused.
	pub grandpa: T::GrandpaId,
	/// The nodes the hospital runs; peer ids must be unused and distinct.
	pub nodes: BoundedVec<HospitalNode<T>, T::MaxNodesPerHospital>,
}

/// A member pharmacy: it fills prescriptions and never validates, so it has no validator keys.
/// Its id comes from the hospitals' counter, so an id names one member of either kind.
#[derive(
	CloneNoBound,
	DebugNoBound,
	PartialEqNoBound,
	EqNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
#[scale_info(skip_type_params(T))]
pub struct Pharmacy<T: Config> {
	/// The pharmacy's name, as UTF-8 bytes.
	pub name: BoundedVec<u8, T::MaxNameLength>,
	/// Governance key, kept offline.
	pub admin: T::AccountId,
	/// The key the pharmacy's node signs day-to-day extrinsics with.
	pub operator: T::AccountId,
	/// The nodes the pharmacy runs; its peer ids are on the active members' allowlist.
	pub nodes: BoundedVec<HospitalNode<T>, T::MaxNodesPerHospital>,
	/// Whether the pharmacy is active, suspended or removed.
	pub status: HospitalStatus,
	/// The block at which the pharmacy joined.
	pub joined: frame_system::pallet_prelude::BlockNumberFor<T>,
}

/// A pharmacy as a proposal admits it (status and join block are set on admission).
#[derive(
	CloneNoBound,
	DebugNoBound,
	PartialEqNoBound,
	EqNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
#[scale_info(skip_type_params(T))]
pub struct NewPharmacy<T: Config> {
	/// The pharmacy's name, as UTF-8 bytes.
	pub name: BoundedVec<u8, T::MaxNameLength>,
	/// Governance account; must serve no member yet.
	pub admin: T::AccountId,
	/// Day-to-day signing account; must serve no member yet and differ from `admin`.
	pub operator: T::AccountId,
	/// The nodes the pharmacy runs; peer ids must be unused and distinct.
	pub nodes: BoundedVec<HospitalNode<T>, T::MaxNodesPerHospital>,
}

/// Which kind of member an id names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberKind {
	/// A hospital: it acts, votes and validates.
	Hospital,
	/// A pharmacy: it acts, and votes only on admissions where genesis allows it.
	Pharmacy,
}

/// What a governance proposal does once approved.
#[derive(
	CloneNoBound,
	DebugNoBound,
	PartialEqNoBound,
	EqNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
#[scale_info(skip_type_params(T))]
pub enum Proposal<T: Config> {
	/// Admit a hospital (proposed with `propose_hospital`, which checks its key proofs).
	AddHospital(NewHospital<T>),
	/// Stop an active hospital (or pharmacy) from acting, voting and validating.
	Suspend {
		/// The hospital or pharmacy to suspend.
		hospital: HospitalId,
	},
	/// Make a suspended hospital (or pharmacy) active again.
	Reinstate {
		/// The hospital or pharmacy to reinstate.
		hospital: HospitalId,
	},
	/// End a hospital's (or pharmacy's) membership for good; its records on chain stay.
	Remove {
		/// The hospital or pharmacy to remove.
		hospital: HospitalId,
	},
	/// Authorize runtime code with this hash; anyone may then submit it with
	/// `system.apply_authorized_upgrade`. `check_version` refuses code whose spec name differs
	/// or whose spec version does not increase.
	UpgradeRuntime {
		/// The hash of the runtime code to authorize.
		code_hash: <T as frame_system::Config>::Hash,
		/// Whether the upgrade checks the new code's spec name and version.
		check_version: bool,
	},
	/// Finality has stalled: suspend every active hospital whose validator is not live, then
	/// force a GRANDPA change to the registry's active hospitals after `delay` blocks, the new
	/// set voting on top of `best_finalized`. Only the live hospitals vote on it.
	RecoverStalledSet {
		/// Blocks the signalling block must be deep before nodes apply the change; at most
		/// `MaxRecoveryDelay`.
		delay: frame_system::pallet_prelude::BlockNumberFor<T>,
		/// The highest block every new voter has finalized; before the current block.
		best_finalized: frame_system::pallet_prelude::BlockNumberFor<T>,
	},
	/// Admit a pharmacy (proposed with `propose_pharmacy`, which checks its node proofs).
	/// Appended last, so the other variants keep their encoding.
	AddPharmacy(NewPharmacy<T>),
}

impl<T: Config> Proposal<T> {
	/// The existing member the proposal is about; its own vote does not count.
	pub fn target(&self) -> Option<HospitalId> {
		match self {
			Proposal::Suspend { hospital }
			| Proposal::Reinstate { hospital }
			| Proposal::Remove { hospital } => Some(*hospital),
			Proposal::AddHospital(_)
			| Proposal::AddPharmacy(_)
			| Proposal::UpgradeRuntime { .. }
			| Proposal::RecoverStalledSet { .. } => None,
		}
	}

	/// Whether the proposal admits a member: the only proposals pharmacies may vote on (and
	/// only where genesis says so).
	pub fn is_admission(&self) -> bool {
		matches!(self, Proposal::AddHospital(_) | Proposal::AddPharmacy(_))
	}
}

/// Most approvals a proposal can hold: one per active hospital and one per active pharmacy.
pub struct MaxVoters<T>(PhantomData<T>);

impl<T: Config> Get<u32> for MaxVoters<T> {
	fn get() -> u32 {
		T::MaxHospitals::get().saturating_add(T::MaxPharmacies::get())
	}
}

/// A governance proposal's id, assigned in order of proposal.
pub type ProposalId = u32;

/// An open proposal and the members that approved it.
#[derive(
	CloneNoBound,
	DebugNoBound,
	PartialEqNoBound,
	EqNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
#[scale_info(skip_type_params(T))]
pub struct ProposalInfo<T: Config> {
	/// What the proposal does once approved.
	pub proposal: Proposal<T>,
	/// The member whose admin proposed it; the proposal holds one of its open slots.
	pub proposer: HospitalId,
	/// The members that approved it. Only those still allowed to vote on it (active and, for a
	/// stall recovery, live), other than the target, count.
	pub ayes: BoundedVec<HospitalId, MaxVoters<T>>,
	/// The last block in which the proposal takes votes.
	pub expires_at: frame_system::pallet_prelude::BlockNumberFor<T>,
}
