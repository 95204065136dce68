//! Rotating a hospital's operator account and validator keys without leaving the consortium.

use alloc::vec::Vec;
use codec::Encode;
use frame_support::{dispatch::DispatchResult, ensure};
use frame_system::pallet_prelude::BlockNumberFor;
use medchain_primitives::{HospitalId, HospitalRole};
use sp_runtime::{traits::Zero, RuntimeAppPublic};

use crate::{
	AccountRoles, AuraKeyOwner, Config, Error, Event, GrandpaKeyOwner, Hospitals, Pallet, Patients,
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
		// A patient entry (registered without the account's signature) must not block this.
		Patients::<T>::remove(&new_operator);
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
		let genesis_hash = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
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
}
