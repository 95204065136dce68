//! Submitting records and reading them back.

use std::collections::HashMap;

use codec::{Decode, Encode};
use hmac::{Hmac, Mac};
use medchain_primitives::{
	commitment::{record_id, CommittedRecord, FieldValue, Hash256, RecordId, Salt},
	RecordType,
};
use redb::{Durability, ReadableDatabase, ReadableTable};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::{
	crypto::DataKey,
	schema::{AnchorState, StoredRecord, KEYS, META, NEXT_OUTBOX, OUTBOX, RECORDS},
	Result, Store, StoreError,
};

/// The most bytes of field values one record may hold: 1 MiB.
pub const MAX_RECORD_BYTES: usize = 1 << 20;
/// The most records one submission may hold.
pub const MAX_BULK_RECORDS: usize = 500;

const REQUEST_ID_DOMAIN: &[u8] = b"medchain/client-request/v1";
const CONTENT_DOMAIN: &[u8] = b"medchain/record-content/v1";

/// A record an app hands its node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewRecord {
	/// The app's idempotency key: a retry with the same id returns the same record.
	pub client_request_id: String,
	/// The patient pseudonym (an account id).
	pub patient: [u8; 32],
	/// The record's type.
	pub record_type: RecordType,
	/// One value per field of the type, in the type's order.
	pub values: Vec<FieldValue>,
}

impl NewRecord {
	fn size(&self) -> usize {
		self.values.iter().flatten().map(Vec::len).fold(0, usize::saturating_add)
	}
}

/// What the store answers for one submitted record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredReceipt {
	/// The record's id (what the runtime will assign it).
	pub record_id: RecordId,
	/// The anchor's request id.
	pub request_id: Hash256,
	/// The Merkle root of its field leaves.
	pub field_root: Hash256,
	/// The anchor's state.
	pub state: AnchorState,
	/// False when this was a retry of an earlier submission.
	pub created: bool,
}

/// A record with its fields decrypted.
pub struct OpenedRecord {
	/// The record as stored.
	pub stored: StoredRecord,
	/// Its fields and salts, as committed.
	pub fields: CommittedRecord,
}

/// The sealed plaintext: values and salts together.
#[derive(Encode, Decode)]
struct SealedFields {
	values: Vec<FieldValue>,
	salts: Vec<Salt>,
}

impl Store {
	/// Stores `records` and enters them in the outbox, all in durable commits, or nothing if
	/// any of them is refused. Records whose client request id was seen before are returned
	/// as they are.
	pub fn submit(&self, records: &[NewRecord]) -> Result<Vec<StoredReceipt>> {
		if records.len() > MAX_BULK_RECORDS {
			return Err(StoreError::TooManyRecords { count: records.len(), max: MAX_BULK_RECORDS });
		}
		for (index, record) in records.iter().enumerate() {
			check_shape(index, record)?;
		}
		let epoch_keys = self.lock()?;
		let mut receipts = Vec::with_capacity(records.len());
		let mut new_records: Vec<(RecordId, StoredRecord, Vec<u8>)> = Vec::new();
		// Record id → (its first submission in this call, that one's receipt).
		let mut in_batch: HashMap<RecordId, (&NewRecord, usize)> = HashMap::new();
		for record in records {
			let request_id = self.request_id(&record.client_request_id);
			let id = record_id(self.custodian, &request_id);
			if let Some((first, receipt)) = in_batch.get(&id).copied() {
				if !same_content(first, record) {
					return Err(StoreError::RequestIdConflict(record.client_request_id.clone()));
				}
				let mut again: StoredReceipt =
					receipts.get(receipt).cloned().ok_or(StoreError::Poisoned)?;
				again.created = false;
				receipts.push(again);
				continue;
			}
			if let Some(earlier) = self.record(&id)? {
				// The digest is keyed with the record's data key, so it proves nothing to whoever
				// holds the files without the KEK, and nothing at all once the key is shredded.
				if earlier.erased.is_none() {
					let key = self.data_key(&epoch_keys, &id)?;
					if key.keyed_digest(CONTENT_DOMAIN, &content_bytes(record))
						!= earlier.content_digest
					{
						return Err(StoreError::RequestIdConflict(
							record.client_request_id.clone(),
						));
					}
				}
				receipts.push(StoredReceipt {
					record_id: id,
					request_id,
					field_root: earlier.field_root,
					state: earlier.state,
					created: false,
				});
				continue;
			}
			let committed =
				CommittedRecord::with_random_salts(record.record_type, record.values.clone())
					.map_err(|_| StoreError::WrongFieldCount {
						index: receipts.len(),
						values: record.values.len(),
						expected: record.record_type.field_count(),
					})?;
			let field_root = committed.root(&id);
			let plaintext = Zeroizing::new(
				SealedFields { values: committed.values.clone(), salts: committed.salts.clone() }
					.encode(),
			);
			let key = DataKey::generate();
			let content = key.keyed_digest(CONTENT_DOMAIN, &content_bytes(record));
			let sealed = key.seal(&id, &plaintext)?;
			let wrapped = key.wrap(&epoch_keys.kek.key, epoch_keys.kek.epoch, &id)?;
			let stored = StoredRecord {
				patient: record.patient,
				record_type: record.record_type,
				request_id,
				field_root,
				ciphertext_digest: Sha256::digest(&sealed).into(),
				content_digest: content,
				sealed: Some(sealed),
				state: AnchorState::Stored,
				erased: None,
				outbox: None,
				stored_at: unix_millis(),
			};
			receipts.push(StoredReceipt {
				record_id: id,
				request_id,
				field_root,
				state: AnchorState::Stored,
				created: true,
			});
			in_batch.insert(id, (record, receipts.len().saturating_sub(1)));
			new_records.push((id, stored, wrapped));
		}
		if new_records.is_empty() {
			return Ok(receipts);
		}

		// The keys first: a crash between the two commits leaves an unused key (dropped at the
		// next rotation), never a record without its key.
		let mut write = epoch_keys.db.begin_write().map_err(redb::Error::from)?;
		write.set_durability(Durability::Immediate).map_err(redb::Error::from)?;
		{
			let mut keys = write.open_table(KEYS).map_err(redb::Error::from)?;
			for (id, _, wrapped) in &new_records {
				keys.insert(id, wrapped.as_slice()).map_err(redb::Error::from)?;
			}
		}
		write.commit().map_err(redb::Error::from)?;

		let mut write = self.records.begin_write().map_err(redb::Error::from)?;
		write.set_durability(Durability::Immediate).map_err(redb::Error::from)?;
		{
			let mut meta = write.open_table(META).map_err(redb::Error::from)?;
			let mut next = meta
				.get(NEXT_OUTBOX)
				.map_err(redb::Error::from)?
				.and_then(|bytes| <[u8; 8]>::try_from(bytes.value()).ok())
				.map_or(0, u64::from_le_bytes);
			let mut table = write.open_table(RECORDS).map_err(redb::Error::from)?;
			let mut outbox = write.open_table(OUTBOX).map_err(redb::Error::from)?;
			for (id, mut stored, _) in new_records {
				stored.outbox = Some(next);
				outbox.insert(next, id).map_err(redb::Error::from)?;
				table.insert(id, stored.encode().as_slice()).map_err(redb::Error::from)?;
				next = next.saturating_add(1);
			}
			meta.insert(NEXT_OUTBOX, next.to_le_bytes().as_slice()).map_err(redb::Error::from)?;
		}
		write.commit().map_err(redb::Error::from)?;
		Ok(receipts)
	}

