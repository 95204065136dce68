//! Rotating a member's operator account and nodes, and a hospital's validator keys, without
//! leaving the consortium. A pharmacy's admin rotates its operator and nodes as a hospital's
//! does; a pharmacy has no validator keys.

use alloc::vec::Vec;
use codec::Encode;
use frame_support::{dispatch::DispatchResult, ensure, BoundedVec};
use medchain_primitives::{peer::NodeSignature, HospitalId, HospitalRole};
use sp_runtime::{DispatchError, RuntimeAppPublic};

use crate::{
	governance::signed_by_nodes, AccountRoles, AuraKeyOwner, Config, Error, Event, GrandpaKeyOwner,
	HospitalNode, Hospitals, MemberKind, Pallet, PeerOwner, Pharmacies,
};

/// A member's nodes, as hospitals and pharmacies store them.
type NodesOf<T> = BoundedVec<HospitalNode<T>, <T as Config>::MaxNodesPerHospital>;

/// Domain tag of the message new validator keys sign to replace a hospital's keys.
pub const KEY_ROTATION_DOMAIN: &[u8] = b"medchain/key-rotation/v1";

/// `KEY_ROTATION_DOMAIN ‖ SCALE(genesis hash, hospital)`: the proofs bind the new keys to this
/// chain and this hospital, so no other hospital can claim them.
pub fn key_rotation_message<T: Config>(genesis_hash: &T::Hash, hospital: HospitalId) -> Vec<u8> {
	let mut message = KEY_ROTATION_DOMAIN.to_vec();
	(genesis_hash, hospital).encode_to(&mut message);
	message
}

/// Domain tag of the message each new node key signs to replace a member's nodes.
pub const NODE_ROTATION_DOMAIN: &[u8] = b"medchain/node-rotation/v1";

/// `NODE_ROTATION_DOMAIN ‖ SCALE(genesis hash, hospital, nodes)`: each node key signs that it
/// is one of exactly these nodes of this member (hospital or pharmacy) on this chain.
pub fn node_rotation_message<T: Config>(
	genesis_hash: &T::Hash,
	hospital: HospitalId,
	nodes: &[HospitalNode<T>],
) -> Vec<u8> {
	let mut message = NODE_ROTATION_DOMAIN.to_vec();
	(genesis_hash, hospital, nodes).encode_to(&mut message);
	message
}

impl<T: Config> Pallet<T> {
	/// Applies `change` to the operator account and nodes of `member`, a hospital or a
	/// pharmacy as `kind` says, and stores the entry.
	fn mutate_member<R>(
		member: HospitalId,
		kind: MemberKind,
		change: impl FnOnce(&mut T::AccountId, &mut NodesOf<T>) -> R,
	) -> Result<R, DispatchError> {
		match kind {
			MemberKind::Hospital => {
				let mut entry = Hospitals::<T>::get(member).ok_or(Error::<T>::HospitalNotFound)?;
				let result = change(&mut entry.operator, &mut entry.nodes);
				Hospitals::<T>::insert(member, entry);
				Ok(result)
			}
			MemberKind::Pharmacy => {
				let mut entry = Pharmacies::<T>::get(member).ok_or(Error::<T>::HospitalNotFound)?;
				let result = change(&mut entry.operator, &mut entry.nodes);
				Pharmacies::<T>::insert(member, entry);
				Ok(result)
			}
		}
	}

	/// Replaces the operator account of `member` (of kind `kind`) with `new_operator`.
	pub(crate) fn do_rotate_operator(
		member: HospitalId,
		kind: MemberKind,
		new_operator: T::AccountId,
	) -> DispatchResult {
		ensure!(!AccountRoles::<T>::contains_key(&new_operator), Error::<T>::AccountInUse);
		let old = Self::mutate_member(member, kind, |operator, _| {
			core::mem::replace(operator, new_operator.clone())
		})?;
		AccountRoles::<T>::remove(&old);
		AccountRoles::<T>::insert(&new_operator, (member, HospitalRole::Operator));
		// A patient entry of the account (registered without its signature) does not block
		// this and is left alone: the operator role takes precedence when signing.
		// Accounts transact without balances; the reference is never removed.
		frame_system::Pallet::<T>::inc_providers(&new_operator);
		Self::deposit_event(Event::OperatorRotated { hospital: member, old, new: new_operator });
		Ok(())
	}

	pub(crate) fn do_rotate_session_keys(
		hospital: HospitalId,
		aura: T::AuraId,
		grandpa: T::GrandpaId,
		aura_proof: &T::AuraProof,
		grandpa_proof: &T::GrandpaProof,
	) -> DispatchResult {
		ensure!(!AuraKeyOwner::<T>::contains_key(&aura), Error::<T>::AuraKeyInUse);
		ensure!(!GrandpaKeyOwner::<T>::contains_key(&grandpa), Error::<T>::GrandpaKeyInUse);
		let genesis_hash = medchain_pallet_support::chain::genesis_hash::<T>();
		let message = key_rotation_message::<T>(&genesis_hash, hospital);
		ensure!(
			aura.verify_proof_of_possession(&message, aura_proof)
				&& grandpa.verify_proof_of_possession(&message, grandpa_proof),
			Error::<T>::InvalidKeyProof
		);
		let mut entry = Hospitals::<T>::get(hospital).ok_or(Error::<T>::HospitalNotFound)?;
		AuraKeyOwner::<T>::remove(&entry.aura);
		GrandpaKeyOwner::<T>::remove(&entry.grandpa);
		AuraKeyOwner::<T>::insert(&aura, hospital);
		GrandpaKeyOwner::<T>::insert(&grandpa, hospital);
		entry.aura = aura.clone();
		entry.grandpa = grandpa.clone();
		Hospitals::<T>::insert(hospital, entry);
		Self::deposit_event(Event::SessionKeysRotated { hospital, aura, grandpa });
		Ok(())
	}

	/// Replaces the nodes of `member` (of kind `kind`) with `nodes`, each signed by its key.
	pub(crate) fn do_rotate_nodes(
		member: HospitalId,
		kind: MemberKind,
		nodes: NodesOf<T>,
		node_proofs: &[NodeSignature],
	) -> DispatchResult {
		for (index, node) in nodes.iter().enumerate() {
			let owner = PeerOwner::<T>::get(&node.peer_id);
			ensure!(owner.is_none() || owner == Some(member), Error::<T>::PeerIdInUse);
			let mut later = nodes.iter().skip(index.saturating_add(1));
			ensure!(later.all(|other| other.peer_id != node.peer_id), Error::<T>::PeerIdInUse);
		}
		let genesis_hash = medchain_pallet_support::chain::genesis_hash::<T>();
		let message = node_rotation_message::<T>(&genesis_hash, member, &nodes);
		ensure!(signed_by_nodes::<T>(&nodes, &message, node_proofs), Error::<T>::InvalidNodeProof);
		let old = Self::mutate_member(member, kind, |_, stored| {
			core::mem::replace(stored, nodes.clone())
		})?;
		// The old peer ids go first: a node kept across the rotation stays the member's.
		for node in old.iter() {
			PeerOwner::<T>::remove(&node.peer_id);
		}
		for node in nodes.iter() {
			PeerOwner::<T>::insert(&node.peer_id, member);
		}
		Self::deposit_event(Event::NodesRotated { hospital: member });
		Ok(())
	}
}
