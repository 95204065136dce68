//! The requester's side of sharing: a share token opens a record held by another hospital.
//!
//! `accessShared` finds the grant from the token, checks it (each refusal its own error), has
//! the token sign the access, logs it with the operator key and waits for finality, then
//! fetches the fields over the release protocol and verifies them against the anchor.

use std::collections::BTreeSet;

use codec::Decode;
use jsonrpsee::types::ErrorObjectOwned;
use medchain_app_api::{fields, types::to_hex, AccessShared, ErrorCode, RetryAccess, SharedFields};
use medchain_primitives::{
	access::{AccessId, AccessKind},
	commitment::{verify_field, RecordId},
	records::RecordStatus,
	shares::{AccessRequest, GrantStatus, PurposeOfUse},
};
use medchain_runtime::{RuntimeCall, RuntimeEvent};
use medchain_token::ShareToken;
use sc_client_api::HeaderBackend;
use sp_runtime::DispatchError;

use super::{chain, chain_error, signer::Watched, Custodian};
use crate::network::release::{fetch, FetchError, Refusal};

/// Blocks an access request signed by the token stays valid for.
const ACCESS_VALIDITY_BLOCKS: u32 = 20;
/// How often a fetch is tried while the custodian has not finalized the entry yet, and the
/// pause between tries.
const FINALITY_RETRIES: u32 = 20;
const FINALITY_RETRY_PAUSE: std::time::Duration = std::time::Duration::from_millis(500);

type RpcError = ErrorObjectOwned;

/// `medchain_accessShared`.
pub async fn access_shared(
	custodian: &Custodian,
	request: AccessShared,
	record_id: RecordId,
) -> Result<SharedFields, RpcError> {
	let token = ShareToken::parse(&request.share_token)
		.map_err(|error| ErrorCode::InvalidShareToken.error(error.to_string()))?;
	let purpose = PurposeOfUse::from_code(&request.purpose).ok_or_else(|| {
		ErrorCode::InvalidPurpose
			.error(format!("{:?} is not an HL7 PurposeOfUse code (e.g. TREAT)", request.purpose))
	})?;
	let client = &custodian.client;
	let info = client.info();
	// The newest state: the one the access will meet.
	let best = info.best_hash;
	let grant_id = chain::grant_by_token(client, best, token.public_key())
		.map_err(chain_error)?
		.ok_or_else(|| {
			ErrorCode::ShareNotFound.error(
				"no grant opens with this token: never created, or pruned a day after it expired",
			)
		})?;
	let grant = chain::grant(client, best, grant_id)
		.map_err(chain_error)?
		.ok_or_else(|| ErrorCode::ShareNotFound.error(format!("grant {grant_id} was pruned")))?;
	if let GrantStatus::Revoked { at, .. } = grant.status {
		return Err(
			ErrorCode::ShareRevoked.error(format!("grant {grant_id} was revoked at block {at}"))
		);
	}
	if info.best_number >= grant.expires_at {
		return Err(ErrorCode::ShareExpired
			.error(format!("grant {grant_id} expired at block {}", grant.expires_at)));
	}
	if grant.terms.grantee.is_some_and(|grantee| grantee != custodian.hospital) {
		return Err(ErrorCode::ShareWrongHospital.error(format!(
			"access denied for this hospital: grant {grant_id} is for another hospital"
		)));
	}
	if grant.terms.max_uses.is_some_and(|max| grant.uses >= max) {
		return Err(ErrorCode::ShareUsesExhausted
			.error(format!("grant {grant_id} was used {} times, its maximum", grant.uses)));
	}
	if !grant.terms.records.contains(&record_id) {
		return Err(ErrorCode::RecordNotShared
			.error(format!("grant {grant_id} does not cover record {}", to_hex(&record_id))));
	}
	let anchor = chain::anchor(client, best, record_id)
		.map_err(chain_error)?
		.ok_or_else(|| ErrorCode::RecordNotFound.error("the record has no anchor"))?;
	match anchor.status {
		RecordStatus::Active => {}
		RecordStatus::Erased { .. } => {
			return Err(
				ErrorCode::RecordErased.error(format!("record {} was erased", to_hex(&record_id)))
			)
		}
		RecordStatus::Amended { .. } => {
			return Err(ErrorCode::AccessRefused.error(format!(
				"record {} was amended: its newer version must be shared",
				to_hex(&record_id)
			)))
		}
	}
	if grant.terms.purpose != purpose {
		return Err(ErrorCode::PurposeMismatch
			.error(format!("grant {grant_id} is for purpose {}", grant.terms.purpose.code())));
	}

	let access_request = AccessRequest {
		genesis_hash: info.genesis_hash.into(),
		grant: grant_id,
		record: record_id,
		accessor: custodian.hospital,
		purpose,
		uses: grant.uses,
		valid_until: info.best_number.saturating_add(ACCESS_VALIDITY_BLOCKS),
	};
	let signature = token.sign(&access_request);
	drop(token);
	let call = RuntimeCall::AccessLog(pallet_access_log::Call::access {
		grant: grant_id,
		record: record_id,
		purpose,
		uses: access_request.uses,
		valid_until: access_request.valid_until,
		signature,
	});
	let permit = custodian.app_transaction_permit()?;
	let watched = custodian
		.signer
		.submit_and_wait_finalized(&custodian.pool, call, super::FINALITY_WAIT)
		.await
		.map_err(|error| {
			ErrorCode::TransactionRefused.error(format!("access_log.access: {error}"))
		})?;
	drop(permit);
	let Watched::Included { block, index, finalized } = watched else {
		return Err(super::not_final_yet(watched, None));
	};
	let access = access_outcome(custodian, block, index)?;
	if !finalized {
		// The custodian releases only finalized entries.
		return Err(super::not_final_yet(watched, Some(access)));
	}
	fetch_verified(custodian, access).await
}

