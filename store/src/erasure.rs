//! Crypto-shredding: an erased record's data key is destroyed with the KEK epoch that wrapped
//! it.
//!
//! [`Store::shred`] runs these steps, each durable before the next:
//! 1. the erasure is noted in `records.redb` (`SHREDS`), with the key's id;
//! 2. the next epoch's KEK is written to `<kek>.next` (sealed with a new binding, for a sealed
//!    KEK file);
//! 3. every surviving data key is re-wrapped under it into a new `keys-<epoch+1>.redb`, which
//!    also keeps the binding;
//! 4. `<kek>.next` is renamed over the KEK file: the old KEK is gone (the commit point), and
//!    the store switches to the new epoch;
//! 5. the old KEK file and the old key file are overwritten and deleted (`crate::scrub`), and
//!    the records lose their sealed bytes and get receipts.
//!
//! A crash before step 4 rolls back at the next open (the staged files are deleted and the
//! erasure runs again); after it, the next open finishes steps 5.

use std::{
	collections::{BTreeMap, BTreeSet},
	fs,
	path::{Path, PathBuf},
};

use codec::{Decode, Encode};
use medchain_primitives::commitment::RecordId;
use redb::{Database, Durability, ReadableDatabase, ReadableTable};

use crate::{
	crypto::DataKey,
	decode_record, io_error,
	kek::{self, Kek},
	schema::{PendingShred, ShredReceipt, ERASE_DUE, KEYS, RECORDS, SEALED, SHREDS},
	EpochKeys, Result, Store, StoreError,
};

/// The key file of KEK epoch `epoch`.
pub fn keys_path(dir: &Path, epoch: u64) -> PathBuf {
	dir.join(format!("keys-{epoch}.redb"))
}

impl Store {
	/// Destroys the data keys of `record_ids` and returns a receipt for each. Already erased
	/// records get their earlier receipt.
	pub fn shred(&self, record_ids: &[RecordId]) -> Result<Vec<ShredReceipt>> {
		let mut epoch_keys = self.lock()?;
		self.note_shreds(&epoch_keys, record_ids)?;
		let pending = self.pending_shred_map()?;
		let targets: BTreeSet<RecordId> = pending.keys().copied().collect();
		if self.any_key_present(&epoch_keys, &targets)? {
			self.rotate(&mut epoch_keys, &targets)?;
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

	pub(crate) fn pending_shreds(&self) -> Result<Vec<RecordId>> {
		Ok(self.pending_shred_map()?.into_keys().collect())
	}

	fn pending_shred_map(&self) -> Result<BTreeMap<RecordId, PendingShred>> {
		let read = self.records.begin_read().map_err(redb::Error::from)?;
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

	/// Step 1: what to shred, with each data key's id, made durable.
	fn note_shreds(&self, epoch_keys: &EpochKeys, record_ids: &[RecordId]) -> Result<()> {
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
		let mut write = self.records.begin_write().map_err(redb::Error::from)?;
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

	fn any_key_present(
		&self,
		epoch_keys: &EpochKeys,
		targets: &BTreeSet<RecordId>,
	) -> Result<bool> {
		for id in targets {
			if wrapped_key(&epoch_keys.db, id)?.is_some() {
				return Ok(true);
			}
		}
		Ok(false)
	}

	/// Steps 2–5 of the rotation: a new epoch without the keys of `dropped`.
	fn rotate(&self, epoch_keys: &mut EpochKeys, dropped: &BTreeSet<RecordId>) -> Result<()> {
		let old_epoch = epoch_keys.kek.epoch;
		let new_epoch =
			old_epoch.checked_add(1).ok_or_else(|| StoreError::Kek("epoch overflow".into()))?;
		let next_kek = Kek::generate(new_epoch);
		let staged = kek::next_path(&self.kek_file.path);
		crate::scrub::shred_file(&staged)?;
		let binding = self.kek_file.is_sealed().then(kek::new_binding);
		self.kek_file.write_new(&next_kek, &staged, binding.as_ref())?;

		let new_path = keys_path(&self.dir, new_epoch);
		crate::scrub::shred_file(&new_path)?;
		let new_db = crate::backend::create(&new_path)?;
		let records_read = self.records.begin_read().map_err(redb::Error::from)?;
		let records = records_read.open_table(RECORDS).map_err(redb::Error::from)?;
		let old_read = epoch_keys.db.begin_read().map_err(redb::Error::from)?;
		let old_keys = old_read.open_table(KEYS).map_err(redb::Error::from)?;
		let mut write = new_db.begin_write().map_err(redb::Error::from)?;
		write.set_durability(Durability::Immediate).map_err(redb::Error::from)?;
		crate::key_check::write(&write, &next_kek)?;
		if let Some(binding) = &binding {
			crate::key_check::write_binding(&write, binding)?;
		}
		{
			let mut new_keys = write.open_table(KEYS).map_err(redb::Error::from)?;
			for entry in old_keys.iter().map_err(redb::Error::from)? {
				let (id, wrapped) = entry.map_err(redb::Error::from)?;
				let id = id.value();
				// Keys of records that never got stored (a crash between the two commits of a
				// submission) are dropped too.
				if dropped.contains(&id) || records.get(id).map_err(redb::Error::from)?.is_none() {
					continue;
				}
				let key =
					DataKey::unwrap_from(wrapped.value(), &epoch_keys.kek.key, old_epoch, &id)?;
				let rewrapped = key.wrap(&next_kek.key, new_epoch, &id)?;
				new_keys.insert(id, rewrapped.as_slice()).map_err(redb::Error::from)?;
			}
		}
		write.commit().map_err(redb::Error::from)?;
		drop((old_keys, old_read, records, records_read));
		kek::sync_parent(&new_path)?;

		kek::rename_next(&self.kek_file.path)?;
		// The old KEK is gone: switch before anything else can fail.
		let old_db = std::mem::replace(&mut epoch_keys.db, new_db);
		epoch_keys.kek = next_kek;
		drop(old_db);
		kek::sync_parent(&self.kek_file.path)?;
		kek::retire_old(&self.kek_file.path)?;
		crate::scrub::shred_file(&keys_path(&self.dir, old_epoch))
	}

	/// Step 5 in `records.redb`: the sealed bytes go, the receipts come.
	fn finish_shreds(&self, pending: &BTreeMap<RecordId, PendingShred>) -> Result<()> {
		if pending.is_empty() {
			return Ok(());
		}
		let mut write = self.records.begin_write().map_err(redb::Error::from)?;
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
	kek::sync_parent(&keys_path(dir, epoch))
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
