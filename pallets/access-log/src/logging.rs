//! What the calls check, and how entries are written.

use frame_support::{
	dispatch::DispatchResult,
	ensure,
	traits::{Get, UnixTime},
};
use frame_system::pallet_prelude::{BlockNumberFor, OriginFor};
use medchain_primitives::{
	access::{AccessId, AccessKind, AccessQuery, Accessor, BreakGlassReason, ReleaseReceipt},
	commitment::{Hash256, RecordId},
	records::{Record, RecordStatus},
	shares::{
		genesis_hash_bytes, AccessRequest, GrantId, GrantRefusal, PurposeOfUse, ShareGrants,
		TokenSignature,
	},
	FieldMask, HospitalId, HospitalRegistry, PatientRegistry, RecordLookup,
};
use sp_runtime::{traits::Zero, DispatchError};

use crate::{
	AccessEntryOf, BreakGlassLimit, BreakGlassPeriod, BreakGlassUsage, Config, Entries, Error,
	Event, HospitalAccessQuota, Index, IndexLength, NextAccessId, Pallet, PatientAccessQuota,
	RegisteredPatientsAccessQuota,
};

type RecordOf<T> = Record<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;

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
	pub(crate) fn ensure_operator(origin: OriginFor<T>) -> Result<HospitalId, DispatchError> {
		let who = frame_system::ensure_signed(origin)?;
		T::Hospitals::operator_hospital(&who).ok_or_else(|| Error::<T>::UnregisteredAccessor.into())
	}

	/// The record, if it exists and is the current version.
	fn active_record(id: &RecordId) -> Result<RecordOf<T>, Error<T>> {
		let record = T::Records::record(id).ok_or(Error::<T>::RecordNotFound)?;
		match record.status {
			RecordStatus::Active => Ok(record),
			RecordStatus::Erased { .. } => Err(Error::<T>::RecordErased),
			RecordStatus::Amended { .. } => Err(Error::<T>::RecordSuperseded),
		}
	}

	pub(crate) fn do_access(
		accessor: HospitalId,
		grant: GrantId,
		record_id: RecordId,
		purpose: PurposeOfUse,
		uses: u32,
		valid_until: BlockNumberFor<T>,
		signature: &TokenSignature,
	) -> DispatchResult {
		let record = Self::active_record(&record_id)?;
		let genesis = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
		let request = AccessRequest {
			genesis_hash: genesis_hash_bytes(genesis.as_ref()),
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
		Self::record_entry(
			AccessKind::Normal { grant },
			record_id,
			record,
			Accessor::Hospital(accessor),
			fields,
			purpose,
		)?;
		Ok(())
	}

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
			time: Self::now(),
		});
		Entries::<T>::insert(access, entry);
		Self::deposit_event(Event::ReleaseConfirmed { access, custodian, response_hash });
		Ok(())
	}

	/// Writes an entry and its index positions; returns its id.
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
			time: Self::now(),
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
			let position = IndexLength::<T>::get(&query);
			Index::<T>::insert(&query, position, access);
			IndexLength::<T>::insert(&query, position.saturating_add(1));
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

	pub(crate) fn now() -> u64 {
		u64::try_from(T::UnixTime::now().as_millis()).unwrap_or(u64::MAX)
	}
}
