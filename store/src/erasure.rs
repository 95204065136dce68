//! Crypto-shredding: an erased record's data key is destroyed with the KEK epoch that wrapped
//! it.
//!
//! [`Store::shred`] runs these steps, each durable before the next:
//! 1. the erasure is noted in `records.redb` (`SHREDS`), with the key's id;
//! 2. the next epoch's KEK is written to `<kek>.next` (sealed with a new binding, for a sealed
//!    KEK file);
//! 3. every surviving data key is re-wrapped under it into a new `keys-<epoch+1>.redb`, which
//!    also keeps the binding; releases and submissions go on meanwhile, and keys submitted
//!    during the copy are copied at the switch;
//! 4. `<kek>.next` is renamed over the KEK file: the old KEK is gone (the commit point), and
//!    the store switches to the new epoch;
//! 5. the old KEK file and the old key file are overwritten and deleted (`crate::scrub`), and
//!    the records lose their sealed bytes and get receipts; `records.redb` is due for a
//!    compaction (`crate::compaction`).
//!
//! A crash before step 4 rolls back at the next open (the staged files are deleted and the
//! erasure runs again); after it, the next open finishes steps 5.

use std::{
	collections::{BTreeMap, BTreeSet},
	fs,
	path::{Path, PathBuf},
	sync::Mutex,
};

use codec::{Decode, Encode};
use medchain_primitives::commitment::RecordId;
use redb::{Database, Durability, ReadableDatabase, ReadableTable};

use crate::{
	crypto::DataKey,
	decode_record, io_error,
	kek::{self, Kek},
	schema::{PendingShred, ShredReceipt, ERASE_DUE, KEYS, RECORDS, SEALED, SHREDS},
	Result, Store, StoreError,
};

/// The key file of KEK epoch `epoch`.
pub fn keys_path(dir: &Path, epoch: u64) -> PathBuf {
	dir.join(format!("keys-{epoch}.redb"))
}

impl Store {
	/// Destroys the data keys of `record_ids` and returns a receipt for each. Already erased
	/// records get their earlier receipt. Releases and submissions go on while the surviving
	/// keys are re-wrapped; they wait only for the switch of epochs.
	pub fn shred(&self, record_ids: &[RecordId]) -> Result<Vec<ShredReceipt>> {
		self.shred_pausing(record_ids, || {})
	}

	/// [`Store::shred`], calling `while_copying` once the surviving keys are copied, before the
	/// switch of epochs.
	pub(crate) fn shred_pausing(
		&self,
		record_ids: &[RecordId],
		while_copying: impl FnOnce(),
	) -> Result<Vec<ShredReceipt>> {
		let _one_shred_at_a_time = crate::lock(&self.shredding)?;
		self.note_shreds(record_ids)?;
		let pending = self.pending_shred_map()?;
		let targets: BTreeSet<RecordId> = pending.keys().copied().collect();
		if self.any_key_present(&targets)? {
			self.rotate(&targets, while_copying)?;
		}
		self.finish_shreds(&pending)?;
		record_ids
			.iter()
			.map(|id| {
				self.record(id)?.and_then(|stored| stored.erased).ok_or_else(|| {
					StoreError::Inconsistent(format!("{} was not shredded", hex::encode(id)))
				})
			})
			.collect()
	}

	/// Whether record `id` is noted for shredding: from then on it is not released, and a
	/// retry of it is not compared with its content.
	pub(crate) fn noted_for_shredding(&self, id: &RecordId) -> Result<bool> {
		noted_in(&self.records()?.begin_read().map_err(redb::Error::from)?, id)
	}

	pub(crate) fn pending_shreds(&self) -> Result<Vec<RecordId>> {
		Ok(self.pending_shred_map()?.into_keys().collect())
	}

