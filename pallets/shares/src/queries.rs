//! The queries behind the `SharesApi` runtime API.

use alloc::vec::Vec;
use frame_support::traits::Get;
use frame_system::pallet_prelude::BlockNumberFor;
use medchain_primitives::{
	commitment::RecordId,
	shares::{ConsentRequest, ConsentRequestId, Grant, GrantId, GrantTerms, TokenKey},
};

use crate::{
	Config, ConsentRequests, GrantByToken, Grants, Pallet, PatientConsentRequests, PatientGrants,
};

/// A consent request as the runtime API shows it: its records as a plain list.
pub type ConsentRequestView<T> = ConsentRequest<BlockNumberFor<T>, Vec<RecordId>>;

impl<T: Config> Pallet<T> {
	/// Grant `id`, if it has not been pruned, with its records as a plain list.
	pub fn grant(id: GrantId) -> Option<Grant<T::AccountId, BlockNumberFor<T>, Vec<RecordId>>> {
		let grant = Grants::<T>::get(id)?;
		let terms = grant.terms;
		Some(Grant {
			patient: grant.patient,
			terms: GrantTerms {
				records: terms.records.into_inner(),
				fields: terms.fields,
				grantee: terms.grantee,
				duration: terms.duration,
				max_uses: terms.max_uses,
				purpose: terms.purpose,
				token_key: terms.token_key,
			},
			grantor: grant.grantor,
			created_at: grant.created_at,
			expires_at: grant.expires_at,
			uses: grant.uses,
			status: grant.status,
		})
	}

	/// The grant that share token key `token_key` opens, if it is in state.
	pub fn grant_by_token(token_key: &TokenKey) -> Option<GrantId> {
		GrantByToken::<T>::get(token_key)
	}

	/// Up to `limit` (at most `MaxPageSize`) of the patient's unexpired grants with ids above
	/// `after`, ascending. A patient holds at most `MaxGrantsPerPatient` grants.
	pub fn grants_of_patient(
		patient: &T::AccountId,
		after: Option<GrantId>,
		limit: u32,
	) -> Vec<GrantId> {
		let now = frame_system::Pallet::<T>::block_number();
		let held = PatientGrants::<T>::get(patient);
		let ids =
			held.into_iter().filter(|(_, expires)| now < *expires).map(|(id, _)| id).collect();
		page(ids, after, limit.min(T::MaxPageSize::get()))
	}

	/// Up to `limit` (at most `MaxPageSize`) of the consent requests waiting for the patient's
	/// answer with ids above `after`, ascending. At most `MaxPendingPerRequester` per hospital
	/// wait, which bounds the walk.
	pub fn pending_consent_requests(
		patient: &T::AccountId,
		after: Option<ConsentRequestId>,
		limit: u32,
	) -> Vec<(ConsentRequestId, ConsentRequestView<T>)> {
		let ids = PatientConsentRequests::<T>::iter_key_prefix(patient).collect();
		page(ids, after, limit.min(T::MaxPageSize::get()))
			.into_iter()
			.filter_map(|id| {
				let request = ConsentRequests::<T>::get(id)?;
				Some((
					id,
					ConsentRequest {
						requester: request.requester,
						records: request.records.into_inner(),
						fields: request.fields,
						duration: request.duration,
						purpose: request.purpose,
						expires_at: request.expires_at,
					},
				))
			})
			.collect()
	}
}

/// The ids above `after`, ascending, at most `limit` of them.
fn page(mut ids: Vec<u64>, after: Option<u64>, limit: u32) -> Vec<u64> {
	ids.sort_unstable();
	let limit = usize::try_from(limit).unwrap_or(usize::MAX);
	ids.into_iter().filter(|id| after.is_none_or(|after| *id > after)).take(limit).collect()
}
