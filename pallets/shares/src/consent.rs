//! Consent requests: a hospital asks, the patient approves (creating a grant) or denies.

use frame_support::{dispatch::DispatchResult, ensure, traits::Get};
use frame_system::pallet_prelude::BlockNumberFor;
use medchain_primitives::{
	shares::{ConsentRequestId, FieldSelection, GrantTerms, Grantor, PurposeOfUse, TokenKey},
	HospitalId, PatientRegistry,
};
use sp_runtime::traits::CheckedAdd;

use crate::{
	Config, ConsentRequestLifetime, ConsentRequestOf, ConsentRequests, Error, Event,
	NextConsentRequestId, Pallet, PatientConsentRequests, PendingConsentCount, RecordsOf,
};

impl<T: Config> Pallet<T> {
	pub(crate) fn do_request_consent(
		requester: HospitalId,
		patient: T::AccountId,
		records: RecordsOf<T>,
		fields: FieldSelection,
		duration: BlockNumberFor<T>,
		purpose: PurposeOfUse,
	) -> DispatchResult {
		ensure!(T::Patients::is_registered(&patient), Error::<T>::NotRegisteredPatient);
		Self::check_scope(&patient, &records, fields, duration)?;
		let pending = PendingConsentCount::<T>::get(&patient);
		ensure!(pending < T::MaxPendingConsentRequests::get(), Error::<T>::TooManyPendingRequests);

		let now = frame_system::Pallet::<T>::block_number();
		let expires_at =
			now.checked_add(&ConsentRequestLifetime::<T>::get()).ok_or(Error::<T>::Overflow)?;
		let id = NextConsentRequestId::<T>::get();
		NextConsentRequestId::<T>::put(id.checked_add(1).ok_or(Error::<T>::Overflow)?);
		let request =
			ConsentRequestOf::<T> { requester, records, fields, duration, purpose, expires_at };
		ConsentRequests::<T>::insert(id, request);
		PatientConsentRequests::<T>::insert(&patient, id, ());
		PendingConsentCount::<T>::insert(&patient, pending.saturating_add(1));
		Self::deposit_event(Event::ConsentRequested {
			request: id,
			patient,
			requester,
			expires_at,
		});
		Ok(())
	}

	pub(crate) fn do_approve_consent(
		patient: T::AccountId,
		id: ConsentRequestId,
		token_key: TokenKey,
		max_uses: Option<u32>,
	) -> DispatchResult {
		let request = Self::take_request(&patient, id)?;
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(now < request.expires_at, Error::<T>::ConsentRequestExpired);
		let terms = GrantTerms {
			records: request.records,
			fields: request.fields,
			grantee: Some(request.requester),
			duration: request.duration,
			max_uses,
			purpose: request.purpose,
			token_key,
		};
		let grantor = Grantor::ConsentRequest { request: id, requester: request.requester };
		let grant = Self::insert_grant(patient, terms, grantor)?;
		Self::deposit_event(Event::ConsentApproved { request: id, grant });
		Ok(())
	}

	pub(crate) fn do_deny_consent(patient: T::AccountId, id: ConsentRequestId) -> DispatchResult {
		let request = Self::take_request(&patient, id)?;
		Self::deposit_event(Event::ConsentDenied {
			request: id,
			patient,
			requester: request.requester,
		});
		Ok(())
	}

	/// Removes request `id` if it waits for `patient`.
	fn take_request(
		patient: &T::AccountId,
		id: ConsentRequestId,
	) -> Result<ConsentRequestOf<T>, Error<T>> {
		ensure!(
			PatientConsentRequests::<T>::take(patient, id).is_some(),
			Error::<T>::ConsentRequestNotFound
		);
		PendingConsentCount::<T>::mutate(patient, |pending| *pending = pending.saturating_sub(1));
		ConsentRequests::<T>::take(id).ok_or(Error::<T>::ConsentRequestNotFound)
	}
}
