//! The custodian's side of the release protocol (`crate::network::release`): it answers a
//! requester's node with the fields of a finalized grant access entry, then confirms the
//! release on chain with the hash of what it sent.

use std::sync::Arc;

use codec::{Decode, Encode};
use futures::StreamExt;
use medchain_primitives::{
	access::{AccessKind, Accessor},
	commitment::{verify_field, DisclosedField},
	records::RecordStatus,
	shares::GrantStatus,
};
use medchain_runtime::RuntimeCall;
use medchain_store::StoreError;
use sc_client_api::HeaderBackend;
use sc_network::{
	request_responses::{IncomingRequest, OutgoingResponse},
	PeerId,
};
use sha2::Digest;

use super::{chain, Custodian};
use crate::network::release::{Refusal, ReleaseRequest, ReleaseResponse, RELEASE_LIFETIME_BLOCKS};

const LOG_TARGET: &str = "medchain::release";

/// Answers release requests from `requests` until the network stops.
pub async fn serve(custodian: Arc<Custodian>, requests: async_channel::Receiver<IncomingRequest>) {
	let mut requests = std::pin::pin!(requests);
	while let Some(IncomingRequest { peer, payload, pending_response }) = requests.next().await {
		let Ok(ReleaseRequest { access }) = ReleaseRequest::decode(&mut payload.as_slice()) else {
			// Dropping the sender refuses the request.
			continue;
		};
		let answer = match release(&custodian, peer, access).await {
			Ok(fields) => ReleaseResponse::Released(fields),
			Err(refusal) => {
				log::info!(target: LOG_TARGET, "access {access} from {peer}: refused, {}", refusal.describe());
				ReleaseResponse::Refused(refusal)
			}
		};
		let response = OutgoingResponse {
			result: Ok(answer.encode()),
			reputation_changes: Vec::new(),
			sent_feedback: None,
		};
		let _ = pending_response.send(response);
	}
}

/// The fields of access entry `access` for `peer`, once every check holds; the release is
/// confirmed on chain before they are returned.
async fn release(
	custodian: &Custodian,
	peer: PeerId,
	access: medchain_primitives::access::AccessId,
) -> Result<Vec<DisclosedField>, Refusal> {
	let client = &custodian.client;
	let info = client.info();
	let finalized = info.finalized_hash;
	let unavailable = |error: String| {
		log::warn!(target: LOG_TARGET, "access {access}: {error}");
		Refusal::Unavailable
	};
	let entry = chain::access_entry(client, finalized, access)
		.map_err(unavailable)?
		.ok_or(Refusal::EntryNotFinalized)?;
	if entry.custodian != custodian.hospital {
		return Err(Refusal::NotCustodian);
	}
	let AccessKind::Normal { grant } = entry.kind else {
		return Err(Refusal::NotGrantAccess);
	};
	let Accessor::Hospital(accessor) = entry.accessor else {
		return Err(Refusal::NotGrantAccess);
	};
	let peer_hospital =
		chain::active_hospital_of_peer(client, finalized, &peer).map_err(unavailable)?;
	if peer_hospital != Some(accessor) {
		return Err(Refusal::NotAccessorNode);
	}
	if entry.release.is_some() || custodian.served.contains(access) {
		return Err(Refusal::AlreadyServed);
	}
	if info.finalized_number > entry.block.saturating_add(RELEASE_LIFETIME_BLOCKS) {
		return Err(Refusal::EntryExpired);
	}
	let grant = chain::grant(client, finalized, grant)
		.map_err(unavailable)?
		.ok_or(Refusal::GrantNoLongerValid)?;
	if grant.status != GrantStatus::Active || info.finalized_number >= grant.expires_at {
		return Err(Refusal::GrantNoLongerValid);
	}
	let anchor = chain::anchor(client, finalized, entry.record)
		.map_err(unavailable)?
		.ok_or(Refusal::RecordErased)?;
	if anchor.status != RecordStatus::Active {
		return Err(Refusal::RecordErased);
	}

	let store = custodian.store.clone();
	let record_id = entry.record;
	let opened = tokio::task::spawn_blocking(move || store.open_record(&record_id))
		.await
		.map_err(|error| unavailable(error.to_string()))?
		.map_err(|error| match error {
			StoreError::Erased(_) => Refusal::RecordErased,
			other => unavailable(other.to_string()),
		})?;
	let record_type = opened.fields.record_type;
	let fields = opened
		.fields
		.disclose(&record_id, entry.fields)
		.map_err(|error| unavailable(format!("{error:?}")))?;
	if !fields.iter().all(|field| verify_field(&anchor.field_root, &record_id, record_type, field))
	{
		return Err(unavailable("the stored record does not match its anchor".into()));
	}
	// Claimed only now; given back if the release can't be confirmed, so the requester may retry.
	if !custodian.served.first_time(access) {
		return Err(Refusal::AlreadyServed);
	}
	let response_hash: [u8; 32] = sha2::Sha256::digest(fields.encode()).into();
	let confirm =
		RuntimeCall::AccessLog(pallet_access_log::Call::confirm_release { access, response_hash });
	if let Err(error) = custodian.signer.submit(&custodian.pool, confirm).await {
		custodian.served.forget(access);
		return Err(unavailable(format!("confirm_release: {error}")));
	}
	log::info!(
		target: LOG_TARGET,
		"access {access}: released {} fields of record 0x{} to hospital {accessor}",
		fields.len(),
		hex::encode(record_id)
	);
	Ok(fields)
}
