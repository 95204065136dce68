//! What the calls check, and how entries are written.

use frame_support::{dispatch::DispatchResult, ensure, traits::Get};
use frame_system::pallet_prelude::BlockNumberFor;
use medchain_pallet_support::chain::unix_millis;
use medchain_primitives::{
	access::{AccessId, AccessKind, AccessQuery, Accessor, BreakGlassReason, ReleaseReceipt},
	commitment::{Hash256, RecordId},
	records::{Record, RecordStatus},
	shares::{AccessRequest, GrantId, GrantRefusal, PurposeOfUse, ShareGrants, TokenSignature},
	FieldMask, HospitalId, PatientRegistry, RecordLookup, RecordType,
};

use crate::{
	AccessEntryOf, AccessIndex, AccessedBy, BreakGlassLimit, BreakGlassPeriod, BreakGlassUsage,
	Config, Entries, Error, Event, HospitalAccessQuota, NextAccessId, Pallet, PatientAccessQuota,
	RegisteredPatientsAccessQuota,
};

type RecordOf<T> = Record<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;

/// What an `access` asks for: the grant, the record, the purpose, the grant's use count the
/// token signed and the block the signature is valid until.
pub(crate) type AccessTerms<T> = (GrantId, RecordId, PurposeOfUse, u32, BlockNumberFor<T>);

/// Which kind of member's operator calls `access`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AccessorKind {
	/// A hospital: it opens any record a grant covers.
	Hospital,
	/// A pharmacy: it opens prescriptions only.
	Pharmacy,
}

impl<T: Config> From<GrantRefusal> for Error<T> {
	fn from(refusal: GrantRefusal) -> Self {
		match refusal {
			GrantRefusal::GrantNotFound => Error::GrantNotFound,
			GrantRefusal::BadTokenSignature => Error::BadTokenSignature,
			GrantRefusal::SignatureReplayed => Error::SignatureReplayed,
			GrantRefusal::UseCountMismatch => Error::UseCountMismatch,
			GrantRefusal::RequestExpired => Error::AccessRequestExpired,
			GrantRefusal::GrantRevoked => Error::GrantRevoked,
			GrantRefusal::GrantExpired => Error::GrantExpired,
			GrantRefusal::WrongGrantee => Error::WrongGrantee,
			GrantRefusal::RecordNotInGrant => Error::RecordNotInGrant,
			GrantRefusal::PurposeMismatch => Error::PurposeMismatch,
			GrantRefusal::UsesExhausted => Error::UsesExhausted,
		}
	}
}

impl<T: Config> Pallet<T> {
	/// The record, if it exists and is the current version.
	fn active_record(id: &RecordId) -> Result<RecordOf<T>, Error<T>> {
		let record = T::Records::record(id).ok_or(Error::<T>::RecordNotFound)?;
		match record.status {
			RecordStatus::Active => Ok(record),
			RecordStatus::Erased { .. } => Err(Error::<T>::RecordIsErased),
			RecordStatus::Amended { .. } => Err(Error::<T>::RecordSuperseded),
		}
	}

	/// [`Pallet::access`] by `accessor`'s operator (a hospital's or a pharmacy's): spends one
	/// use of the grant, counts the accessor's access quota and writes the entry.
	pub(crate) fn do_access(
		accessor: HospitalId,
		kind: AccessorKind,
		(grant, record_id, purpose, uses, valid_until): AccessTerms<T>,
		signature: &TokenSignature,
	) -> DispatchResult {
		let record = Self::active_record(&record_id)?;
		ensure!(
			kind == AccessorKind::Hospital || record.record_type == RecordType::Prescription,
			Error::<T>::PharmacyOpensPrescriptionsOnly
		);
		let request = AccessRequest {
			genesis_hash: medchain_pallet_support::chain::genesis_hash_bytes::<T>(),
			grant,
			record: record_id,
			accessor,
			purpose,
			uses,
			valid_until,
		};
		let authorized = T::Grants::use_grant(&request, signature).map_err(Error::<T>::from)?;
		let now = frame_system::Pallet::<T>::block_number();
		HospitalAccessQuota::<T>::try_mutate(accessor, |quota| {
			let limit = T::MaxAccessesPerHospital::get();
			quota.count(now, T::QuotaPeriod::get(), limit, Error::<T>::HospitalAccessQuotaReached)
		})?;
		ensure!(authorized.patient == record.patient, Error::<T>::RecordNotInGrant);
		let fields = authorized.fields.mask_for(record.record_type);
		let access = Self::record_entry(
			AccessKind::Normal { grant },
			record_id,
			record,
			Accessor::Hospital(accessor),
			fields,
			purpose,
		)?;
		if kind == AccessorKind::Pharmacy {
			// What one fill spends (`AccessLookup::spend_access`).
			AccessedBy::<T>::insert(record_id, accessor, access);
		}
		Ok(())
	}

