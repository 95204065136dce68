//! Consent requests: a hospital asks, the patient approves (creating a grant) or denies.
//!
//! A hospital has at most `MaxPendingPerRequester` unexpired requests waiting for one patient, so
//! no group of hospitals can fill another's way to the patient; an expired request stops
//! counting at once and is pruned from its expiry block on.

use frame_support::{dispatch::DispatchResult, ensure, traits::Get};
use frame_system::pallet_prelude::BlockNumberFor;
use medchain_primitives::{
	shares::{ConsentRequestId, FieldSelection, GrantTerms, Grantor, PurposeOfUse, TokenKey},
	HospitalId, PatientRegistry,
};
use sp_runtime::traits::CheckedAdd;

use crate::{
	Config, ConsentRequestLifetime, ConsentRequestOf, ConsentRequests, Error, Event,
	NextConsentRequestId, Pallet, PatientConsentRequests, RecordsOf, RequesterPending,
	RequestsExpiringAt,
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
		let now = frame_system::Pallet::<T>::block_number();
		let mut pending = RequesterPending::<T>::get(&patient, requester);
		// Expired requests stop counting even before pruning reaches them.
		pending.retain(|(_, expires_at)| now < *expires_at);
		ensure!(
			pending.len() < T::MaxPendingPerRequester::get() as usize,
			Error::<T>::TooManyRequestsFromHospital
		);
		Self::count_new_share(requester)?;

		let expires_at =
			now.checked_add(&ConsentRequestLifetime::<T>::get()).ok_or(Error::<T>::Overflow)?;
		let id = NextConsentRequestId::<T>::get();
		NextConsentRequestId::<T>::put(id.checked_add(1).ok_or(Error::<T>::Overflow)?);
		pending.try_push((id, expires_at)).map_err(|_| Error::<T>::TooManyRequestsFromHospital)?;
		let request =
			ConsentRequestOf::<T> { requester, records, fields, duration, purpose, expires_at };
		ConsentRequests::<T>::insert(id, request);
		PatientConsentRequests::<T>::insert(&patient, id, ());
		RequesterPending::<T>::insert(&patient, requester, pending);
		RequestsExpiringAt::<T>::insert(expires_at, id, &patient);
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
			PatientConsentRequests::<T>::contains_key(patient, id),
			Error::<T>::ConsentRequestNotFound
		);
		let request = ConsentRequests::<T>::get(id).ok_or(Error::<T>::ConsentRequestNotFound)?;
		Self::remove_request(patient, id, &request);
		Ok(request)
	}

	/// Removes request `id` of `patient` from every index.
	pub(crate) fn remove_request(
		patient: &T::AccountId,
		id: ConsentRequestId,
		request: &ConsentRequestOf<T>,
	) {
		ConsentRequests::<T>::remove(id);
		PatientConsentRequests::<T>::remove(patient, id);
		RequestsExpiringAt::<T>::remove(request.expires_at, id);
		RequesterPending::<T>::mutate_exists(patient, request.requester, |pending| {
			if let Some(list) = pending {
				list.retain(|(pending_id, _)| *pending_id != id);
				if list.is_empty() {
					*pending = None;
				}
			}
		});
	}
}
