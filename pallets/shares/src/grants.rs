//! Creating, revoking and using grants.

use frame_support::{dispatch::DispatchResult, ensure, traits::Get};
use frame_system::pallet_prelude::BlockNumberFor;
use medchain_pallet_support::origin::success_for_signer;
use medchain_primitives::{
	commitment::RecordId,
	records::RecordStatus,
	shares::{
		grant_consent_message, AccessRequest, AuthorizedUse, GrantId, GrantRefusal, GrantStatus,
		Grantor, PurposeOfUse, ShareGrants, TokenSignature,
	},
	HospitalId, HospitalRegistry, PatientRegistry, RecordLookup,
};
use sp_runtime::{
	traits::{CheckedAdd, Saturating, Verify},
	DispatchError,
};

use crate::{
	Config, ConsentNonce, Error, Event, GrantByToken, GrantOf, GrantPruneQueue, GrantTermsOf,
	Grants, MaxGrantDuration, MinGrantDuration, NewSharesInBlock, NextGrantId, Pallet,
	PatientGrants,
};

impl<T: Config> Pallet<T> {
	/// Checks what any grant or consent request must satisfy: `patient`'s active records, no
	/// duplicates, fields every record's type has, a duration within bounds.
	pub(crate) fn check_scope(
		patient: &T::AccountId,
		records: &[medchain_primitives::commitment::RecordId],
		fields: medchain_primitives::shares::FieldSelection,
		duration: BlockNumberFor<T>,
	) -> DispatchResult {
		ensure!(!records.is_empty(), Error::<T>::NoRecords);
		for (position, id) in records.iter().enumerate() {
			ensure!(
				!records.iter().take(position).any(|earlier| earlier == id),
				Error::<T>::DuplicateRecord
			);
			let record = T::Records::record(id).ok_or(Error::<T>::RecordNotFound)?;
			ensure!(record.patient == *patient, Error::<T>::NotPatientsRecord);
			ensure!(record.status == RecordStatus::Active, Error::<T>::RecordNotActive);
			ensure!(fields.fits(record.record_type), Error::<T>::FieldsOutsideRecordType);
		}
		ensure!(
			MinGrantDuration::<T>::get() <= duration && duration <= MaxGrantDuration::<T>::get(),
			Error::<T>::DurationOutOfRange
		);
		Ok(())
	}

	/// Validates `terms` and stores a new active grant (public for runtime benchmark helpers).
	pub fn insert_grant(
		patient: T::AccountId,
		terms: GrantTermsOf<T>,
		grantor: Grantor,
	) -> Result<GrantId, DispatchError> {
		Self::check_scope(&patient, &terms.records, terms.fields, terms.duration)?;
		// A hospital, or a pharmacy that fills the prescriptions shared with it.
		if let Some(grantee) = terms.grantee {
			ensure!(T::Hospitals::is_active_member(grantee), Error::<T>::GranteeNotActive);
		}
		ensure!(terms.max_uses != Some(0), Error::<T>::ZeroMaxUses);
		ensure!(!GrantByToken::<T>::contains_key(terms.token_key), Error::<T>::TokenKeyInUse);
		let now = frame_system::Pallet::<T>::block_number();
		let mut held = PatientGrants::<T>::get(&patient);
		// Expired grants stop counting at once, even while pruning lags behind them.
		held.retain(|(_, expires_at)| now < *expires_at);
		ensure!(held.len() < T::MaxGrantsPerPatient::get() as usize, Error::<T>::TooManyGrants);
		let hospital = match grantor {
			Grantor::Custodian(custodian) => Some(custodian),
			Grantor::Patient | Grantor::ConsentRequest { .. } => {
				T::Patients::registering_hospital(&patient)
			}
		};
		Self::count_new_share(hospital.ok_or(Error::<T>::NotRegisteredPatient)?)?;

		let expires_at = now.checked_add(&terms.duration).ok_or(Error::<T>::Overflow)?;
		let prune_at =
			expires_at.checked_add(&T::GrantRetention::get()).ok_or(Error::<T>::Overflow)?;
		let id = NextGrantId::<T>::get();
		NextGrantId::<T>::put(id.checked_add(1).ok_or(Error::<T>::Overflow)?);
		let grantee = terms.grantee;
		GrantByToken::<T>::insert(terms.token_key, id);
		let grant = GrantOf::<T> {
			patient: patient.clone(),
			terms,
			grantor,
			created_at: now,
			expires_at,
			uses: 0,
			status: GrantStatus::Active,
		};
		Grants::<T>::insert(id, grant);
		held.try_push((id, expires_at)).map_err(|_| Error::<T>::TooManyGrants)?;
		PatientGrants::<T>::insert(&patient, held);
		GrantPruneQueue::<T>::insert(prune_at, id, ());
		Self::deposit_event(Event::GrantCreated {
			grant: id,
			patient,
			grantor,
			grantee,
			expires_at,
		});
		Ok(id)
	}

