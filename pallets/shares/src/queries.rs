//! The queries behind the `SharesApi` runtime API.

use alloc::vec::Vec;
use frame_system::pallet_prelude::BlockNumberFor;
use medchain_primitives::{
	commitment::RecordId,
	shares::{ConsentRequest, ConsentRequestId, Grant, GrantId, GrantTerms},
};

use crate::{Config, ConsentRequests, Grants, Pallet, PatientConsentRequests, PatientGrants};

impl<T: Config> Pallet<T> {
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

	/// The patient's grants that have not been pruned, ascending.
	pub fn grants_of_patient(patient: &T::AccountId) -> Vec<GrantId> {
		let mut ids: Vec<GrantId> = PatientGrants::<T>::iter_key_prefix(patient).collect();
		ids.sort_unstable();
		ids
	}

	/// The consent requests waiting for the patient's answer, ascending by id.
	pub fn pending_consent_requests(
		patient: &T::AccountId,
	) -> Vec<(ConsentRequestId, ConsentRequest<BlockNumberFor<T>, Vec<RecordId>>)> {
		let mut ids: Vec<ConsentRequestId> =
			PatientConsentRequests::<T>::iter_key_prefix(patient).collect();
		ids.sort_unstable();
		ids.into_iter()
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
