//! What the calls do: anchoring, amending and erasing records (prescriptions' terms and
//! fills are in `prescription.rs`).

use codec::Encode;
use frame_support::{dispatch::DispatchResult, ensure, traits::Get};
use frame_system::pallet_prelude::BlockNumberFor;
use medchain_pallet_support::{chain::unix_millis, origin::success_for_signer};
use medchain_primitives::{
	commitment::{Hash256, RecordId},
	records::RecordStatus,
	HospitalId, HospitalRegistry, HospitalRole,
};
use sp_runtime::traits::{BlakeTwo256, Hash, Saturating};

use crate::{
	anchor_batch::AnchorBatch, AnchorQuota, AnchorRequestOf, Config, CustodianEraseDelay,
	CustodianIndex, Error, Event, Pallet, PatientIndex, PendingErasures, RecordOf, Records,
};

/// Domain tag of an amended version's id ([`Pallet::version_id`]).
const VERSION_ID_DOMAIN: &[u8] = b"medchain/record-version/v1";

impl<T: Config> Pallet<T> {
	/// The id of the record `custodian` anchors with `request_id`
	/// ([`medchain_primitives::commitment::record_id`]).
	pub fn record_id(custodian: HospitalId, request_id: &Hash256) -> RecordId {
		medchain_primitives::commitment::record_id(custodian, request_id)
	}

	/// The id of version `version` amending record `previous`.
	pub fn version_id(previous: &RecordId, version: u32) -> RecordId {
		BlakeTwo256::hash(&(VERSION_ID_DOMAIN, previous, version).encode()).0
	}

	/// Anchors one record, as a batch of one.
	pub(crate) fn do_anchor(custodian: HospitalId, request: AnchorRequestOf<T>) -> DispatchResult {
		let mut batch = AnchorBatch::<T>::open(custodian);
		let anchored = batch.anchor(request);
		batch.close();
		anchored
	}

	pub(crate) fn do_amend(
		custodian: HospitalId,
		previous: RecordId,
		field_root: Hash256,
		ciphertext_digest: Hash256,
	) -> DispatchResult {
		let mut old = Records::<T>::get(previous).ok_or(Error::<T>::RecordNotFound)?;
		ensure!(old.custodian == custodian, Error::<T>::NotCustodian);
		match old.status {
			RecordStatus::Active => {}
			RecordStatus::Amended { .. } => return Err(Error::<T>::AlreadyAmended.into()),
			RecordStatus::Erased { .. } => return Err(Error::<T>::RecordIsErased.into()),
		}
		let version = old.version.checked_add(1).ok_or(Error::<T>::TooManyVersions)?;
		Self::count_anchor(custodian)?;
		let record_id = Self::version_id(&previous, version);
		let record = RecordOf::<T> {
			field_root,
			ciphertext_digest,
			version,
			previous: Some(previous),
			status: RecordStatus::Active,
			block: frame_system::Pallet::<T>::block_number(),
			time: unix_millis::<T::UnixTime>(),
			..old.clone()
		};
		Self::carry_terms(&previous, record_id, old.record_type);
		old.status = RecordStatus::Amended { by: record_id };
		Records::<T>::insert(previous, old);
		Self::insert(record_id, record);
		Self::deposit_event(Event::RecordAmended { previous, record_id, version });
		Ok(())
	}

	pub(crate) fn do_erase(who: T::AccountId, record_id: RecordId) -> DispatchResult {
		let record = Records::<T>::get(record_id).ok_or(Error::<T>::RecordNotFound)?;
		let is_custodian =
			success_for_signer::<T, T::OperatorOrigin>(&who) == Some(record.custodian);
		ensure!(is_custodian || who == record.patient, Error::<T>::NotCustodianOrPatient);
		ensure!(!matches!(record.status, RecordStatus::Erased { .. }), Error::<T>::AlreadyErased);
		if who == record.patient {
			PendingErasures::<T>::remove(record_id);
			Self::mark_erased(record_id, record, who);
			return Ok(());
		}
		// One left by a rotated-away operator key can never complete: it is replaced.
		let pending = PendingErasures::<T>::get(record_id);
		ensure!(
			pending.is_none_or(|(requested_by, _)| {
				success_for_signer::<T, T::OperatorOrigin>(&requested_by) != Some(record.custodian)
			}),
			Error::<T>::ErasureAlreadyScheduled
		);
		let now = frame_system::Pallet::<T>::block_number();
		let due = now.saturating_add(CustodianEraseDelay::<T>::get());
		PendingErasures::<T>::insert(record_id, (&who, due));
		Self::deposit_event(Event::ErasureScheduled { record_id, by: who, due });
		Ok(())
	}

