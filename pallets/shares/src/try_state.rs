//! The invariants of grants and consent requests, checked by `try_state` (try-runtime, and
//! after every unit test).

use frame_support::{ensure, traits::Get};
use sp_runtime::{traits::Saturating, TryRuntimeError};

use crate::{
	Config, ConsentRequests, GrantByToken, GrantPruneQueue, Grants, NextConsentRequestId,
	NextGrantId, Pallet, PatientConsentRequests, PatientGrants, PruneCursor, RequestPruneCursor,
	RequesterPending, RequestsExpiringAt,
};

impl<T: Config> Pallet<T> {
	/// Grants and consent requests agree with their pruning queues and their per-patient and
	/// per-requester lists; no queue holds anything behind its cursor.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		Self::check_grants()?;
		Self::check_consent_requests()
	}

	fn check_grants() -> Result<(), TryRuntimeError> {
		let now = frame_system::Pallet::<T>::block_number();
		let next = NextGrantId::<T>::get();
		let prune_at =
			|grant: &crate::GrantOf<T>| grant.expires_at.saturating_add(T::GrantRetention::get());
		for (id, grant) in Grants::<T>::iter() {
			ensure!(id < next, "a grant's id is not below NextGrantId");
			ensure!(
				GrantPruneQueue::<T>::contains_key(prune_at(&grant), id),
				"a grant is missing from the pruning queue"
			);
			ensure!(
				GrantByToken::<T>::get(grant.terms.token_key) == Some(id),
				"a grant's token key does not open it"
			);
			// Expired grants may leave the patient's list before pruning removes them.
			if now < grant.expires_at {
				ensure!(
					PatientGrants::<T>::get(&grant.patient).contains(&(id, grant.expires_at)),
					"an unexpired grant is missing from its patient's list"
				);
			}
		}
		for (token_key, id) in GrantByToken::<T>::iter() {
			let grant = Grants::<T>::get(id).ok_or("a token key opens no grant")?;
			ensure!(grant.terms.token_key == token_key, "a token key opens another key's grant");
		}
		let cursor = PruneCursor::<T>::get();
		for (prune_block, id) in GrantPruneQueue::<T>::iter_keys() {
			ensure!(prune_block >= cursor, "a grant waits behind the pruning cursor");
			let grant = Grants::<T>::get(id).ok_or("the pruning queue names no grant")?;
			ensure!(prune_at(&grant) == prune_block, "a grant is queued under another block");
		}
		for (patient, held) in PatientGrants::<T>::iter() {
			ensure!(!held.is_empty(), "an empty grant list is stored");
			for (id, expiry) in held {
				let grant = Grants::<T>::get(id).ok_or("a patient's list names no grant")?;
				ensure!(grant.patient == patient, "a grant is in another patient's list");
				ensure!(grant.expires_at == expiry, "a patient's list has a wrong expiry");
			}
		}
		Ok(())
	}

	fn check_consent_requests() -> Result<(), TryRuntimeError> {
		let now = frame_system::Pallet::<T>::block_number();
		let next = NextConsentRequestId::<T>::get();
		let cursor = RequestPruneCursor::<T>::get();
		for (expiry, id, patient) in RequestsExpiringAt::<T>::iter() {
			ensure!(expiry >= cursor, "a consent request waits behind the pruning cursor");
			let request =
				ConsentRequests::<T>::get(id).ok_or("the expiry queue names no consent request")?;
			ensure!(request.expires_at == expiry, "a request is queued under another expiry");
			ensure!(
				PatientConsentRequests::<T>::contains_key(&patient, id),
				"a request is missing from its patient's list"
			);
			// Expired requests may leave the requester's list before pruning removes them.
			ensure!(
				now >= expiry
					|| RequesterPending::<T>::get(&patient, request.requester)
						.contains(&(id, expiry)),
				"an unexpired request is missing from its requester's list"
			);
		}
		let mut queued = 0u64;
		for id in ConsentRequests::<T>::iter_keys() {
			ensure!(id < next, "a request's id is not below NextConsentRequestId");
			queued = queued.saturating_add(1);
		}
		let listed =
			PatientConsentRequests::<T>::iter_keys().try_fold(0u64, |count, (_, id)| {
				ensure!(
					ConsentRequests::<T>::contains_key(id),
					"a patient's list names no request"
				);
				Ok::<_, TryRuntimeError>(count.saturating_add(1))
			})?;
		for (patient, requester, pending) in RequesterPending::<T>::iter() {
			for (id, _) in pending {
				let Some(request) = ConsentRequests::<T>::get(id) else { continue };
				ensure!(
					request.requester == requester
						&& PatientConsentRequests::<T>::contains_key(&patient, id),
					"a requester's list names another's request"
				);
			}
		}
		let expiring =
			RequestsExpiringAt::<T>::iter_keys().fold(0u64, |count, _| count.saturating_add(1));
		ensure!(listed == queued && expiring == queued, "consent request lists disagree");
		Ok(())
	}
}
