//! What the custodian reads from the chain: hospitals and their nodes, anchors, grants, access
//! entries and a block's events.

use std::str::FromStr;

use codec::Decode;
use medchain_primitives::access::{AccessEntry, AccessId, AccessPage, AccessQuery};
use medchain_primitives::{
	commitment::RecordId,
	records::Record,
	shares::{Grant, GrantId, TokenKey},
	HospitalId, HospitalRole,
};
use medchain_runtime::{AccountId, BlockNumber, Runtime, RuntimeEvent};
use medchain_runtime_api::{AccessLogApi, ConsortiumApi, RecordsApi, SharesApi};
use pallet_hospitals::HospitalStatus;
use sc_client_api::StorageProvider;
use sc_network::PeerId;
use sp_api::ProvideRuntimeApi;
use sp_core::{storage::StorageKey, H256};

use crate::service::FullClient;

/// A block's events.
pub type EventRecords = Vec<frame_system::EventRecord<RuntimeEvent, H256>>;

/// The hospital and role of `account` at block `at`.
pub fn role_of(
	client: &FullClient,
	at: H256,
	account: &AccountId,
) -> Result<Option<(HospitalId, HospitalRole)>, String> {
	let key = pallet_hospitals::AccountRoles::<Runtime>::hashed_key_for(account);
	decode_storage(client, at, key)
}

/// The active hospital that registered node `peer`, at block `at`.
pub fn active_hospital_of_peer(
	client: &FullClient,
	at: H256,
	peer: &PeerId,
) -> Result<Option<HospitalId>, String> {
	let Ok(peer_id) =
		pallet_hospitals::PeerIdOf::<Runtime>::try_from(peer.to_base58().into_bytes())
	else {
		return Ok(None);
	};
	let key = pallet_hospitals::PeerOwner::<Runtime>::hashed_key_for(peer_id);
	let Some(hospital) = decode_storage::<HospitalId>(client, at, key)? else {
		return Ok(None);
	};
	let active = hospital_nodes(client, at, hospital)?.is_some();
	Ok(active.then_some(hospital))
}

/// The registered nodes of `hospital` at block `at`, if it is active.
pub fn hospital_nodes(
	client: &FullClient,
	at: H256,
	hospital: HospitalId,
) -> Result<Option<Vec<PeerId>>, String> {
	let key = pallet_hospitals::Hospitals::<Runtime>::hashed_key_for(hospital);
	let Some(entry) = decode_storage::<pallet_hospitals::Hospital<Runtime>>(client, at, key)?
	else {
		return Ok(None);
	};
	if entry.status != HospitalStatus::Active {
		return Ok(None);
	}
	let peers = entry
		.nodes
		.iter()
		.filter_map(|node| PeerId::from_str(std::str::from_utf8(&node.peer_id).ok()?).ok())
		.collect();
	Ok(Some(peers))
}

/// The hospitals with ids from `from`, at most `limit`, at block `at`, with the `from` of the
/// next page if there are more.
pub fn hospitals(
	client: &FullClient,
	at: H256,
	from: HospitalId,
	limit: u32,
) -> Result<(Vec<(HospitalId, pallet_hospitals::Hospital<Runtime>)>, Option<HospitalId>), String> {
	let next_id: HospitalId = decode_storage(
		client,
		at,
		pallet_hospitals::NextHospitalId::<Runtime>::hashed_key().to_vec(),
	)?
	.unwrap_or_default();
	let end = from.saturating_add(limit).min(next_id);
	let mut hospitals = Vec::new();
	for id in from..end {
		let key = pallet_hospitals::Hospitals::<Runtime>::hashed_key_for(id);
		if let Some(hospital) = decode_storage(client, at, key)? {
			hospitals.push((id, hospital));
		}
	}
	Ok((hospitals, (end < next_id).then_some(end)))
}

/// The hospitals of the validator set at block `at`.
pub fn validators(client: &FullClient, at: H256) -> Result<Vec<HospitalId>, String> {
	client
		.runtime_api()
		.validators(at)
		.map_err(|error| format!("ConsortiumApi::validators: {error}"))
}

/// Grant `id` at block `at`, if it is in state.
pub fn grant(
	client: &FullClient,
	at: H256,
	id: GrantId,
) -> Result<Option<Grant<AccountId, BlockNumber, Vec<RecordId>>>, String> {
	client.runtime_api().grant(at, id).map_err(|error| format!("SharesApi::grant: {error}"))
}

/// The grant the token key `token_key` opens at block `at`, if any.
pub fn grant_by_token(
	client: &FullClient,
	at: H256,
	token_key: TokenKey,
) -> Result<Option<GrantId>, String> {
	client
		.runtime_api()
		.grant_by_token(at, token_key)
		.map_err(|error| format!("SharesApi::grant_by_token: {error}"))
}