	fn pending_shred_map(&self) -> Result<BTreeMap<RecordId, PendingShred>> {
		let read = self.records()?.begin_read().map_err(redb::Error::from)?;
		let table = read.open_table(SHREDS).map_err(redb::Error::from)?;
		let mut pending = BTreeMap::new();
		for entry in table.iter().map_err(redb::Error::from)? {
			let (id, bytes) = entry.map_err(redb::Error::from)?;
			let shred = PendingShred::decode(&mut bytes.value())
				.map_err(|_| StoreError::Inconsistent("a pending shred does not decode".into()))?;
			pending.insert(id.value(), shred);
		}
		Ok(pending)
	}

	/// Step 1: what to shred, with each data key's id, made durable. From here on the records
	/// are not released.
	fn note_shreds(&self, record_ids: &[RecordId]) -> Result<()> {
		let epoch_keys = self.keys()?;
		let mut notes = Vec::new();
		for id in record_ids {
			let stored = self.record(id)?.ok_or(StoreError::NotFound(*id))?;
			if stored.erased.is_some() {
				continue;
			}
			let key_id = match wrapped_key(&epoch_keys.db, id)? {
				Some(wrapped) => {
					DataKey::unwrap_from(&wrapped, &epoch_keys.kek.key, epoch_keys.kek.epoch, id)?
						.id()
				}
				None => [0; 16],
			};
			notes.push((*id, PendingShred { key_id, epoch: epoch_keys.kek.epoch }));
		}
		if notes.is_empty() {
			return Ok(());
		}
		let mut write = self.records()?.begin_write().map_err(redb::Error::from)?;
		write.set_durability(Durability::Immediate).map_err(redb::Error::from)?;
		{
			let mut table = write.open_table(SHREDS).map_err(redb::Error::from)?;
			for (id, note) in &notes {
				if table.get(id).map_err(redb::Error::from)?.is_none() {
					table.insert(id, note.encode().as_slice()).map_err(redb::Error::from)?;
				}
			}
		}
		write.commit().map_err(redb::Error::from)?;
		Ok(())
	}

	fn any_key_present(&self, targets: &BTreeSet<RecordId>) -> Result<bool> {
		let epoch_keys = self.keys()?;
		for id in targets {
			if wrapped_key(&epoch_keys.db, id)?.is_some() {
				return Ok(true);
			}
		}
		Ok(false)
	}

