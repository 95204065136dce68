//! The registry as other pallets see it: [`HospitalRegistry`] and [`PatientRegistry`].

use medchain_primitives::{HospitalId, HospitalRegistry, HospitalRole, PatientRegistry};

use crate::{
	AccountRoles, Config, HospitalStatus, Hospitals, Pallet, Patients, PeerIdOf, PeerOwner,
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
}

impl<T: Config> PatientRegistry<T::AccountId> for Pallet<T> {
	fn registering_hospital(who: &T::AccountId) -> Option<HospitalId> {
		Patients::<T>::get(who).filter(|patient| patient.active).map(|patient| patient.hospital)
	}
}
