//! Rotating a hospital's operator account, validator keys and nodes without leaving the
//! consortium.

use alloc::vec::Vec;
use codec::Encode;
use frame_support::{dispatch::DispatchResult, ensure, BoundedVec};
use medchain_primitives::{
	peer::{is_signed_by_node, NodeSignature},
	HospitalId, HospitalRole,
};
use sp_runtime::RuntimeAppPublic;

use crate::{
	AccountRoles, AuraKeyOwner, Config, Error, Event, GrandpaKeyOwner, HospitalNode, Hospitals,
	Pallet, PeerOwner,
};

/// Domain tag of the message new validator keys sign to replace a hospital's keys.
pub const KEY_ROTATION_DOMAIN: &[u8] = b"medchain/key-rotation/v1";

/// `KEY_ROTATION_DOMAIN ‖ SCALE(genesis hash, hospital)`: the proofs bind the new keys to this
/// chain and this hospital, so no other hospital can claim them.
pub fn key_rotation_message<T: Config>(genesis_hash: &T::Hash, hospital: HospitalId) -> Vec<u8> {
	let mut message = KEY_ROTATION_DOMAIN.to_vec();
	(genesis_hash, hospital).encode_to(&mut message);
	message
}

/// Domain tag of the message each new node key signs to replace a hospital's nodes.
pub const NODE_ROTATION_DOMAIN: &[u8] = b"medchain/node-rotation/v1";

/// `NODE_ROTATION_DOMAIN ‖ SCALE(genesis hash, hospital, nodes)`: each node key signs that it
/// is one of exactly these nodes of this hospital on this chain.
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
	pub(crate) fn do_rotate_operator(
		hospital: HospitalId,
		new_operator: T::AccountId,
	) -> DispatchResult {
		ensure!(!AccountRoles::<T>::contains_key(&new_operator), Error::<T>::AccountInUse);
		let mut entry = Hospitals::<T>::get(hospital).ok_or(Error::<T>::HospitalNotFound)?;
		let old = core::mem::replace(&mut entry.operator, new_operator.clone());
		AccountRoles::<T>::remove(&old);
		AccountRoles::<T>::insert(&new_operator, (hospital, HospitalRole::Operator));
		// A patient entry of the account (registered without its signature) does not block
		// this and is left alone: the operator role takes precedence when signing.
		// Accounts transact without balances; the reference is never removed.
		frame_system::Pallet::<T>::inc_providers(&new_operator);
		Hospitals::<T>::insert(hospital, entry);
		Self::deposit_event(Event::OperatorRotated { hospital, old, new: new_operator });
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

	pub(crate) fn do_rotate_nodes(
		hospital: HospitalId,
		nodes: BoundedVec<HospitalNode<T>, T::MaxNodesPerHospital>,
		node_proofs: &[NodeSignature],
	) -> DispatchResult {
		for (index, node) in nodes.iter().enumerate() {
			let owner = PeerOwner::<T>::get(&node.peer_id);
			ensure!(owner.is_none() || owner == Some(hospital), Error::<T>::PeerIdInUse);
			let mut later = nodes.iter().skip(index.saturating_add(1));
			ensure!(later.all(|other| other.peer_id != node.peer_id), Error::<T>::PeerIdInUse);
		}
		let genesis_hash = medchain_pallet_support::chain::genesis_hash::<T>();
		let message = node_rotation_message::<T>(&genesis_hash, hospital, &nodes);
		ensure!(
			node_proofs.len() == nodes.len()
				&& nodes
					.iter()
					.zip(node_proofs)
					.all(|(node, proof)| { is_signed_by_node(&node.peer_id, &message, proof) }),
			Error::<T>::InvalidNodeProof
		);
		let mut entry = Hospitals::<T>::get(hospital).ok_or(Error::<T>::HospitalNotFound)?;
		for node in entry.nodes.iter() {
			PeerOwner::<T>::remove(&node.peer_id);
		}
		for node in nodes.iter() {
			PeerOwner::<T>::insert(&node.peer_id, hospital);
		}
		entry.nodes = nodes;
		Hospitals::<T>::insert(hospital, entry);
		Self::deposit_event(Event::NodesRotated { hospital });
		Ok(())
	}
}