	/// Steps 2–5 of the rotation: a new epoch without the keys of `dropped`.
	///
	/// The surviving keys are copied, and committed, with no lock held; keys committed to the
	/// old epoch meanwhile are noted by their submissions and copied at the switch, which holds
	/// releases and submissions back for that long only.
	fn rotate(&self, dropped: &BTreeSet<RecordId>, while_copying: impl FnOnce()) -> Result<()> {
		let old_kek = {
			let epoch_keys = self.keys()?;
			Kek { epoch: epoch_keys.kek.epoch, key: epoch_keys.kek.key.clone() }
		};
		let new_epoch =
			old_kek.epoch.checked_add(1).ok_or_else(|| StoreError::Kek("epoch overflow".into()))?;
		let next_kek = Kek::generate(new_epoch);
		let staged = kek::next_path(&self.kek_file.path);
		crate::scrub::shred_file(&staged)?;
		let binding = self.kek_file.is_sealed().then(kek::new_binding);
		self.kek_file.write_new(&next_kek, &staged, binding.as_ref())?;

		let new_path = keys_path(&self.dir, new_epoch);
		crate::scrub::shred_file(&new_path)?;
		let new_db = crate::backend::create(&new_path)?;
		let mut write = new_db.begin_write().map_err(redb::Error::from)?;
		write.set_durability(Durability::Immediate).map_err(redb::Error::from)?;
		crate::key_check::write(&write, &next_kek)?;
		if let Some(binding) = &binding {
			crate::key_check::write_binding(&write, binding)?;
		}
		let rewrap = Rewrap { from: &old_kek, to: &next_kek, dropped };

		let late = LateKeys::start(&self.late_keys)?;
		let snapshot = self.keys()?.db.begin_read().map_err(redb::Error::from)?;
		// Keys whose record was not stored when copied: a submission between its two commits.
		let unstored = {
			let records_read = self.records()?.begin_read().map_err(redb::Error::from)?;
			let records = records_read.open_table(RECORDS).map_err(redb::Error::from)?;
			let old_keys = snapshot.open_table(KEYS).map_err(redb::Error::from)?;
			let mut new_keys = write.open_table(KEYS).map_err(redb::Error::from)?;
			let mut unstored = Vec::new();
			for entry in old_keys.iter().map_err(redb::Error::from)? {
				let (id, wrapped) = entry.map_err(redb::Error::from)?;
				let id = id.value();
				if records.get(id).map_err(redb::Error::from)?.is_none() {
					unstored.push(id);
				} else {
					rewrap.copy_into(&mut new_keys, &id, wrapped.value())?;
				}
			}
			unstored
		};
		drop(snapshot);
		// The bulk of the copy is made durable before the switch: the new key file is unused
		// until the rename, and the next open deletes it if a crash comes first.
		write.commit().map_err(redb::Error::from)?;
		while_copying();

		let mut epoch_keys = self.keys_mut()?;
		let mut write = new_db.begin_write().map_err(redb::Error::from)?;
		write.set_durability(Durability::Immediate).map_err(redb::Error::from)?;
		{
			let records_read = self.records()?.begin_read().map_err(redb::Error::from)?;
			let records = records_read.open_table(RECORDS).map_err(redb::Error::from)?;
			let mut new_keys = write.open_table(KEYS).map_err(redb::Error::from)?;
			for id in late.take()?.into_iter().chain(unstored) {
				// Keys of records that never got stored (a crash between the two commits of a
				// submission) are dropped too.
				if records.get(id).map_err(redb::Error::from)?.is_none() {
					continue;
				}
				if let Some(wrapped) = wrapped_key(&epoch_keys.db, &id)? {
					rewrap.copy_into(&mut new_keys, &id, &wrapped)?;
				}
			}
		}
		write.commit().map_err(redb::Error::from)?;
		crate::scrub::sync_parent(&new_path)?;

		kek::rename_next(&self.kek_file.path)?;
		// The old KEK is gone: switch before anything else can fail.
		let old_db = std::mem::replace(&mut epoch_keys.db, new_db);
		epoch_keys.kek = next_kek;
		drop(epoch_keys);
		drop(old_db);
		crate::scrub::sync_parent(&self.kek_file.path)?;
		kek::retire_old(&self.kek_file.path)?;
		crate::scrub::shred_file(&keys_path(&self.dir, old_kek.epoch))
	}

	/// Step 5 in `records.redb`: the sealed bytes go, the receipts come.
	fn finish_shreds(&self, pending: &BTreeMap<RecordId, PendingShred>) -> Result<()> {
		if pending.is_empty() {
			return Ok(());
		}
		let mut write = self.records()?.begin_write().map_err(redb::Error::from)?;
		write.set_durability(Durability::Immediate).map_err(redb::Error::from)?;
		{
			let mut records = write.open_table(RECORDS).map_err(redb::Error::from)?;
			let mut pieces = write.open_table(SEALED).map_err(redb::Error::from)?;
			let mut shreds = write.open_table(SHREDS).map_err(redb::Error::from)?;
			let mut due = write.open_table(ERASE_DUE).map_err(redb::Error::from)?;
			for (id, shred) in pending {
				shreds.remove(id).map_err(redb::Error::from)?;
				due.remove(id).map_err(redb::Error::from)?;
				let Some(bytes) =
					records.get(id).map_err(redb::Error::from)?.map(|b| b.value().to_vec())
				else {
					continue;
				};
				let mut stored = decode_record(&bytes)?;
				crate::sealed::remove(&mut pieces, id, stored.sealed_len as usize)?;
				stored.content_digest = [0; 32];
				stored.erased.get_or_insert(ShredReceipt {
					record_id: *id,
					key_id: shred.key_id,
					retired_epoch: shred.epoch,
				});
				records.insert(id, stored.encode().as_slice()).map_err(redb::Error::from)?;
			}
		}
		write.commit().map_err(redb::Error::from)?;
		self.note_freed_pages();
		Ok(())
	}
}