/// The access id transaction `index` of `block` recorded, or the chain's refusal.
fn access_outcome(
	custodian: &Custodian,
	block: sp_core::H256,
	index: u32,
) -> Result<AccessId, RpcError> {
	let events = chain::events(&custodian.client, block).map_err(chain_error)?;
	for record in events {
		if record.phase != frame_system::Phase::ApplyExtrinsic(index) {
			continue;
		}
		match record.event {
			RuntimeEvent::AccessLog(pallet_access_log::Event::AccessRecorded {
				access, ..
			}) => return Ok(access),
			RuntimeEvent::System(frame_system::Event::ExtrinsicFailed {
				dispatch_error, ..
			}) => return Err(refusal_of(dispatch_error)),
			_ => {}
		}
	}
	Err(ErrorCode::AccessRefused.error("the access transaction recorded no entry"))
}

/// The error for the chain's refusal of an access.
fn refusal_of(error: DispatchError) -> RpcError {
	use pallet_access_log::Error;
	let DispatchError::Module(module) = error else {
		return ErrorCode::AccessRefused.error(format!("the chain refused the access: {error:?}"));
	};
	let Ok(error) = Error::<medchain_runtime::Runtime>::decode(&mut module.error.as_slice()) else {
		return ErrorCode::AccessRefused.error(format!("the chain refused the access: {module:?}"));
	};
	let code = match error {
		Error::GrantNotFound => ErrorCode::ShareNotFound,
		Error::GrantRevoked => ErrorCode::ShareRevoked,
		Error::GrantExpired => ErrorCode::ShareExpired,
		Error::WrongGrantee => ErrorCode::ShareWrongHospital,
		Error::UsesExhausted => ErrorCode::ShareUsesExhausted,
		Error::RecordNotInGrant => ErrorCode::RecordNotShared,
		Error::PurposeMismatch => ErrorCode::PurposeMismatch,
		Error::RecordIsErased => ErrorCode::RecordErased,
		_ => ErrorCode::AccessRefused,
	};
	code.error(format!("the chain refused the access: {error:?}"))
}

