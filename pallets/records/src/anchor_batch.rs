//! One call's anchors with their bookkeeping done once: the custodian's quota, the block time
//! and the indexes' lengths are read and written once per call, not once per record.

use alloc::{collections::BTreeMap, vec::Vec};

use frame_support::{dispatch::DispatchResult, ensure, traits::Get, weights::Weight};
use frame_system::pallet_prelude::BlockNumberFor;
use medchain_pallet_support::chain::unix_millis;
use medchain_primitives::{
	commitment::RecordId, records::RecordStatus, HospitalId, PatientRegistry,
};
use sp_runtime::traits::UniqueSaturatedInto;

use crate::{
	weights::WeightInfo, AnchorQuota, AnchorRequestOf, Config, CustodianIndex, Error, Event,
	Pallet, PatientIndex, Prescriptions, RecordOf, Records,
};

/// The anchors of one call by `custodian`, written to the indexes and the quota by
/// [`AnchorBatch::close`].
pub(crate) struct AnchorBatch<T: Config> {
	custodian: HospitalId,
	block: BlockNumberFor<T>,
	time: u64,
	quota_left: u32,
	/// Each patient's registering hospital, read once per call.
	registrations: BTreeMap<T::AccountId, Option<HospitalId>>,
	/// The records anchored for each patient, in order.
	by_patient: BTreeMap<T::AccountId, Vec<RecordId>>,
	/// Every record anchored, in order.
	anchored: Vec<RecordId>,
	/// How many of them are prescriptions (each wrote its terms).
	prescriptions: u32,
}

impl<T: Config> AnchorBatch<T> {
	/// Starts a call's anchors for `custodian`, with what is left of its quota.
	pub(crate) fn open(custodian: HospitalId) -> Self {
		let block = frame_system::Pallet::<T>::block_number();
		let used = AnchorQuota::<T>::get(custodian)
			.used_at(block.unique_saturated_into(), T::QuotaPeriod::get().unique_saturated_into());
		Self {
			custodian,
			block,
			time: unix_millis::<T::UnixTime>(),
			quota_left: T::MaxAnchorsPerPeriod::get().saturating_sub(used),
			registrations: BTreeMap::new(),
			by_patient: BTreeMap::new(),
			anchored: Vec::new(),
			prescriptions: 0,
		}
	}

	/// Anchors `request` as a new record, or refuses it with `Pallet::anchor`'s errors.
	pub(crate) fn anchor(&mut self, request: AnchorRequestOf<T>) -> DispatchResult {
		let registered_by = *self
			.registrations
			.entry(request.patient.clone())
			.or_insert_with(|| T::Patients::registering_hospital(&request.patient));
		ensure!(registered_by.is_some(), Error::<T>::PatientNotRegistered);
		// Pseudonyms are per custodian: no hospital fills another's patients' record lists.
		ensure!(registered_by == Some(self.custodian), Error::<T>::NotCustodiansPatient);
		let record_id = Pallet::<T>::record_id(self.custodian, &request.request_id);
		ensure!(!Records::<T>::contains_key(record_id), Error::<T>::DuplicateRequest);
		let terms = Pallet::<T>::new_terms(
			record_id,
			request.record_type,
			request.prescription,
			self.time,
		)?;
		self.quota_left = self.quota_left.checked_sub(1).ok_or(Error::<T>::AnchorQuotaReached)?;
		let record = RecordOf::<T> {
			patient: request.patient.clone(),
			custodian: self.custodian,
			record_type: request.record_type,
			field_root: request.field_root,
			ciphertext_digest: request.ciphertext_digest,
			version: 1,
			previous: None,
			status: RecordStatus::Active,
			block: self.block,
			time: self.time,
		};
		Records::<T>::insert(record_id, record);
		if let Some(terms) = terms {
			Prescriptions::<T>::insert(record_id, terms);
			self.prescriptions = self.prescriptions.saturating_add(1);
		}
		self.by_patient.entry(request.patient.clone()).or_default().push(record_id);
		self.anchored.push(record_id);
		Pallet::<T>::deposit_event(Event::RecordAnchored {
			record_id,
			custodian: self.custodian,
			patient: request.patient,
			record_type: request.record_type,
			field_root: request.field_root,
		});
		Ok(())
	}

	/// How many prescriptions were anchored so far (each wrote its terms).
	pub(crate) fn prescriptions(&self) -> u32 {
		self.prescriptions
	}

	/// Counts the anchors against the quota and appends them to the indexes; how many there
	/// were.
	pub(crate) fn close(self) -> u32 {
		let anchored = u32::try_from(self.anchored.len()).unwrap_or(u32::MAX);
		if anchored == 0 {
			return 0;
		}
		AnchorQuota::<T>::mutate(self.custodian, |quota| {
			quota.add(
				self.block.unique_saturated_into(),
				T::QuotaPeriod::get().unique_saturated_into(),
				anchored,
			)
		});
		CustodianIndex::<T>::extend(&self.custodian, self.anchored);
		for (patient, records) in self.by_patient {
			PatientIndex::<T>::extend(&patient, records);
		}
		anchored
	}
}

impl<T: Config> Pallet<T> {
	/// `anchor_batch`'s weight for `items`: the measured batch, plus a write for the terms of
	/// each prescription (not measured yet: the benchmark anchors lab results).
	pub(crate) fn anchor_batch_weight(items: &[AnchorRequestOf<T>]) -> Weight {
		let count = u32::try_from(items.len()).unwrap_or(u32::MAX);
		let prescriptions = items.iter().filter(|item| item.prescription.is_some()).count();
		let prescriptions = u64::try_from(prescriptions).unwrap_or(u64::MAX);
		T::WeightInfo::anchor_batch(count).saturating_add(T::DbWeight::get().writes(prescriptions))
	}
}