/// At open: a rotation that did not reach its commit point is undone, and the key files of
/// retired epochs are deleted. A key file of a later epoch than the KEK's, with no rotation
/// staged, means the KEK file is older than the store: that is refused, and nothing is deleted.
pub(crate) fn recover_rotation(dir: &Path, kek_path: &Path, epoch: u64) -> Result<()> {
	let staged = kek::next_path(kek_path);
	let next_epoch = epoch.saturating_add(1);
	if staged.exists() {
		crate::scrub::shred_file(&keys_path(dir, next_epoch))?;
		crate::scrub::shred_file(&staged)?;
	}
	kek::retire_old(kek_path)?;
	let entries = match fs::read_dir(dir) {
		Ok(entries) => entries,
		Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
		Err(error) => return Err(io_error(dir, error)),
	};
	let mut retired = Vec::new();
	for entry in entries {
		let path = entry.map_err(|error| io_error(dir, error))?.path();
		let name = path.file_name().and_then(|name| name.to_str()).unwrap_or_default();
		// A key file whose creation a crash cut short (`crate::backend`) holds nothing yet.
		if name.starts_with("keys-") && name.ends_with(".redb.init") {
			retired.push(path);
			continue;
		}
		let file_epoch = name
			.strip_prefix("keys-")
			.and_then(|name| name.strip_suffix(".redb"))
			.and_then(|epoch| epoch.parse::<u64>().ok());
		match file_epoch {
			Some(found) if found > epoch => {
				return Err(StoreError::Inconsistent(format!(
					"{} is newer than the KEK file (epoch {epoch}): restore the KEK file that goes \
					 with this store",
					path.display(),
				)))
			}
			Some(found) if found < epoch => retired.push(path),
			_ => {}
		}
	}
	for path in &retired {
		crate::scrub::shred_file(path)?;
	}
	crate::scrub::sync_parent(&keys_path(dir, epoch))
}

/// Moves a data key from one epoch's KEK to the next, unless its record is being shredded.
struct Rewrap<'a> {
	from: &'a Kek,
	to: &'a Kek,
	dropped: &'a BTreeSet<RecordId>,
}

impl Rewrap<'_> {
	fn copy_into(
		&self,
		keys: &mut redb::Table<'_, [u8; 32], &'static [u8]>,
		id: &RecordId,
		wrapped: &[u8],
	) -> Result<()> {
		if self.dropped.contains(id) {
			return Ok(());
		}
		let key = DataKey::unwrap_from(wrapped, &self.from.key, self.from.epoch, id)?;
		let rewrapped = key.wrap(&self.to.key, self.to.epoch, id)?;
		keys.insert(id, rewrapped.as_slice()).map_err(redb::Error::from)?;
		Ok(())
	}
}

/// The ids of keys committed while a rotation copies, noted by `Store::submit`; noting stops
/// when the rotation ends, whether it succeeded or not.
struct LateKeys<'a>(&'a Mutex<Option<Vec<RecordId>>>);

impl<'a> LateKeys<'a> {
	fn start(late: &'a Mutex<Option<Vec<RecordId>>>) -> Result<Self> {
		*crate::lock(late)? = Some(Vec::new());
		Ok(Self(late))
	}

	fn take(&self) -> Result<Vec<RecordId>> {
		Ok(crate::lock(self.0)?.take().unwrap_or_default())
	}
}

impl Drop for LateKeys<'_> {
	fn drop(&mut self) {
		if let Ok(mut late) = self.0.lock() {
			*late = None;
		}
	}
}

/// [`Store::noted_for_shredding`], in the read transaction `read` of `records.redb`.
pub(crate) fn noted_in(read: &redb::ReadTransaction, id: &RecordId) -> Result<bool> {
	let table = read.open_table(SHREDS).map_err(redb::Error::from)?;
	Ok(table.get(id).map_err(redb::Error::from)?.is_some())
}