/// The hospital that registered `patient`, at block `at`.
pub fn registering_hospital(
	client: &FullClient,
	at: H256,
	patient: &AccountId,
) -> Result<Option<HospitalId>, String> {
	let key = pallet_hospitals::Patients::<Runtime>::hashed_key_for(patient);
	let registered: Option<pallet_hospitals::Patient<Runtime>> = decode_storage(client, at, key)?;
	Ok(registered.map(|patient| patient.hospital))
}

/// The consent nonce `patient` signs next, at block `at`.
pub fn consent_nonce(client: &FullClient, at: H256, patient: &AccountId) -> Result<u64, String> {
	let key = pallet_shares::ConsentNonce::<Runtime>::hashed_key_for(patient);
	Ok(decode_storage(client, at, key)?.unwrap_or_default())
}

/// The anchor of `record_id` at block `at`.
pub fn anchor(
	client: &FullClient,
	at: H256,
	record_id: RecordId,
) -> Result<Option<Record<AccountId, BlockNumber>>, String> {
	client
		.runtime_api()
		.record(at, record_id)
		.map_err(|error| format!("RecordsApi::record: {error}"))
}

/// Access entry `id` at block `at`.
pub fn access_entry(
	client: &FullClient,
	at: H256,
	id: AccessId,
) -> Result<Option<AccessEntry<AccountId, BlockNumber>>, String> {
	client.runtime_api().entry(at, id).map_err(|error| format!("AccessLogApi::entry: {error}"))
}

/// The erasure of `record_id` scheduled at block `at`: who asked, and from which block it is due.
pub fn pending_erasure(
	client: &FullClient,
	at: H256,
	record_id: RecordId,
) -> Result<Option<(AccountId, BlockNumber)>, String> {
	let key = pallet_records::PendingErasures::<Runtime>::hashed_key_for(record_id);
	decode_storage(client, at, key)
}

/// Access entries matching `query` (see `AccessLogApi::entries`), at block `at`.
pub fn access_entries(
	client: &FullClient,
	at: H256,
	query: AccessQuery<AccountId>,
	(from_time, to_time): (u64, u64),
	cursor: u32,
	limit: u32,
) -> Result<AccessPage<AccountId, BlockNumber>, String> {
	client
		.runtime_api()
		.entries(at, query, from_time, to_time, cursor, limit)
		.map_err(|error| format!("AccessLogApi::entries: {error}"))
}

/// The grants of `patient` after `after`, at most `limit`, at block `at`.
pub fn grants_of_patient(
	client: &FullClient,
	at: H256,
	patient: AccountId,
	after: Option<GrantId>,
	limit: u32,
) -> Result<Vec<GrantId>, String> {
	client
		.runtime_api()
		.grants_of_patient(at, patient, after, limit)
		.map_err(|error| format!("SharesApi::grants_of_patient: {error}"))
}

/// The time of block `at` (its timestamp inherent), in Unix milliseconds: from its state, or,
/// once that is pruned, from the inherent in its body (bodies of finalized blocks are kept).
pub fn block_time(client: &FullClient, at: H256) -> Result<u64, String> {
	use codec::Encode;
	use sc_client_api::BlockBackend;
	let key = frame_support::storage::storage_prefix(b"Timestamp", b"Now").to_vec();
	if let Ok(Some(now)) = decode_storage::<u64>(client, at, key) {
		return Ok(now);
	}
	let body = client.block_body(at).map_err(|error| error.to_string())?.unwrap_or_default();
	body.iter()
		.filter_map(|extrinsic| {
			medchain_runtime::UncheckedExtrinsic::decode(&mut extrinsic.encode().as_slice()).ok()
		})
		.find_map(|extrinsic| match extrinsic.function {
			medchain_runtime::RuntimeCall::Timestamp(medchain_runtime::TimestampCall::set {
				now,
			}) => Some(now),
			_ => None,
		})
		.ok_or_else(|| format!("block {at:?} has no timestamp"))
}

/// The events of block `at`.
pub fn events(client: &FullClient, at: H256) -> Result<EventRecords, String> {
	let key = frame_support::storage::storage_prefix(b"System", b"Events").to_vec();
	Ok(decode_storage(client, at, key)?.unwrap_or_default())
}

fn decode_storage<T: Decode>(
	client: &FullClient,
	at: H256,
	key: Vec<u8>,
) -> Result<Option<T>, String> {
	let data = client.storage(at, &StorageKey(key)).map_err(|error| error.to_string())?;
	data.map(|data| T::decode(&mut data.0.as_slice()).map_err(|error| error.to_string()))
		.transpose()
}