/// `medchain_retryAccess`: the fields of access `request.access_id`, for the holder of the
/// token the access was made with.
pub async fn retry(custodian: &Custodian, request: RetryAccess) -> Result<SharedFields, RpcError> {
	let token = ShareToken::parse(&request.share_token)
		.map_err(|error| ErrorCode::InvalidShareToken.error(error.to_string()))?;
	let access = request.access_id;
	let not_logged = || {
		ErrorCode::AccessNotLogged
			.error(format!("no finalized access {access} with this share token"))
	};
	let client = &custodian.client;
	let info = client.info();
	// The token's own entry, final or only in the best chain; anyone else learns nothing.
	let token_opens = |at| -> Result<bool, RpcError> {
		let Some(entry) = chain::access_entry(client, at, access).map_err(chain_error)? else {
			return Ok(false);
		};
		let AccessKind::Normal { grant } = entry.kind else { return Ok(false) };
		let grant = chain::grant(client, at, grant).map_err(chain_error)?;
		Ok(grant.is_some_and(|grant| grant.terms.token_key == token.public_key()))
	};
	if token_opens(info.finalized_hash)? {
		return fetch_verified(custodian, access).await;
	}
	if token_opens(info.best_hash)? {
		return Err(ErrorCode::NotFinalYet.error_with_data(
			format!("access {access} is in a block that is not final yet; the custodian releases only finalized entries"),
			serde_json::json!({ "accessId": access }),
		));
	}
	Err(not_logged())
}

/// The last step of `medchain_accessShared` and `medchain_retryAccess`: the fields of the
/// finalized grant access `access`, fetched from the custodian and verified.
async fn fetch_verified(custodian: &Custodian, access: AccessId) -> Result<SharedFields, RpcError> {
	let client = &custodian.client;
	let finalized = client.info().finalized_hash;
	let entry = chain::access_entry(client, finalized, access)
		.map_err(chain_error)?
		// Whose entry it is, the custodian decides: it serves only the accessor's nodes.
		.filter(|entry| matches!(entry.kind, AccessKind::Normal { .. }))
		.ok_or_else(|| {
			ErrorCode::AccessNotLogged.error(format!("no finalized share access entry {access}"))
		})?;
	let unavailable = |why: String| {
		ErrorCode::CustodianUnavailable.error_with_data(
			format!("custodian hospital {} unavailable: {why}; retryAccess({access}) while the entry is inside its release lifetime", entry.custodian),
			serde_json::json!({ "accessId": access, "custodian": entry.custodian }),
		)
	};
	let peers = chain::hospital_nodes(client, finalized, entry.custodian)
		.map_err(chain_error)?
		.ok_or_else(|| unavailable("the custodian is not an active hospital".into()))?;
	// The custodian's node may finalize the entry's block a moment after this node does.
	let mut attempts = 0;
	let fetched = loop {
		let fetched = fetch(&*custodian.network, &custodian.genesis, &peers, access).await;
		attempts += 1;
		match fetched {
			Err(FetchError::Refused(Refusal::EntryNotFinalized)) if attempts < FINALITY_RETRIES => {
				tokio::time::sleep(FINALITY_RETRY_PAUSE).await;
			}
			other => break other,
		}
	};
	let released = fetched.map_err(|error| match error {
		FetchError::Unavailable(why) => unavailable(why),
		FetchError::Refused(refusal) => ErrorCode::ReleaseRefused
			.error(format!("the custodian refused access {access}: {}", refusal.describe())),
		FetchError::Malformed => {
			ErrorCode::FieldsUnverified.error("the custodian's answer does not decode")
		}
	})?;

	let anchor = chain::anchor(client, finalized, entry.record)
		.map_err(chain_error)?
		.ok_or_else(|| ErrorCode::RecordNotFound.error("the record has no anchor"))?;
	let record_type = anchor.record_type;
	let released_indices: BTreeSet<u8> = released.iter().map(|field| field.index).collect();
	let expected: BTreeSet<u8> = entry.fields.indices().collect();
	let verified = released_indices == expected
		&& released.len() == expected.len()
		&& released
			.iter()
			.all(|field| verify_field(&anchor.field_root, &entry.record, record_type, field));
	if !verified {
		return Err(ErrorCode::FieldsUnverified.error(format!(
			"the fields released for access {access} do not verify against the anchor of record {}",
			to_hex(&entry.record)
		)));
	}
	let names = record_type.fields();
	let mut fields = serde_json::Map::new();
	for field in released {
		let name = names.get(usize::from(field.index)).copied().unwrap_or("?");
		let value = field.value.as_ref().map_or(serde_json::Value::Null, |bytes| {
			serde_json::Value::String(String::from_utf8_lossy(bytes).into_owned())
		});
		fields.insert(name.to_owned(), value);
	}
	Ok(SharedFields {
		record_id: to_hex(&entry.record),
		record_type: fields::type_name(record_type).to_owned(),
		fields,
		field_root: to_hex(&anchor.field_root),
		access_id: access,
		custodian: entry.custodian,
		verified,
	})
}