fn wrapped_key(db: &Database, id: &RecordId) -> Result<Option<Vec<u8>>> {
	let read = db.begin_read().map_err(redb::Error::from)?;
	let keys = read.open_table(KEYS).map_err(redb::Error::from)?;
	let wrapped = keys.get(id).map_err(redb::Error::from)?;
	Ok(wrapped.map(|bytes| bytes.value().to_vec()))
}

/// Whether any window of `bytes` is the data key of `record_id` wrapped under `kek`: the
/// forensic search an erasure must defeat, for tests and audits of a store's files.
pub fn any_window_unwraps(bytes: &[u8], kek: &Kek, record_id: &RecordId) -> bool {
	let Ok(unwrapper) = crate::crypto::Unwrapper::new(&kek.key, kek.epoch, record_id) else {
		return false;
	};
	bytes.windows(crate::crypto::WRAPPED_KEY_LEN).any(|window| unwrapper.unwrap(window).is_ok())
}

#[cfg(test)]
mod tests {
	use std::{sync::mpsc, time::Duration};

	use medchain_primitives::RecordType;

	use super::*;
	use crate::NewRecord;

	fn diagnosis(client_request_id: &str, marker: &str) -> NewRecord {
		let record_type = RecordType::Diagnosis;
		NewRecord {
			submitter: [0xa9; 32],
			client_request_id: client_request_id.into(),
			patient: [1; 32],
			record_type,
			values: record_type.fields().iter().map(|_| Some(marker.as_bytes().to_vec())).collect(),
			prescription: None,
		}
	}

	#[test]
	fn releases_and_submissions_go_on_while_a_shred_copies_the_keys() {
		let dir = tempfile::tempdir().unwrap();
		let store = Store::open(&dir.path().join("store"), &dir.path().join("kek"), 0).unwrap();
		let records: Vec<_> =
			(0..20).map(|i| diagnosis(&format!("r{i}"), &format!("m{i}"))).collect();
		let ids: Vec<_> =
			store.submit(&records).unwrap().into_iter().map(|receipt| receipt.record_id).collect();

		let mut during = None;
		let [receipt] = std::thread::scope(|scope| {
			store
				.shred_pausing(&ids[..1], || {
					let (done, finished) = mpsc::channel();
					let store = &store;
					let (shredded, kept) = (ids[0], ids[1]);
					scope.spawn(move || {
						let opened =
							store.open_record(&kept).map(|record| record.fields.values.clone());
						let erased = store.open_record(&shredded);
						let late = store.submit(&[diagnosis("late", "late")]);
						let _ = done.send((opened, erased, late));
					});
					// With the store's lock held, these would wait for the whole shred.
					during = Some(finished.recv_timeout(Duration::from_secs(20)).unwrap());
				})
				.unwrap()
				.try_into()
				.unwrap()
		});
		let (opened, erased, late) = during.unwrap();
		assert_eq!(opened.unwrap(), records[1].values);
		// Noted for shredding, the record is no longer released, before its key is gone.
		assert!(matches!(erased, Err(StoreError::Erased(id)) if id == ids[0]));
		let late_id = late.unwrap()[0].record_id;

		assert_eq!(receipt.record_id, ids[0]);
		assert_eq!(store.epoch().unwrap(), 1);
		// The key submitted during the copy was carried into the new epoch.
		assert_eq!(
			store.open_record(&late_id).unwrap().fields.values,
			diagnosis("l", "late").values
		);
		assert_eq!(store.open_record(&ids[19]).unwrap().fields.values, records[19].values);
		assert!(matches!(store.open_record(&ids[0]), Err(StoreError::Erased(_))));
		assert!(wrapped_key(&store.keys().unwrap().db, &ids[0]).unwrap().is_none());
		assert!(wrapped_key(&store.keys().unwrap().db, &late_id).unwrap().is_some());
		// A retry of the erased record answers its receipt, not a content check.
		let retry = store.submit(&records[..1]).unwrap();
		assert_eq!((retry[0].record_id, retry[0].created), (ids[0], false));
	}
}