	/// [`Pallet::break_glass`] by `accessor`'s operator: counts the break-glass limit, writes an
	/// entry of every field and notifies the patient (`EmergencyAccess`).
	pub(crate) fn do_break_glass(
		accessor: HospitalId,
		record_id: RecordId,
		reason: BreakGlassReason,
	) -> DispatchResult {
		let record = Self::active_record(&record_id)?;
		Self::count_break_glass(accessor)?;
		let patient = record.patient.clone();
		let fields = FieldMask::all(record.record_type);
		let access = Self::record_entry(
			AccessKind::Emergency { reason },
			record_id,
			record,
			Accessor::Hospital(accessor),
			fields,
			PurposeOfUse::EmergencyTreatment,
		)?;
		Self::deposit_event(Event::EmergencyAccess {
			access,
			patient,
			record: record_id,
			accessor,
			reason,
		});
		Ok(())
	}

	/// Counts one break-glass access of `hospital` within its limit for any period.
	fn count_break_glass(hospital: HospitalId) -> DispatchResult {
		let now = frame_system::Pallet::<T>::block_number();
		BreakGlassUsage::<T>::try_mutate(hospital, |quota| {
			let (period, limit) = (BreakGlassPeriod::<T>::get(), BreakGlassLimit::<T>::get());
			quota.count(now, period, limit, Error::<T>::BreakGlassLimitReached.into())
		})
	}

	/// [`Pallet::patient_access`] by `patient`: counts the patient's and their hospital's
	/// patients' quotas and writes an entry of every field.
	pub(crate) fn do_patient_access(patient: T::AccountId, record_id: RecordId) -> DispatchResult {
		let hospital =
			T::Patients::registering_hospital(&patient).ok_or(Error::<T>::NotRegisteredPatient)?;
		let record = Self::active_record(&record_id)?;
		ensure!(record.patient == patient, Error::<T>::NotRecordPatient);
		// Both quotas count, or the call fails and neither is written.
		let (now, period) = (frame_system::Pallet::<T>::block_number(), T::QuotaPeriod::get());
		PatientAccessQuota::<T>::try_mutate(&patient, |quota| {
			let refusal = Error::<T>::PatientAccessQuotaReached;
			quota.count(now, period, T::MaxPatientAccesses::get(), refusal)
		})?;
		RegisteredPatientsAccessQuota::<T>::try_mutate(hospital, |quota| {
			let refusal = Error::<T>::HospitalPatientsAccessQuotaReached;
			quota.count(now, period, T::MaxPatientAccessesPerHospital::get(), refusal)
		})?;
		let fields = FieldMask::all(record.record_type);
		Self::record_entry(
			AccessKind::Patient,
			record_id,
			record,
			Accessor::Patient,
			fields,
			PurposeOfUse::PatientRequested,
		)?;
		Ok(())
	}

	/// [`Pallet::confirm_release`] by `custodian`'s operator: writes the release receipt into
	/// the entry, once.
	pub(crate) fn do_confirm_release(
		custodian: HospitalId,
		access: AccessId,
		response_hash: Hash256,
	) -> DispatchResult {
		let mut entry = Entries::<T>::get(access).ok_or(Error::<T>::AccessNotFound)?;
		ensure!(entry.custodian == custodian, Error::<T>::NotEntryCustodian);
		ensure!(entry.release.is_none(), Error::<T>::AlreadyReleased);
		entry.release = Some(ReleaseReceipt {
			response_hash,
			block: frame_system::Pallet::<T>::block_number(),
			time: unix_millis::<T::UnixTime>(),
		});
		Entries::<T>::insert(access, entry);
		Self::deposit_event(Event::ReleaseConfirmed { access, custodian, response_hash });
		Ok(())
	}

	/// Writes an entry, its index positions and, for a hospital's or pharmacy's entry, the
	/// latest entry of (record, accessor); returns its id.
	fn record_entry(
		kind: AccessKind,
		record_id: RecordId,
		record: RecordOf<T>,
		accessor: Accessor,
		fields: FieldMask,
		purpose: PurposeOfUse,
	) -> Result<AccessId, Error<T>> {
		let access = NextAccessId::<T>::get();
		NextAccessId::<T>::put(access.checked_add(1).ok_or(Error::<T>::Overflow)?);
		let custodian = record.custodian;
		let entry = AccessEntryOf::<T> {
			kind,
			record: record_id,
			patient: record.patient,
			accessor,
			custodian,
			fields,
			purpose,
			block: frame_system::Pallet::<T>::block_number(),
			time: unix_millis::<T::UnixTime>(),
			release: None,
		};
		let mut queries = alloc::vec![
			AccessQuery::Patient(entry.patient.clone()),
			AccessQuery::Custodian(custodian),
			AccessQuery::Record(record_id),
		];
		if let Accessor::Hospital(hospital) = accessor {
			queries.push(AccessQuery::Accessor(hospital));
		}
		for query in queries {
			AccessIndex::<T>::push(&query, access);
		}
		Entries::<T>::insert(access, entry);
		Self::deposit_event(Event::AccessRecorded {
			access,
			kind,
			record: record_id,
			custodian,
			fields,
		});
		Ok(access)
	}
}
