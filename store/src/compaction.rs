//! Compaction of `records.redb` after a shred.
//!
//! A shred deletes the record's sealed bytes, but redb only frees their pages: the ciphertext
//! stays in the file until the pages are reused. A compaction moves the live pages into the
//! freed ones and cuts the file short; the range cut off is zeroed and synced before the cut
//! (`crate::backend`), so it does not linger in the filesystem's free blocks either. The
//! ciphertext was already unreadable (its data key is gone); this takes it off the disk too.
//!
//! Freed pages that stay inside the file after the compaction are not overwritten; they hold
//! ciphertext under a destroyed key.
//!
//! redb compacts only a database no transaction is using: a compaction waits for those open,
//! holds back the store operations that start meanwhile, and runs; the node runs one in the
//! background after shreds, at most once per interval. A store opens due, so a node stopped
//! between a shred and its compaction compacts after its restart.

use std::{sync::atomic::Ordering, time::Duration};

use crate::{Result, Store, StoreError};

/// How long a compaction waits for transactions begun before it to end.
pub const WAIT_FOR_OPEN: Duration = Duration::from_secs(1);
const RETRY_EVERY: Duration = Duration::from_millis(20);

impl Store {
	/// Whether a shred freed pages of `records.redb` since its last compaction.
	pub fn compaction_due(&self) -> bool {
		self.compaction_due.load(Ordering::Acquire)
	}

	/// Compacts `records.redb`, each step a durable commit. Returns `false`, and stays due,
	/// when transactions begun before it were still open after [`WAIT_FOR_OPEN`] (a shred's
	/// copy, say): try again later.
	pub fn compact(&self) -> Result<bool> {
		let mut records = self.records.write().map_err(|_| StoreError::Poisoned)?;
		let mut waited = Duration::ZERO;
		loop {
			match records.compact() {
				Ok(_) => {
					self.compaction_due.store(false, Ordering::Release);
					return Ok(true);
				}
				Err(redb::CompactionError::TransactionInProgress) if waited < WAIT_FOR_OPEN => {
					std::thread::sleep(RETRY_EVERY);
					waited = waited.saturating_add(RETRY_EVERY);
				}
				Err(redb::CompactionError::TransactionInProgress) => return Ok(false),
				Err(error) => return Err(redb::Error::from(error).into()),
			}
		}
	}

	pub(crate) fn note_freed_pages(&self) {
		self.compaction_due.store(true, Ordering::Release);
	}
}

#[cfg(test)]
mod tests {
	use medchain_primitives::RecordType;
	use redb::ReadableDatabase;

	use crate::{schema::SEALED, NewRecord, Store, MAX_RECORD_BYTES};

	fn large(client_request_id: &str, byte: u8) -> NewRecord {
		let record_type = RecordType::Diagnosis;
		let per_field = (MAX_RECORD_BYTES / record_type.fields().len()).saturating_sub(1);
		NewRecord {
			submitter: [0xa9; 32],
			client_request_id: client_request_id.into(),
			patient: [1; 32],
			record_type,
			values: record_type.fields().iter().map(|_| Some(vec![byte; per_field])).collect(),
			prescription: None,
		}
	}

	#[test]
	fn no_sealed_byte_of_an_erased_record_is_left_in_the_file_after_a_compaction() {
		let dir = tempfile::tempdir().unwrap();
		let store_dir = dir.path().join("store");
		let store = Store::open(&store_dir, &dir.path().join("kek"), 0).unwrap();
		assert!(store.compaction_due(), "a store opens due");
		let records: Vec<_> = (0..5).map(|i| large(&format!("r{i}"), i)).collect();
		let ids: Vec<_> =
			store.submit(&records).unwrap().into_iter().map(|receipt| receipt.record_id).collect();
		let erased = [ids[1], ids[3]];
		let sealed: Vec<Vec<u8>> = erased
			.iter()
			.map(|id| {
				let stored = store.record(id).unwrap().unwrap();
				let read = store.records().unwrap().begin_read().unwrap();
				let pieces = read.open_table(SEALED).unwrap();
				crate::sealed::get(&pieces, id, stored.sealed_len as usize).unwrap().unwrap()
			})
			.collect();
		let file = store_dir.join("records.redb");
		// 16-byte samples every 4 KiB of each erased record's sealed bytes.
		let samples: std::collections::HashSet<&[u8]> =
			sealed.iter().flat_map(|sealed| sealed.chunks_exact(16).step_by(256)).collect();
		let windows_left =
			|bytes: &[u8]| bytes.windows(16).filter(|window| samples.contains(window)).count();
		assert!(windows_left(&std::fs::read(&file).unwrap()) > 0, "the scan finds them before");

		store.shred(&erased).unwrap();
		assert!(store.compact().unwrap());
		assert!(!store.compaction_due());
		assert_eq!(windows_left(&std::fs::read(&file).unwrap()), 0);
		assert_eq!(store.open_record(&ids[4]).unwrap().fields.values, records[4].values);
	}
}
