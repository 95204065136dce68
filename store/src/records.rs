//! Submitting records and reading them back.

use std::collections::HashMap;

use codec::{Decode, Encode};
use hmac::{Hmac, Mac};
use medchain_primitives::{
	commitment::{record_id, CommittedRecord, FieldValue, Hash256, RecordId, Salt},
	prescription::PrescriptionRequest,
	RecordType,
};
use redb::{Durability, ReadableDatabase, ReadableTable};
use sha2::{Digest, Sha256};

use crate::{
	crypto::DataKey,
	decode_record,
	schema::{
		AnchorState, StoredRecord, KEYS, META, NEXT_OUTBOX, OUTBOX, PRESCRIPTIONS, RECORDS, SEALED,
	},
	Result, Store, StoreError,
};

/// The most bytes of field values one record may hold: 1 MiB.
pub const MAX_RECORD_BYTES: usize = 1 << 20;
/// The most records one submission may hold.
pub const MAX_BULK_RECORDS: usize = 500;
/// The most records waiting to be anchored, unless the node says otherwise: 2 to 10 minutes of
/// one hospital's anchoring, as it has the chain to itself or shares it with three others.
pub const DEFAULT_OUTBOX_LIMIT: u64 = 100_000;

const REQUEST_ID_DOMAIN: &[u8] = b"medchain/client-request/v2";

/// A record an app hands its node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewRecord {
	/// Who submits it (the node passes its app token's hash): request ids are scoped to it,
	/// so one submitter's ids tell another nothing.
	pub submitter: [u8; 32],
	/// The submitter's idempotency key: a retry with the same id returns the same record.
	pub client_request_id: String,
	/// The patient pseudonym (an account id).
	pub patient: [u8; 32],
	/// The record's type.
	pub record_type: RecordType,
	/// One value per field of the type, in the type's order.
	pub values: Vec<FieldValue>,
	/// A prescription's terms; `None` for every other type.
	pub prescription: Option<PrescriptionRequest>,
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

/// The decrypted values are zeroed when the opened record is dropped.
impl Drop for OpenedRecord {
	fn drop(&mut self) {
		use zeroize::Zeroize;
		for value in self.fields.values.iter_mut().flatten() {
			value.zeroize();
		}
	}
}

/// The sealed plaintext: values and salts together.
#[derive(Encode, Decode)]
struct SealedFields {
	values: Vec<FieldValue>,
	salts: Vec<Salt>,
}

/// Record sizes (in a submission, together) from which sealing uses a second thread.
const PARALLEL_FROM_BYTES: usize = 64 << 10;

/// A record of a submission that the store does not hold yet.
struct Fresh<'a> {
	index: usize,
	record_id: RecordId,
	request_id: Hash256,
	record: &'a NewRecord,
}

/// What the store answers for each record of a submission.
enum Answer {
	/// Stored before: its receipt.
	Held(StoredReceipt),
	/// New: the `n`th fresh record; `first` is false for a repeat within the submission.
	Fresh { n: usize, first: bool },
}

/// A fresh record, sealed and ready to commit.
struct Sealed {
	record_id: RecordId,
	key: DataKey,
	stored: StoredRecord,
	sealed: Vec<u8>,
	prescription: Option<PrescriptionRequest>,
}

