//! The registry's invariants, checked by `try_state` (try-runtime, and after every unit test).

use alloc::{collections::BTreeMap, vec::Vec};
use frame_support::ensure;
use medchain_primitives::{HospitalId, HospitalRole};
use sp_runtime::TryRuntimeError;

use crate::{
	AccountRoles, ActiveHospitals, AuraKeyOwner, Config, GrandpaKeyOwner, HospitalStatus,
	Hospitals, NextHospitalId, NextProposalId, OpenProposals, Pallet, Patients, PeerOwner,
	Proposals,
};

impl<T: Config> Pallet<T> {
	/// Every hospital's accounts, validator keys and peer ids point back at it and nothing else
	/// does; `ActiveHospitals` lists exactly the active hospitals; `OpenProposals` counts each
	/// admin's proposals; ids stay below their counters.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		Self::check_hospitals()?;
		Self::check_proposals()?;
		let next = NextHospitalId::<T>::get();
		for patient in Patients::<T>::iter_values() {
			ensure!(patient.hospital < next, "a patient's hospital was never admitted");
		}
		Ok(())
	}

	fn check_hospitals() -> Result<(), TryRuntimeError> {
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
		for (account, (id, role)) in AccountRoles::<T>::iter() {
			let hospital = Hospitals::<T>::get(id).ok_or("an account serves no hospital")?;
			let holder = match role {
				HospitalRole::Admin => hospital.admin,
				HospitalRole::Operator => hospital.operator,
			};
			ensure!(holder == account, "an account role outlived its rotation");
		}
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
		ensure!(
			PeerOwner::<T>::iter_keys().fold(0u64, |n, _| n.saturating_add(1)) == peers,
			"a peer id outlived its rotation"
		);
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
