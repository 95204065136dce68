//! The queries behind the `RecordsApi` runtime API.

use alloc::vec::Vec;
use frame_support::traits::Get;
use frame_system::pallet_prelude::BlockNumberFor;
use medchain_pallet_support::chain::unix_millis;
use medchain_primitives::{
	commitment::{verify_field, DisclosedField, Hash256, RecordId},
	prescription::{FillRefusal, PrescriptionState},
	records::{RecordStatus, RootVerification},
	HospitalId,
};

use crate::{
	Config, CustodianIndex, FillIndex, FillOf, Pallet, PatientIndex, Prescriptions, Records,
};

impl<T: Config> Pallet<T> {
	/// Ids of `patient`'s records from position `start`, at most `limit` (and `MaxPageSize`).
	pub fn records_of_patient(patient: &T::AccountId, start: u32, limit: u32) -> Vec<RecordId> {
		PatientIndex::<T>::page(patient, start, limit.min(T::MaxPageSize::get()))
	}

	/// Ids of the records `custodian` anchored from position `start`, at most `limit` (and
	/// `MaxPageSize`).
	pub fn records_of_custodian(custodian: HospitalId, start: u32, limit: u32) -> Vec<RecordId> {
		CustodianIndex::<T>::page(&custodian, start, limit.min(T::MaxPageSize::get()))
	}

	/// Record `record_id`, if its field root is `root`: its status, custodian, block and time.
	/// The root commits to the record id, so a copy of the root anchored under another id
	/// never answers for it.
	pub fn verify(
		record_id: RecordId,
		root: Hash256,
	) -> Option<RootVerification<T::AccountId, frame_system::pallet_prelude::BlockNumberFor<T>>> {
		let record = Records::<T>::get(record_id).filter(|record| record.field_root == root)?;
		Some(RootVerification {
			record_id,
			status: record.status,
			custodian: record.custodian,
			block: record.block,
			time: record.time,
		})
	}

	/// True only if `record_id` is Active and every one of (at least one) `fields` verifies.
	/// More fields than the record's type has is false without hashing any.
	pub fn verify_fields(record_id: RecordId, fields: &[DisclosedField]) -> bool {
		let Some(record) = Records::<T>::get(record_id) else { return false };
		let field_count = usize::try_from(record.record_type.field_count()).unwrap_or(0);
		record.status == RecordStatus::Active
			&& !fields.is_empty()
			&& fields.len() <= field_count
			&& fields.iter().all(|field| {
				verify_field(&record.field_root, &record_id, record.record_type, field)
			})
	}

	/// Prescription `id` (any version): its record, its terms and the fills used over every
	/// version; `None` if it is no prescription.
	pub fn prescription(
		id: &RecordId,
	) -> Option<PrescriptionState<T::AccountId, BlockNumberFor<T>>> {
		let record = Records::<T>::get(id)?;
		let terms = Prescriptions::<T>::get(id)?;
		let fills_used = FillIndex::<T>::len(&terms.root);
		Some(PrescriptionState { record, terms, fills_used })
	}

	/// The fills of prescription `id` over every version, oldest first, from position `start`
	/// (fill number `start + 1`), at most `limit` (and `MaxPageSize`); none if it is no
	/// prescription.
	pub fn fills(id: &RecordId, start: u32, limit: u32) -> Vec<FillOf<T>> {
		let Some(terms) = Prescriptions::<T>::get(id) else { return Vec::new() };
		FillIndex::<T>::page(&terms.root, start, limit.min(T::MaxPageSize::get()))
	}

	/// Why `pharmacy` may not fill prescription `id` now (the rule `fill` would refuse it by),
	/// or `None` if it may.
	pub fn fill_refusal(id: &RecordId, pharmacy: HospitalId) -> Option<FillRefusal> {
		Self::fillable(id, pharmacy, unix_millis::<T::UnixTime>()).err()
	}
}