impl Store {
	/// Stores `records` and enters them in the outbox, all in durable commits, or nothing if
	/// any of them is refused. Records whose client request id was seen before are returned
	/// as they are.
	///
	/// Records are sealed outside the store's lock, so one submission seals while another
	/// commits.
	pub fn submit(&self, records: &[NewRecord]) -> Result<Vec<StoredReceipt>> {
		if records.len() > MAX_BULK_RECORDS {
			return Err(StoreError::TooManyRecords { count: records.len(), max: MAX_BULK_RECORDS });
		}
		for (index, record) in records.iter().enumerate() {
			check_shape(index, record)?;
		}
		let (answers, fresh) = self.sort_out(records)?;
		let sealed = seal_all(&fresh)?;

		let _one_submission_at_a_time = crate::lock(&self.submitting)?;
		let epoch_keys = self.keys()?;
		// A concurrent retry may have stored some of them meanwhile.
		let mut held_now = Vec::with_capacity(fresh.len());
		for one in &fresh {
			held_now.push(self.held_receipt(
				&epoch_keys,
				one.record,
				one.record_id,
				one.request_id,
			)?);
		}
		let receipts = answers
			.into_iter()
			.map(|answer| match answer {
				Answer::Held(receipt) => Ok(receipt),
				Answer::Fresh { n, first } => match held_now.get(n) {
					Some(Some(receipt)) => Ok(receipt.clone()),
					Some(None) => {
						let record = sealed.get(n).ok_or(StoreError::Poisoned)?;
						Ok(StoredReceipt {
							record_id: record.record_id,
							request_id: record.stored.request_id,
							field_root: record.stored.field_root,
							state: AnchorState::Stored,
							created: first,
						})
					}
					None => Err(StoreError::Poisoned),
				},
			})
			.collect::<Result<Vec<_>>>()?;
		let to_commit: Vec<Sealed> = sealed
			.into_iter()
			.zip(&held_now)
			.filter_map(|(record, held)| held.is_none().then_some(record))
			.collect();
		if !to_commit.is_empty() {
			let sealed_bytes = to_commit.iter().map(|record| record.sealed.len()).sum();
			self.check_outbox_room(to_commit.len())?;
			crate::disk_space::check_room(
				crate::disk_space::space(&self.dir)?,
				self.shared_reserve,
				crate::disk_space::needed_for(to_commit.len(), sealed_bytes),
			)?;
			self.commit_fresh(&epoch_keys, to_commit)?;
		}
		Ok(receipts)
	}

