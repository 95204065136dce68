//! The registry as other pallets and the node see it: [`HospitalRegistry`],
//! [`PatientRegistry`], [`ValidatorRegistry`] and the active members' nodes.

use alloc::vec::Vec;
use medchain_primitives::{
	validators::AuthorizedNode, HospitalId, HospitalRegistry, HospitalRole, PatientRegistry,
	ValidatorRegistry,
};

use crate::{
	AccountRoles, ActiveHospitals, ActivePharmacies, Config, Hospital, HospitalStatus, Hospitals,
	Pallet, Patients, PeerIdOf, PeerOwner, Pharmacies, Pharmacy,
};

impl<T: Config> HospitalRegistry<T::AccountId> for Pallet<T> {
	fn active_hospital_of(who: &T::AccountId) -> Option<(HospitalId, HospitalRole)> {
		AccountRoles::<T>::get(who).filter(|(hospital, _)| Self::is_active(*hospital))
	}

	fn is_active(hospital: HospitalId) -> bool {
		Hospitals::<T>::get(hospital).is_some_and(|h| h.status == HospitalStatus::Active)
	}

	fn active_hospital_of_peer(peer_id: &[u8]) -> Option<HospitalId> {
		let peer_id = PeerIdOf::<T>::try_from(peer_id.to_vec()).ok()?;
		PeerOwner::<T>::get(peer_id).filter(|hospital| Self::is_active(*hospital))
	}

	/// A pharmacy's account is in [`AccountRoles`] like a hospital's; its id is in
	/// [`Pharmacies`], never in [`Hospitals`].
	fn active_pharmacy_of(who: &T::AccountId) -> Option<(HospitalId, HospitalRole)> {
		AccountRoles::<T>::get(who).filter(|(pharmacy, _)| Self::is_active_pharmacy(*pharmacy))
	}

	fn is_active_pharmacy(pharmacy: HospitalId) -> bool {
		Pharmacies::<T>::get(pharmacy).is_some_and(|p| p.status == HospitalStatus::Active)
	}

	fn is_active_member(member: HospitalId) -> bool {
		Self::is_active(member) || Self::is_active_pharmacy(member)
	}

	/// The benchmark hospital ([`crate::BENCHMARK_HOSPITAL`]), inserted on first use.
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_hospital(role: HospitalRole) -> Option<(T::AccountId, HospitalId)> {
		let id = crate::BENCHMARK_HOSPITAL;
		let (admin, operator) = match Hospitals::<T>::get(id) {
			Some(hospital) => (hospital.admin, hospital.operator),
			None => crate::active_hospital::<T>(id),
		};
		let account = match role {
			HospitalRole::Admin => admin,
			HospitalRole::Operator => operator,
		};
		Some((account, id))
	}

	/// The benchmark pharmacy ([`crate::BENCHMARK_PHARMACY`]), inserted on first use.
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_pharmacy(role: HospitalRole) -> Option<(T::AccountId, HospitalId)> {
		let id = crate::BENCHMARK_PHARMACY;
		let (admin, operator) = match Pharmacies::<T>::get(id) {
			Some(pharmacy) => (pharmacy.admin, pharmacy.operator),
			None => crate::active_pharmacy::<T>(id),
		};
		let account = match role {
			HospitalRole::Admin => admin,
			HospitalRole::Operator => operator,
		};
		Some((account, id))
	}
}

impl<T: Config> PatientRegistry<T::AccountId> for Pallet<T> {
	/// A pseudonym counts as registered only while the hospital that registered it is active:
	/// suspending or removing a hospital stops all its patients (and any sybils it minted) from
	/// acting as patients (they keep only the calls that protect them), and reinstating it
	/// restores them, in one write.
	fn registering_hospital(who: &T::AccountId) -> Option<HospitalId> {
		Patients::<T>::get(who)
			.filter(|patient| patient.active && Self::is_active(patient.hospital))
			.map(|patient| patient.hospital)
	}
}

impl<T: Config> ValidatorRegistry for Pallet<T> {
	type AuraId = T::AuraId;
	type GrandpaId = T::GrandpaId;

	/// The active hospitals' keys: pharmacies never validate.
	fn active_validators() -> Vec<(HospitalId, T::AuraId, T::GrandpaId)> {
		Self::active_hospitals().map(|(id, h)| (id, h.aura, h.grandpa)).collect()
	}
}

impl<T: Config> Pallet<T> {
	/// Active hospitals in ascending id order (at most `MaxHospitals` reads).
	pub(crate) fn active_hospitals() -> impl Iterator<Item = (HospitalId, Hospital<T>)> {
		ActiveHospitals::<T>::get()
			.into_iter()
			.filter_map(|id| Hospitals::<T>::get(id).map(|hospital| (id, hospital)))
	}

	/// Active pharmacies in ascending id order (at most `MaxPharmacies` reads).
	pub(crate) fn active_pharmacies() -> impl Iterator<Item = (HospitalId, Pharmacy<T>)> {
		ActivePharmacies::<T>::get()
			.into_iter()
			.filter_map(|id| Pharmacies::<T>::get(id).map(|pharmacy| (id, pharmacy)))
	}

	/// Every node of every active hospital, then of every active pharmacy: the node's peer
	/// allowlist.
	pub fn authorized_nodes() -> Vec<AuthorizedNode> {
		let hospitals = Self::active_hospitals().flat_map(|(_, h)| h.nodes.into_iter());
		let pharmacies = Self::active_pharmacies().flat_map(|(_, p)| p.nodes.into_iter());
		hospitals
			.chain(pharmacies)
			.map(|node| AuthorizedNode {
				peer_id: node.peer_id.into_inner(),
				address: node.address.into_inner(),
			})
			.collect()
	}
}
