//! The invariants of the record store, checked by `try_state` (try-runtime, and after every
//! unit test).

use frame_support::ensure;
use medchain_primitives::records::RecordStatus;
use sp_runtime::TryRuntimeError;

use crate::{
	Config, CustodianIndex, CustodianRecordCount, Pallet, PatientIndex, PatientRecordCount,
	PendingErasures, Records,
};

impl<T: Config> Pallet<T> {
	/// Every record is in its patient's and its custodian's index exactly once, each index is
	/// dense, and every scheduled erasure is of a record that is not erased.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let records = Records::<T>::iter_keys().fold(0u64, |count, _| count.saturating_add(1));
		let mut in_patient_indices = 0u64;
		for (patient, length) in PatientRecordCount::<T>::iter() {
			PatientIndex::<T>::check(&patient)?;
			for record_id in PatientIndex::<T>::page(&patient, 0, length) {
				let record =
					Records::<T>::get(record_id).ok_or("a patient index names no record")?;
				ensure!(record.patient == patient, "a record is in another patient's index");
			}
			in_patient_indices = in_patient_indices.saturating_add(u64::from(length));
		}
		ensure!(in_patient_indices == records, "patient indices don't count every record once");

		let mut in_custodian_indices = 0u64;
		for (custodian, length) in CustodianRecordCount::<T>::iter() {
			CustodianIndex::<T>::check(&custodian)?;
			for record_id in CustodianIndex::<T>::page(&custodian, 0, length) {
				let record =
					Records::<T>::get(record_id).ok_or("a custodian index names no record")?;
				ensure!(record.custodian == custodian, "a record is in another custodian's index");
			}
			in_custodian_indices = in_custodian_indices.saturating_add(u64::from(length));
		}
		ensure!(in_custodian_indices == records, "custodian indices don't count every record once");

		for record_id in PendingErasures::<T>::iter_keys() {
			let record =
				Records::<T>::get(record_id).ok_or("an erasure is scheduled for no record")?;
			ensure!(
				!matches!(record.status, RecordStatus::Erased { .. }),
				"an erasure is scheduled for an erased record"
			);
		}
		Ok(())
	}
}