	/// Each record's answer: held (a retry of a stored record) or fresh (to be sealed).
	fn sort_out<'a>(&self, records: &'a [NewRecord]) -> Result<(Vec<Answer>, Vec<Fresh<'a>>)> {
		let mut answers = Vec::with_capacity(records.len());
		let mut fresh: Vec<Fresh> = Vec::new();
		// Record id → its position in `fresh`.
		let mut in_batch: HashMap<RecordId, usize> = HashMap::new();
		for (index, record) in records.iter().enumerate() {
			let request_id = self.request_id(&record.submitter, &record.client_request_id);
			let record_id = record_id(self.custodian, &request_id);
			if let Some(&n) = in_batch.get(&record_id) {
				let first = fresh.get(n).ok_or(StoreError::Poisoned)?.record;
				if !same_content(first, record) {
					return Err(StoreError::RequestIdConflict(record.client_request_id.clone()));
				}
				answers.push(Answer::Fresh { n, first: false });
			} else if self.record(&record_id)?.is_some() {
				let receipt = self
					.held_receipt(&*self.keys()?, record, record_id, request_id)?
					.ok_or(StoreError::Inconsistent("a stored record vanished".into()))?;
				answers.push(Answer::Held(receipt));
			} else {
				in_batch.insert(record_id, fresh.len());
				answers.push(Answer::Fresh { n: fresh.len(), first: true });
				fresh.push(Fresh { index, record_id, request_id, record });
			}
		}
		Ok((answers, fresh))
	}

	/// The receipt of `record` if the store holds it already; refused if the stored record
	/// differs (the same client request id for other content). The content is compared by the
	/// digest kept at submission, keyed with the record's data key, never by decrypting the
	/// stored record; a copy of `records.redb` without the KEK can't test a guess against it.
	fn held_receipt(
		&self,
		epoch_keys: &crate::EpochKeys,
		record: &NewRecord,
		record_id: RecordId,
		request_id: Hash256,
	) -> Result<Option<StoredReceipt>> {
		let Some(earlier) = self.record(&record_id)? else {
			return Ok(None);
		};
		if earlier.erased.is_none() && !self.noted_for_shredding(&record_id)? {
			let key = self.data_key(epoch_keys, &record_id)?;
			if earlier.content_digest != key.content_digest(&content_of(record)) {
				return Err(StoreError::RequestIdConflict(record.client_request_id.clone()));
			}
		}
		Ok(Some(StoredReceipt {
			record_id,
			request_id,
			field_root: earlier.field_root,
			state: earlier.state,
			created: false,
		}))
	}

	/// Commits sealed records: their keys first, so a crash between the two commits leaves an
	/// unused key (dropped at the next rotation), never a record without its key.
	fn commit_fresh(&self, epoch_keys: &crate::EpochKeys, fresh: Vec<Sealed>) -> Result<()> {
		let mut write = epoch_keys.db.begin_write().map_err(redb::Error::from)?;
		write.set_durability(Durability::Immediate).map_err(redb::Error::from)?;
		{
			let mut keys = write.open_table(KEYS).map_err(redb::Error::from)?;
			for record in &fresh {
				let wrapped = record.key.wrap(
					&epoch_keys.kek.key,
					epoch_keys.kek.epoch,
					&record.record_id,
				)?;
				keys.insert(record.record_id, wrapped.as_slice()).map_err(redb::Error::from)?;
			}
		}
		write.commit().map_err(redb::Error::from)?;
		if let Some(late) = crate::lock(&self.late_keys)?.as_mut() {
			late.extend(fresh.iter().map(|record| record.record_id));
		}

		let mut write = self.records()?.begin_write().map_err(redb::Error::from)?;
		write.set_durability(Durability::Immediate).map_err(redb::Error::from)?;
		{
			let mut meta = write.open_table(META).map_err(redb::Error::from)?;
			let mut next = meta
				.get(NEXT_OUTBOX)
				.map_err(redb::Error::from)?
				.and_then(|bytes| <[u8; 8]>::try_from(bytes.value()).ok())
				.map_or(0, u64::from_le_bytes);
			let mut table = write.open_table(RECORDS).map_err(redb::Error::from)?;
			let mut pieces = write.open_table(SEALED).map_err(redb::Error::from)?;
			let mut outbox = write.open_table(OUTBOX).map_err(redb::Error::from)?;
			let mut prescriptions = write.open_table(PRESCRIPTIONS).map_err(redb::Error::from)?;
			for Sealed { record_id, mut stored, sealed, prescription, .. } in fresh {
				if let Some(terms) = prescription {
					prescriptions
						.insert(record_id, terms.encode().as_slice())
						.map_err(redb::Error::from)?;
				}
				stored.outbox = Some(next);
				outbox.insert(next, record_id).map_err(redb::Error::from)?;
				crate::sealed::put(&mut pieces, &record_id, &sealed)?;
				table.insert(record_id, stored.encode().as_slice()).map_err(redb::Error::from)?;
				next = next.saturating_add(1);
			}
			meta.insert(NEXT_OUTBOX, next.to_le_bytes().as_slice()).map_err(redb::Error::from)?;
		}
		write.commit().map_err(redb::Error::from)?;
		Ok(())
	}

	/// Record `record_id` with its fields decrypted.
	pub fn open_record(&self, record_id: &RecordId) -> Result<OpenedRecord> {
		self.open_under(&*self.keys()?, record_id)
	}

	fn open_under(
		&self,
		epoch_keys: &crate::EpochKeys,
		record_id: &RecordId,
	) -> Result<OpenedRecord> {
		let read = self.records()?.begin_read().map_err(redb::Error::from)?;
		let stored = read
			.open_table(RECORDS)
			.map_err(redb::Error::from)?
			.get(record_id)
			.map_err(redb::Error::from)?
			.map(|bytes| decode_record(bytes.value()))
			.transpose()?
			.ok_or(StoreError::NotFound(*record_id))?;
		if stored.erased.is_some() || crate::erasure::noted_in(&read, record_id)? {
			return Err(StoreError::Erased(*record_id));
		}
		let pieces = read.open_table(SEALED).map_err(redb::Error::from)?;
		let sealed = crate::sealed::get(&pieces, record_id, stored.sealed_len as usize)?
			.ok_or(StoreError::Erased(*record_id))?;
		let plaintext = self.data_key(epoch_keys, record_id)?.open(record_id, sealed)?;
		let SealedFields { values, salts } = SealedFields::decode(&mut plaintext.as_slice())
			.map_err(|_| StoreError::Inconsistent("sealed fields do not decode".into()))?;
		let fields = CommittedRecord::new(stored.record_type, values, salts)
			.map_err(|_| StoreError::Inconsistent("sealed fields do not fit the type".into()))?;
		Ok(OpenedRecord { stored, fields })
	}

	/// Whether sealed bytes of record `record_id` are kept (none are once it is erased).
	pub fn holds_sealed_bytes(&self, record_id: &RecordId) -> Result<bool> {
		let read = self.records()?.begin_read().map_err(redb::Error::from)?;
		let pieces = read.open_table(SEALED).map_err(redb::Error::from)?;
		Ok(pieces.get((*record_id, 0)).map_err(redb::Error::from)?.is_some())
	}

	/// The record ids in the store, in id order, after `after`, at most `limit`.
	pub fn record_ids(&self, after: Option<RecordId>, limit: usize) -> Result<Vec<RecordId>> {
		let read = self.records()?.begin_read().map_err(redb::Error::from)?;
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

	fn request_id(&self, submitter: &[u8; 32], client_request_id: &str) -> Hash256 {
		self.keyed_hash(REQUEST_ID_DOMAIN, &[submitter, client_request_id.as_bytes()].concat())
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

/// What a retry must repeat: the patient, the type and the values.
/// What a retry must repeat: a prescription's terms count, and other records' digests are
/// what they were before prescriptions had terms.
fn content_of(record: &NewRecord) -> zeroize::Zeroizing<Vec<u8>> {
	let mut content = (record.patient, record.record_type, &record.values).encode();
	if let Some(terms) = record.prescription {
		terms.encode_to(&mut content);
	}
	zeroize::Zeroizing::new(content)
}

fn same_content(a: &NewRecord, b: &NewRecord) -> bool {
	(a.patient, a.record_type, &a.values, a.prescription)
		== (b.patient, b.record_type, &b.values, b.prescription)
}

/// Seals `fresh` records, on two threads when they are large.
fn seal_all(fresh: &[Fresh]) -> Result<Vec<Sealed>> {
	let bytes = fresh.iter().map(|f| f.record.size()).fold(0, usize::saturating_add);
	match fresh {
		[] => Ok(Vec::new()),
		[one] => Ok(vec![seal_one(one, bytes >= PARALLEL_FROM_BYTES)?]),
		_ if bytes < PARALLEL_FROM_BYTES => fresh.iter().map(|one| seal_one(one, false)).collect(),
		_ => {
			let (first, second) = fresh.split_at(fresh.len() / 2);
			std::thread::scope(|scope| {
				let second = scope.spawn(|| {
					second.iter().map(|one| seal_one(one, false)).collect::<Result<Vec<_>>>()
				});
				let mut sealed =
					first.iter().map(|one| seal_one(one, false)).collect::<Result<Vec<_>>>()?;
				sealed.extend(second.join().map_err(|_| StoreError::Poisoned)??);
				Ok(sealed)
			})
		}
	}
}

/// Salts, commits to and seals one record under a new data key; with `split`, the field root
/// is computed on a second thread while the record is sealed.
fn seal_one(fresh: &Fresh, split: bool) -> Result<Sealed> {
	let Fresh { index, record_id, request_id, record } = fresh;
	let committed = CommittedRecord::with_random_salts(record.record_type, record.values.clone())
		.map_err(|_| StoreError::WrongFieldCount {
		index: *index,
		values: record.values.len(),
		expected: record.record_type.field_count(),
	})?;
	let key = DataKey::generate();
	let seal = || -> Result<(Vec<u8>, Hash256)> {
		// Encodes as `SealedFields` does.
		let sealed = key.seal(record_id, &(&committed.values, &committed.salts))?;
		let digest = Sha256::digest(&sealed).into();
		Ok((sealed, digest))
	};
	let (field_root, (sealed, ciphertext_digest)) = if split {
		std::thread::scope(|scope| {
			let root = scope.spawn(|| committed.root(record_id));
			let sealed = seal()?;
			Ok::<_, StoreError>((root.join().map_err(|_| StoreError::Poisoned)?, sealed))
		})?
	} else {
		(committed.root(record_id), seal()?)
	};
	let sealed_len = u32::try_from(sealed.len()).map_err(|_| StoreError::Encryption)?;
	Ok(Sealed {
		record_id: *record_id,
		stored: StoredRecord {
			patient: record.patient,
			record_type: record.record_type,
			request_id: *request_id,
			content_digest: key.content_digest(&content_of(record)),
			field_root,
			ciphertext_digest,
			sealed_len,
			state: AnchorState::Stored,
			erased: None,
			outbox: None,
			stored_at: unix_millis(),
		},
		sealed,
		prescription: record.prescription,
		key,
	})
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
	match (record.record_type, record.prescription) {
		(RecordType::Prescription, None) => Err(StoreError::MissingPrescriptionTerms { index }),
		(RecordType::Prescription, Some(_)) | (_, None) => Ok(()),
		(_, Some(_)) => Err(StoreError::UnexpectedPrescriptionTerms { index }),
	}
}

/// Now, in Unix milliseconds.
pub(crate) fn unix_millis() -> u64 {
	std::time::SystemTime::now()
		.duration_since(std::time::UNIX_EPOCH)
		.map_or(0, |elapsed| u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX))
}