	/// Record `record_id` with its fields decrypted.
	pub fn open_record(&self, record_id: &RecordId) -> Result<OpenedRecord> {
		let stored = self.record(record_id)?.ok_or(StoreError::NotFound(*record_id))?;
		let sealed = match (&stored.sealed, &stored.erased) {
			(Some(sealed), None) => sealed,
			_ => return Err(StoreError::Erased(*record_id)),
		};
		let key = self.data_key(&*self.lock()?, record_id)?;
		let plaintext = key.open(record_id, sealed)?;
		let SealedFields { values, salts } = SealedFields::decode(&mut plaintext.as_slice())
			.map_err(|_| StoreError::Inconsistent("sealed fields do not decode".into()))?;
		let fields = CommittedRecord::new(stored.record_type, values, salts)
			.map_err(|_| StoreError::Inconsistent("sealed fields do not fit the type".into()))?;
		Ok(OpenedRecord { stored, fields })
	}

	/// The record ids in the store, in id order, after `after`, at most `limit`.
	pub fn record_ids(&self, after: Option<RecordId>, limit: usize) -> Result<Vec<RecordId>> {
		let read = self.records.begin_read().map_err(redb::Error::from)?;
		let table = read.open_table(RECORDS).map_err(redb::Error::from)?;
		let range = match after {
			Some(after) => {
				table.range((std::ops::Bound::Excluded(after), std::ops::Bound::Unbounded))
			}
			None => table.range::<[u8; 32]>(..),
		}
		.map_err(redb::Error::from)?;
		let mut ids = Vec::new();
		for entry in range.take(limit) {
			ids.push(entry.map_err(redb::Error::from)?.0.value());
		}
		Ok(ids)
	}

	fn request_id(&self, client_request_id: &str) -> Hash256 {
		self.keyed_hash(REQUEST_ID_DOMAIN, client_request_id.as_bytes())
	}

	/// The data key of record `id`, from the current key file.
	fn data_key(&self, epoch_keys: &crate::EpochKeys, id: &RecordId) -> Result<DataKey> {
		let read = epoch_keys.db.begin_read().map_err(redb::Error::from)?;
		let keys = read.open_table(KEYS).map_err(redb::Error::from)?;
		let wrapped = keys.get(id).map_err(redb::Error::from)?.ok_or_else(|| {
			StoreError::Inconsistent(format!("record {} has no data key", hex::encode(id)))
		})?;
		DataKey::unwrap_from(wrapped.value(), &epoch_keys.kek.key, epoch_keys.kek.epoch, id)
	}

	fn keyed_hash(&self, domain: &[u8], data: &[u8]) -> Hash256 {
		let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.request_secret)
			.unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
		mac.update(domain);
		mac.update(data);
		mac.finalize().into_bytes().into()
	}
}

/// What a retry must repeat to be the same record.
fn content_bytes(record: &NewRecord) -> Vec<u8> {
	(record.patient, record.record_type, &record.values).encode()
}

fn same_content(a: &NewRecord, b: &NewRecord) -> bool {
	(a.patient, a.record_type, &a.values) == (b.patient, b.record_type, &b.values)
}

fn check_shape(index: usize, record: &NewRecord) -> Result<()> {
	let size = record.size();
	if size > MAX_RECORD_BYTES {
		return Err(StoreError::RecordTooLarge { index, size, max: MAX_RECORD_BYTES });
	}
	let expected = record.record_type.field_count();
	if u32::try_from(record.values.len()).ok() != Some(expected) {
		return Err(StoreError::WrongFieldCount { index, values: record.values.len(), expected });
	}
	Ok(())
}

/// Now, in Unix milliseconds.
pub(crate) fn unix_millis() -> u64 {
	std::time::SystemTime::now()
		.duration_since(std::time::UNIX_EPOCH)
		.map_or(0, |elapsed| u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX))
}
