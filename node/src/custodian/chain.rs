//! What the custodian reads from the chain: its hospital, anchors and a block's events.

use codec::Decode;
use medchain_primitives::access::{AccessEntry, AccessId};
use medchain_primitives::{commitment::RecordId, records::Record, HospitalId, HospitalRole};
use medchain_runtime::{AccountId, BlockNumber, Runtime, RuntimeEvent};
use medchain_runtime_api::{AccessLogApi, RecordsApi};
use sc_client_api::StorageProvider;
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
