//! The registry's invariants, checked by `try_state` (try-runtime, and after every unit test).

use alloc::{collections::BTreeMap, vec::Vec};
use frame_support::ensure;
use medchain_primitives::{HospitalId, HospitalRole};
use sp_runtime::TryRuntimeError;

use crate::{
	AccountRoles, ActiveHospitals, ActivePharmacies, AuraKeyOwner, Config, GrandpaKeyOwner,
	HospitalStatus, Hospitals, NextHospitalId, NextProposalId, OpenProposals, Pallet, Patients,
	PeerOwner, Pharmacies, Proposals,
};

impl<T: Config> Pallet<T> {
	/// Every member's accounts and peer ids, and every hospital's validator keys, point back at
	/// it and nothing else does; no pharmacy holds a validator key, and no id is both a hospital
	/// and a pharmacy; `ActiveHospitals` and `ActivePharmacies` list exactly the active members
	/// of their kind; `OpenProposals` counts each admin's proposals; ids stay below their
	/// counters.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let hospital_peers = Self::check_hospitals()?;
		let pharmacy_peers = Self::check_pharmacies()?;
		ensure!(
			PeerOwner::<T>::iter_keys().fold(0u64, |n, _| n.saturating_add(1))
				== hospital_peers.saturating_add(pharmacy_peers),
			"a peer id outlived its rotation"
		);
		Self::check_account_roles()?;
		Self::check_proposals()?;
		let next = NextHospitalId::<T>::get();
		for patient in Patients::<T>::iter_values() {
			ensure!(patient.hospital < next, "a patient's hospital was never admitted");
		}
		Ok(())
	}

	/// The hospitals' invariants; returns how many peer ids they hold.
	fn check_hospitals() -> Result<u64, TryRuntimeError> {
		let next = NextHospitalId::<T>::get();
		let mut active = Vec::new();
		let mut peers = 0u64;
		for (id, hospital) in Hospitals::<T>::iter() {
			ensure!(id < next, "a hospital's id is not below NextHospitalId");
			if hospital.status == HospitalStatus::Active {
				active.push(id);
			}
			ensure!(
				AccountRoles::<T>::get(&hospital.admin) == Some((id, HospitalRole::Admin)),
				"a hospital's admin has another role"
			);
			ensure!(
				AccountRoles::<T>::get(&hospital.operator) == Some((id, HospitalRole::Operator)),
				"a hospital's operator has another role"
			);
			ensure!(AuraKeyOwner::<T>::get(&hospital.aura) == Some(id), "an Aura key's owner");
			ensure!(
				GrandpaKeyOwner::<T>::get(&hospital.grandpa) == Some(id),
				"a GRANDPA key's owner"
			);
			for node in &hospital.nodes {
				ensure!(PeerOwner::<T>::get(&node.peer_id) == Some(id), "a peer id's owner");
				peers = peers.saturating_add(1);
			}
		}
		active.sort_unstable();
		ensure!(
			ActiveHospitals::<T>::get().into_inner() == active,
			"ActiveHospitals is not the list of active hospitals"
		);
		// Each hospital's keys point back at it; as many keys as hospitals means no other
		// owner (no pharmacy) holds one.
		let hospitals = Hospitals::<T>::iter_keys().fold(0u64, |count, _| count.saturating_add(1));
		let count = |keys: u64| keys == hospitals;
		ensure!(
			count(AuraKeyOwner::<T>::iter_keys().fold(0, |n, _| n.saturating_add(1))),
			"an Aura key outlived its rotation"
		);
		ensure!(
			count(GrandpaKeyOwner::<T>::iter_keys().fold(0, |n, _| n.saturating_add(1))),
			"a GRANDPA key outlived its rotation"
		);
		for owner in AuraKeyOwner::<T>::iter_values().chain(GrandpaKeyOwner::<T>::iter_values()) {
			ensure!(!Pharmacies::<T>::contains_key(owner), "a pharmacy holds a validator key");
		}
		Ok(peers)
	}

	/// The pharmacies' invariants; returns how many peer ids they hold.
	fn check_pharmacies() -> Result<u64, TryRuntimeError> {
		let next = NextHospitalId::<T>::get();
		let mut active = Vec::new();
		let mut peers = 0u64;
		for (id, pharmacy) in Pharmacies::<T>::iter() {
			ensure!(id < next, "a pharmacy's id is not below NextHospitalId");
			ensure!(!Hospitals::<T>::contains_key(id), "an id is both a hospital and a pharmacy");
			if pharmacy.status == HospitalStatus::Active {
				active.push(id);
			}
			ensure!(
				AccountRoles::<T>::get(&pharmacy.admin) == Some((id, HospitalRole::Admin)),
				"a pharmacy's admin has another role"
			);
			ensure!(
				AccountRoles::<T>::get(&pharmacy.operator) == Some((id, HospitalRole::Operator)),
				"a pharmacy's operator has another role"
			);
			for node in &pharmacy.nodes {
				ensure!(PeerOwner::<T>::get(&node.peer_id) == Some(id), "a peer id's owner");
				peers = peers.saturating_add(1);
			}
		}
		active.sort_unstable();
		ensure!(
			ActivePharmacies::<T>::get().into_inner() == active,
			"ActivePharmacies is not the list of active pharmacies"
		);
		Ok(peers)
	}

	/// Every account role names a member (hospital or pharmacy) whose account it is.
	fn check_account_roles() -> Result<(), TryRuntimeError> {
		for (account, (id, role)) in AccountRoles::<T>::iter() {
			let (admin, operator) = match Hospitals::<T>::get(id) {
				Some(hospital) => (hospital.admin, hospital.operator),
				None => {
					let pharmacy = Pharmacies::<T>::get(id).ok_or("an account serves no member")?;
					(pharmacy.admin, pharmacy.operator)
				}
			};
			let holder = match role {
				HospitalRole::Admin => admin,
				HospitalRole::Operator => operator,
			};
			ensure!(holder == account, "an account role outlived its rotation");
		}
		Ok(())
	}

	fn check_proposals() -> Result<(), TryRuntimeError> {
		let next = NextProposalId::<T>::get();
		let mut open = BTreeMap::<HospitalId, u32>::new();
		for (id, info) in Proposals::<T>::iter() {
			ensure!(id < next, "a proposal's id is not below NextProposalId");
			let count = open.entry(info.proposer).or_default();
			*count = count.saturating_add(1);
		}
		let stored: BTreeMap<HospitalId, u32> =
			OpenProposals::<T>::iter().filter(|(_, count)| *count > 0).collect();
		ensure!(stored == open, "OpenProposals does not count each admin's proposals");
		Ok(())
	}
}
