//! The invariants of the record store, checked by `try_state` (try-runtime, and after every
//! unit test).

use frame_support::ensure;
use medchain_primitives::{records::RecordStatus, RecordType};
use sp_runtime::TryRuntimeError;

use crate::{
	Config, CustodianIndex, FillIndex, Pallet, PatientIndex, PendingErasures, Prescriptions,
	Records,
};

impl<T: Config> Pallet<T> {
	/// Every record is in its patient's and its custodian's index exactly once, each index is
	/// dense, every scheduled erasure is of a record that is not erased, and prescriptions
	/// keep [`Self::check_prescriptions`]'s rules.
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
		Self::check_prescriptions()
	}

	/// Terms belong to `Prescription` records only, every version has its root's terms, no
	/// root has more fills than its terms allow, and each fill log is dense and holds only
	/// fills of versions of its root.
	fn check_prescriptions() -> Result<(), TryRuntimeError> {
		for (record_id, terms) in Prescriptions::<T>::iter() {
			let record = Records::<T>::get(record_id).ok_or("terms of no record")?;
			ensure!(record.record_type == RecordType::Prescription, "terms of another type");
			let root_terms = Prescriptions::<T>::get(terms.root).ok_or("terms of no root")?;
			ensure!(root_terms == terms, "a version's terms are not its root's");
			ensure!(FillIndex::<T>::len(&terms.root) <= terms.fills, "more fills than allowed");
		}
		FillIndex::<T>::check_all(|root, fill| {
			let terms = Prescriptions::<T>::get(fill.prescription).ok_or("a fill of no terms")?;
			Ok(terms.root == *root)
		})?;
		Ok(())
	}
}