	pub(crate) fn do_cancel_erasure(who: T::AccountId, record_id: RecordId) -> DispatchResult {
		let record = Records::<T>::get(record_id).ok_or(Error::<T>::RecordNotFound)?;
		let is_custodian_admin =
			T::Hospitals::active_hospital_of(&who) == Some((record.custodian, HospitalRole::Admin));
		ensure!(
			is_custodian_admin || who == record.patient,
			Error::<T>::NotPatientOrCustodianAdmin
		);
		ensure!(PendingErasures::<T>::take(record_id).is_some(), Error::<T>::NoErasureScheduled);
		Self::deposit_event(Event::ErasureCancelled { record_id, by: who });
		Ok(())
	}

	pub(crate) fn do_complete_erasure(who: T::AccountId, record_id: RecordId) -> DispatchResult {
		let record = Records::<T>::get(record_id).ok_or(Error::<T>::RecordNotFound)?;
		let is_custodian =
			success_for_signer::<T, T::OperatorOrigin>(&who) == Some(record.custodian);
		ensure!(is_custodian || who == record.patient, Error::<T>::NotCustodianOrPatient);
		let (requested_by, due) =
			PendingErasures::<T>::get(record_id).ok_or(Error::<T>::NoErasureScheduled)?;
		ensure!(frame_system::Pallet::<T>::block_number() >= due, Error::<T>::ErasureNotDue);
		// An operator key rotated away since (stolen, say) leaves nothing that can complete.
		ensure!(
			success_for_signer::<T, T::OperatorOrigin>(&requested_by) == Some(record.custodian),
			Error::<T>::ErasureRequesterRotated
		);
		PendingErasures::<T>::remove(record_id);
		ensure!(!matches!(record.status, RecordStatus::Erased { .. }), Error::<T>::AlreadyErased);
		Self::mark_erased(record_id, record, requested_by);
		Ok(())
	}

	/// Turns the record into a tombstone erased by `by`.
	fn mark_erased(record_id: RecordId, mut record: RecordOf<T>, by: T::AccountId) {
		let at = frame_system::Pallet::<T>::block_number();
		record.status =
			RecordStatus::Erased { at, time: unix_millis::<T::UnixTime>(), by: by.clone() };
		Records::<T>::insert(record_id, record);
		Self::deposit_event(Event::RecordErased { record_id, by });
	}

	fn insert(record_id: RecordId, record: RecordOf<T>) {
		PatientIndex::<T>::push(&record.patient, record_id);
		CustodianIndex::<T>::push(&record.custodian, record_id);
		Records::<T>::insert(record_id, record);
	}

	/// Counts one anchor of `custodian` against its rolling quota.
	fn count_anchor(custodian: HospitalId) -> DispatchResult {
		let now = frame_system::Pallet::<T>::block_number();
		AnchorQuota::<T>::try_mutate(custodian, |quota| {
			let refusal = Error::<T>::AnchorQuotaReached.into();
			quota.count(now, T::QuotaPeriod::get(), T::MaxAnchorsPerPeriod::get(), refusal)
		})
	}
}

impl<T: Config> medchain_primitives::RecordLookup<T::AccountId, BlockNumberFor<T>> for Pallet<T> {
	fn record(id: &RecordId) -> Option<RecordOf<T>> {
		Records::<T>::get(id)
	}
}
