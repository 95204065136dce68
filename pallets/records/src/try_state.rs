//! The invariants of the record store, checked by `try_state` (try-runtime, and after every
//! unit test).

use frame_support::ensure;
use medchain_primitives::records::RecordStatus;
use sp_runtime::TryRuntimeError;

use crate::{Config, CustodianIndex, Pallet, PatientIndex, PendingErasures, Records};

impl<T: Config> Pallet<T> {
	/// Every record is in its patient's and its custodian's index exactly once, each index is
	/// dense, and every scheduled erasure is of a record that is not erased.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let records = Records::<T>::iter_keys().fold(0u64, |count, _| count.saturating_add(1));
		let in_patient_indices = PatientIndex::<T>::check_all(|patient, record_id| {
			let record = Records::<T>::get(record_id).ok_or("a patient index names no record")?;
			Ok(record.patient == *patient)
		})?;
		ensure!(in_patient_indices == records, "patient indices don't count every record once");
		let in_custodian_indices = CustodianIndex::<T>::check_all(|custodian, record_id| {
			let record = Records::<T>::get(record_id).ok_or("a custodian index names no record")?;
			Ok(record.custodian == *custodian)
		})?;
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