	/// Checks a patient's signed consent to `terms`: deadline, signature (of the
	/// `<Bytes>`-wrapped message only), then nonce.
	pub(crate) fn check_consent(
		patient: &T::AccountId,
		terms: &GrantTermsOf<T>,
		nonce: u64,
		deadline: BlockNumberFor<T>,
		signature: &T::PatientSignature,
	) -> DispatchResult {
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(now <= deadline, Error::<T>::ConsentExpired);
		ensure!(
			deadline <= now.saturating_add(T::MaxConsentValidity::get()),
			Error::<T>::ConsentDeadlineTooFar
		);
		let message = grant_consent_message(
			&medchain_pallet_support::chain::genesis_hash_bytes::<T>(),
			patient,
			terms,
			nonce,
			&deadline,
		);
		ensure!(signature.verify(message.as_slice(), patient), Error::<T>::BadPatientSignature);
		let expected = ConsentNonce::<T>::get(patient);
		ensure!(nonce >= expected, Error::<T>::ConsentNonceUsed);
		ensure!(nonce == expected, Error::<T>::ConsentNonceAhead);
		Ok(())
	}

	/// Counts one new grant or consent request of `hospital` in this block, within
	/// `MaxNewSharesPerHospitalPerBlock`.
	pub(crate) fn count_new_share(hospital: HospitalId) -> DispatchResult {
		let now = frame_system::Pallet::<T>::block_number();
		let (block, created) = NewSharesInBlock::<T>::get(hospital);
		let created = if block == now { created } else { 0 };
		ensure!(
			created < T::MaxNewSharesPerHospitalPerBlock::get(),
			Error::<T>::HospitalShareRateReached
		);
		NewSharesInBlock::<T>::insert(hospital, (now, created.saturating_add(1)));
		Ok(())
	}

	pub(crate) fn do_revoke(who: T::AccountId, id: GrantId) -> DispatchResult {
		let mut grant = Grants::<T>::get(id).ok_or(Error::<T>::GrantNotFound)?;
		let is_patient = who == grant.patient;
		let is_grantor = match grant.grantor {
			Grantor::Custodian(custodian) => {
				success_for_signer::<T, T::OperatorOrigin>(&who) == Some(custodian)
			}
			_ => false,
		};
		ensure!(is_patient || is_grantor, Error::<T>::NotGrantorOrPatient);
		ensure!(grant.status == GrantStatus::Active, Error::<T>::AlreadyRevoked);
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(now < grant.expires_at, Error::<T>::GrantExpired);
		grant.status = GrantStatus::Revoked { at: now, by: who.clone() };
		Grants::<T>::insert(id, grant);
		Self::deposit_event(Event::GrantRevoked { grant: id, by: who });
		Ok(())
	}

	/// Why `grant` can't serve `request` now, if it can't. Does not check the signature.
	fn refusal(
		grant: &GrantOf<T>,
		request: &AccessRequest<BlockNumberFor<T>>,
	) -> Option<GrantRefusal> {
		let now = frame_system::Pallet::<T>::block_number();
		if request.uses < grant.uses {
			Some(GrantRefusal::SignatureReplayed)
		} else if request.uses > grant.uses {
			Some(GrantRefusal::UseCountMismatch)
		} else if now > request.valid_until {
			Some(GrantRefusal::RequestExpired)
		} else {
			grant.use_refusal(&request.record, request.accessor, request.purpose, now)
		}
	}

	/// Why grant `id` can't open `record` for `accessor` and `purpose` at this block, if it
	/// can't (`SharesApi::check_use`): what an access would meet here, but for the signature.
	/// An access included a block later may still meet the grant's expiry.
	pub fn check_use(
		id: GrantId,
		record: &RecordId,
		accessor: HospitalId,
		purpose: PurposeOfUse,
	) -> Result<(), GrantRefusal> {
		let grant = Grants::<T>::get(id).ok_or(GrantRefusal::GrantNotFound)?;
		let now = frame_system::Pallet::<T>::block_number();
		grant.use_refusal(record, accessor, purpose, now).map_or(Ok(()), Err)
	}
}

impl<T: Config> ShareGrants<T::AccountId, BlockNumberFor<T>> for Pallet<T> {
	fn use_grant(
		request: &AccessRequest<BlockNumberFor<T>>,
		signature: &TokenSignature,
	) -> Result<AuthorizedUse<T::AccountId>, GrantRefusal> {
		let mut grant = Grants::<T>::get(request.grant).ok_or(GrantRefusal::GrantNotFound)?;
		if !request.is_signed_by(&grant.terms.token_key, signature) {
			return Err(GrantRefusal::BadTokenSignature);
		}
		if let Some(refusal) = Self::refusal(&grant, request) {
			return Err(refusal);
		}
		grant.uses = grant.uses.checked_add(1).ok_or(GrantRefusal::UsesExhausted)?;
		let authorized =
			AuthorizedUse { patient: grant.patient.clone(), fields: grant.terms.fields };
		Grants::<T>::insert(request.grant, grant);
		Ok(authorized)
	}
}
