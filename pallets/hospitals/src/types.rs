//! What the registry stores about a hospital and a patient.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound};
use medchain_primitives::HospitalId;
use scale_info::TypeInfo;

use crate::Config;

/// A hospital's membership state. Only `Active` hospitals act, vote and validate.
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
	Active,
	Suspended,
	Removed,
}

/// A libp2p peer id in its base58 text form (`12D3KooW…`), as the node prints it.
pub type PeerIdOf<T> = BoundedVec<u8, <T as Config>::MaxPeerIdLength>;

/// One node a hospital runs: its peer id and the multiaddr other members dial.
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
	pub peer_id: PeerIdOf<T>,
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
	pub name: BoundedVec<u8, T::MaxNameLength>,
	/// Governance key, kept offline.
	pub admin: T::AccountId,
	/// The key the hospital's node signs day-to-day extrinsics with.
	pub operator: T::AccountId,
	/// Block authoring key.
	pub aura: T::AuraId,
	/// Finality voting key.
	pub grandpa: T::GrandpaId,
	pub nodes: BoundedVec<HospitalNode<T>, T::MaxNodesPerHospital>,
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
	pub name: BoundedVec<u8, T::MaxNameLength>,
	pub admin: T::AccountId,
	pub operator: T::AccountId,
	pub aura: T::AuraId,
	pub grandpa: T::GrandpaId,
	pub nodes: BoundedVec<HospitalNode<T>, T::MaxNodesPerHospital>,
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
	/// Stop an active hospital from acting, voting and validating.
	Suspend { hospital: HospitalId },
	/// Make a suspended hospital active again.
	Reinstate { hospital: HospitalId },
	/// End a hospital's membership for good; its records on chain stay.
	Remove { hospital: HospitalId },
	/// Authorize runtime code with this hash; anyone may then submit it with
	/// `system.apply_authorized_upgrade`. `check_version` refuses code whose spec name differs
	/// or whose spec version does not increase.
	UpgradeRuntime { code_hash: <T as frame_system::Config>::Hash, check_version: bool },
	/// Finality has stalled: force a GRANDPA change to the registry's active hospitals after
	/// `delay` blocks, the new set voting on top of `best_finalized`.
	RecoverStalledSet {
		delay: frame_system::pallet_prelude::BlockNumberFor<T>,
		best_finalized: frame_system::pallet_prelude::BlockNumberFor<T>,
	},
}

impl<T: Config> Proposal<T> {
	/// The existing hospital the proposal is about; its own vote does not count.
	pub fn target(&self) -> Option<HospitalId> {
		match self {
			Proposal::Suspend { hospital }
			| Proposal::Reinstate { hospital }
			| Proposal::Remove { hospital } => Some(*hospital),
			Proposal::AddHospital(_)
			| Proposal::UpgradeRuntime { .. }
			| Proposal::RecoverStalledSet { .. } => None,
		}
	}
}

/// An open proposal and the hospitals that approved it.
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
	pub proposal: Proposal<T>,
	pub proposer: HospitalId,
	pub ayes: BoundedVec<HospitalId, T::MaxHospitals>,
	/// The last block in which the proposal takes votes.
	pub expires_at: frame_system::pallet_prelude::BlockNumberFor<T>,
}
