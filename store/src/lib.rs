//! # medchain record store
//!
//! A hospital node's custody of its records, testable without a node:
//!
//! - every record is sealed with AES-256-GCM under its own random data key; the field values
//!   and their commitment salts are sealed together ([`records`]), and kept in pieces sized to
//!   the database's pages (`sealed`) in files that grow preallocated (`backend`);
//! - data keys are wrapped under the epoch key-encryption key, read from a file only the node's
//!   user may read ([`kek`]);
//! - a submission stores the record and enters it in the anchoring outbox in durable commits;
//!   a retry with the same client request id returns the same record ([`records`], [`outbox`]);
//! - erasure destroys the data key: the surviving keys are re-wrapped under a new epoch KEK in a
//!   new key file, and the old key file and KEK are overwritten and deleted ([`erasure`]); a
//!   compaction then rewrites `records.redb` without the freed pages (`compaction`);
//! - each release of a record's fields is claimed durably before it goes out, and waits for its
//!   on-chain receipt ([`releases`]).
//!
//! The database is redb: every write transaction commits with `Durability::Immediate`, so an
//! acknowledged submission survives a crash; a commit is all or nothing (checksummed
//! copy-on-write pages, a commit slot flipped after fsync).
//!
//! Plaintext exists only in memory, in buffers that are zeroed when dropped.

#![deny(missing_docs)]

mod backend;
pub mod chain_state;
mod compaction;
mod crypto;
pub mod disk_space;
pub mod erasure;
pub mod kek;
mod key_check;
pub mod outbox;
pub mod records;
pub mod refusals;
pub mod releases;
pub mod schema;
mod scrub;
mod sealed;

use std::{
	fs,
	path::{Path, PathBuf},
	sync::{atomic::AtomicBool, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard},
};

use medchain_primitives::{commitment::RecordId, HospitalId};
use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata};

pub use records::{
	NewRecord, OpenedRecord, StoredReceipt, DEFAULT_OUTBOX_LIMIT, MAX_BULK_RECORDS,
	MAX_RECORD_BYTES,
};
pub use schema::{AnchorState, ShredReceipt, StoredRecord};

use kek::{Kek, KekFile};
use schema::{
	CUSTODIAN, ERASE_DUE, META, OUTBOX, PRESCRIPTIONS, RECORDS, RELEASES, REQUEST_SECRET, SEALED,
	SHREDS,
};

/// Why the store refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
	/// The KEK file is missing, unreadable, malformed or readable by others.
	#[error("key-encryption key: {0}")]
	Kek(String),
	/// The database failed (I/O, corruption).
	#[error("database: {0}")]
	Database(#[from] redb::Error),
	/// A file of the store could not be read or written.
	#[error("store file {path}: {error}")]
	Io {
		/// The file.
		path: PathBuf,
		/// What went wrong.
		error: std::io::Error,
	},
	/// The store's files do not fit together (e.g. a KEK from another epoch).
	#[error("store is inconsistent: {0}")]
	Inconsistent(String),
	/// Encrypting failed.
	#[error("encryption failed")]
	Encryption,
	/// A record or key did not decrypt: wrong key, or tampered bytes.
	#[error("decryption failed: wrong key or tampered record")]
	Decryption,
	/// The record is larger than [`MAX_RECORD_BYTES`].
	#[error("record {index} is {size} bytes; the most is {max}")]
	RecordTooLarge {
		/// The record's position in the submission.
		index: usize,
		/// Its size: the sum of its field values' lengths.
		size: usize,
		/// [`MAX_RECORD_BYTES`].
		max: usize,
	},
	/// More records in one submission than [`MAX_BULK_RECORDS`].
	#[error("{count} records in one submission; the most is {max}")]
	TooManyRecords {
		/// How many were sent.
		count: usize,
		/// [`MAX_BULK_RECORDS`].
		max: usize,
	},
	/// The record's values do not match its type's field count.
	#[error("record {index} has {values} values; its type has {expected} fields")]
	WrongFieldCount {
		/// The record's position in the submission.
		index: usize,
		/// How many values were given.
		values: usize,
		/// The type's field count.
		expected: u32,
	},
	/// A prescription came without its terms (refills, expiry).
	#[error("record {index} is a prescription and needs its terms (refills)")]
	MissingPrescriptionTerms {
		/// The record's position in the submission.
		index: usize,
	},
	/// A record that is not a prescription came with prescription terms.
	#[error("record {index} is not a prescription; only prescriptions have refills and expiry")]
	UnexpectedPrescriptionTerms {
		/// The record's position in the submission.
		index: usize,
	},
	/// The client request id was used before for a different record.
	#[error("client request id {0:?} was used for a different record")]
	RequestIdConflict(String),
	/// No record has this id.
	#[error("no record {}", hex::encode(.0))]
	NotFound(RecordId),
	/// The record was erased: its data key is gone.
	#[error("record {} is erased", hex::encode(.0))]
	Erased(RecordId),
	/// A thread panicked while holding the store's lock.
	#[error("the store's lock is poisoned")]
	Poisoned,
	/// The store's file system is too full for the write (`disk_space`).
	#[error("the store's disk has {free} bytes free; the write needs {needed} and {reserve} must stay free")]
	DiskFull {
		/// Bytes free on the store's file system.
		free: u64,
		/// What the write may take.
		needed: u64,
		/// What must stay free: the store's reserve ([`disk_space::Space::reserve`]) and its
		/// shared reserve ([`Store::with_shared_reserve`]).
		reserve: u64,
	},
	/// So many records wait to be anchored that the submission would pass the outbox's limit
	/// ([`Store::with_outbox_limit`]).
	#[error(
		"{waiting} records wait to be anchored; {adding} more would pass the limit of {limit}"
	)]
	OutboxFull {
		/// Records in the outbox.
		waiting: u64,
		/// The submission's new records.
		adding: usize,
		/// The most the outbox may hold.
		limit: u64,
	},
}

/// Shorthand for the store's results.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A hospital node's record store under one directory.
pub struct Store {
	dir: PathBuf,
	kek_file: KekFile,
	custodian: HospitalId,
	request_secret: [u8; 32],
	/// Written only by a compaction: redb needs the database to itself then.
	records: RwLock<Database>,
	/// A shred freed pages of `records.redb` since its last compaction.
	compaction_due: AtomicBool,
	/// Read by releases and submissions; written only at a rotation's switch of epochs.
	keys: RwLock<EpochKeys>,
	/// Held by a submission from its look for an earlier copy to its commit.
	submitting: Mutex<()>,
	/// Held by a shred from start to end: shreds run one at a time.
	shredding: Mutex<()>,
	/// While a rotation copies the keys, the ids of keys committed to the old epoch meanwhile.
	late_keys: Mutex<Option<Vec<RecordId>>>,
	/// Free space kept for another user of the store's file system ([`Store::with_shared_reserve`]).
	shared_reserve: u64,
	/// The most records the outbox may hold ([`Store::with_outbox_limit`]).
	outbox_limit: u64,
}

/// The current epoch: its KEK and its key file.
pub(crate) struct EpochKeys {
	pub(crate) kek: Kek,
	pub(crate) db: Database,
}

impl Store {
	/// Opens (or creates) the store in `dir` for hospital `custodian`, with the KEK file at
	/// `kek_path`.
	///
	/// A new store creates a KEK file at `kek_path` if there is none. An existing store needs
	/// its KEK file: without it the records can't be read, and it is never replaced. An erasure
	/// or a rotation cut short by a crash is finished (or rolled back) here.
	pub fn open(dir: &Path, kek_path: &Path, custodian: HospitalId) -> Result<Self> {
		Self::open_with(dir, KekFile::plain(kek_path), custodian)
	}

	/// The bytes of the store's files on disk (the databases, with their preallocated room).
	pub fn disk_bytes(&self) -> Result<u64> {
		let entries = fs::read_dir(&self.dir).map_err(|error| io_error(&self.dir, error))?;
		let mut total = 0u64;
		for entry in entries {
			let entry = entry.map_err(|error| io_error(&self.dir, error))?;
			let metadata = entry.metadata().map_err(|error| io_error(&entry.path(), error))?;
			if metadata.is_file() {
				total = total.saturating_add(metadata.len());
			}
		}
		Ok(total)
	}

	/// Keeps `bytes` free on the store's file system besides its own reserve, for another user of
	/// it: the chain database, which stops the node when its disk runs low. A submission that
	/// would eat into them is refused with [`StoreError::DiskFull`].
	pub fn with_shared_reserve(mut self, bytes: u64) -> Self {
		self.shared_reserve = bytes;
		self
	}

	/// Refuses a submission that would leave more than `records` records waiting to be
	/// anchored ([`StoreError::OutboxFull`]): a store never runs further ahead of the chain.
	/// Retries of stored records are answered as before. Below [`MAX_BULK_RECORDS`], a large
	/// submission is refused even by an empty outbox.
	pub fn with_outbox_limit(mut self, records: u64) -> Self {
		self.outbox_limit = records;
		self
	}

	/// [`Store::open`] with the KEK file `kek` (sealed under a root key, if it has one).
	pub fn open_with(dir: &Path, kek_file: KekFile, custodian: HospitalId) -> Result<Self> {
		let kek_path = kek_file.path.as_path();
		create_private_dir(dir)?;
		let records_path = dir.join("records.redb");
		let is_new = !records_path.exists();
		if !kek_path.exists() && is_new {
			// The first epoch's key file comes first: a sealed KEK is sealed with its binding.
			let keys = backend::create(&erasure::keys_path(dir, 0))?;
			let binding = kek_file.is_sealed().then(|| key_check::binding(&keys)).transpose()?;
			kek_file.write_new(&Kek::generate(0), kek_path, binding.as_ref())?;
		}
		let epoch = kek::epoch_of(kek_path)?;
		erasure::recover_rotation(dir, kek_path, epoch)?;

		let records = backend::create(&records_path)?;
		let request_secret = init_meta(&records, custodian)?;
		let keys_path = erasure::keys_path(dir, epoch);
		if !keys_path.exists() && !is_new && record_count(&records)? > 0 {
			return Err(StoreError::Inconsistent(format!(
				"the KEK file is for epoch {epoch}, but {} is missing: restore the KEK file that was \
				 backed up with this store",
				keys_path.display()
			)));
		}
		let keys = backend::create(&keys_path)?;
		let binding = kek_file.is_sealed().then(|| key_check::binding(&keys)).transpose()?;
		let kek = kek_file.read(binding.as_ref())?;
		key_check::verify_or_write(&keys, &kek)?;

		let store = Self {
			dir: dir.to_owned(),
			kek_file,
			custodian,
			request_secret,
			records: RwLock::new(records),
			// A shred before a stop may not have been compacted yet.
			compaction_due: AtomicBool::new(true),
			keys: RwLock::new(EpochKeys { kek, db: keys }),
			submitting: Mutex::new(()),
			shredding: Mutex::new(()),
			late_keys: Mutex::new(None),
			shared_reserve: 0,
			outbox_limit: DEFAULT_OUTBOX_LIMIT,
		};
		let pending = store.pending_shreds()?;
		if !pending.is_empty() {
			store.shred(&pending)?;
		}
		Ok(store)
	}

	/// The hospital whose records these are.
	pub fn custodian(&self) -> HospitalId {
		self.custodian
	}

	/// The current KEK epoch.
	pub fn epoch(&self) -> Result<u64> {
		Ok(self.keys()?.kek.epoch)
	}

	/// Everything known about record `record_id` except its plaintext.
	pub fn record(&self, record_id: &RecordId) -> Result<Option<StoredRecord>> {
		let read = self.records()?.begin_read().map_err(redb::Error::from)?;
		let table = read.open_table(RECORDS).map_err(redb::Error::from)?;
		let stored = table.get(record_id).map_err(redb::Error::from)?;
		stored.map(|bytes| decode_record(bytes.value())).transpose()
	}

	pub(crate) fn records(&self) -> Result<RwLockReadGuard<'_, Database>> {
		self.records.read().map_err(|_| StoreError::Poisoned)
	}

	pub(crate) fn keys(&self) -> Result<RwLockReadGuard<'_, EpochKeys>> {
		self.keys.read().map_err(|_| StoreError::Poisoned)
	}

	pub(crate) fn keys_mut(&self) -> Result<RwLockWriteGuard<'_, EpochKeys>> {
		self.keys.write().map_err(|_| StoreError::Poisoned)
	}
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> Result<MutexGuard<'_, T>> {
	mutex.lock().map_err(|_| StoreError::Poisoned)
}

fn init_meta(records: &Database, custodian: HospitalId) -> Result<[u8; 32]> {
	let write = records.begin_write().map_err(redb::Error::from)?;
	let secret = {
		let mut meta = write.open_table(META).map_err(redb::Error::from)?;
		write.open_table(RECORDS).map_err(redb::Error::from)?;
		write.open_table(SEALED).map_err(redb::Error::from)?;
		write.open_table(OUTBOX).map_err(redb::Error::from)?;
		write.open_table(SHREDS).map_err(redb::Error::from)?;
		write.open_table(ERASE_DUE).map_err(redb::Error::from)?;
		write.open_table(RELEASES).map_err(redb::Error::from)?;
		write.open_table(PRESCRIPTIONS).map_err(redb::Error::from)?;
		let stored = meta.get(CUSTODIAN).map_err(redb::Error::from)?.map(|v| v.value().to_vec());
		match stored {
			Some(bytes) if bytes != custodian.to_le_bytes() => {
				return Err(StoreError::Inconsistent(format!(
					"this store belongs to hospital {:?}, not {custodian}",
					bytes
				)))
			}
			Some(_) => {}
			None => {
				meta.insert(CUSTODIAN, custodian.to_le_bytes().as_slice())
					.map_err(redb::Error::from)?;
			}
		}
		let existing = meta.get(REQUEST_SECRET).map_err(redb::Error::from)?;
		match existing.map(|v| <[u8; 32]>::try_from(v.value())) {
			Some(Ok(secret)) => secret,
			Some(Err(_)) => return Err(StoreError::Inconsistent("bad request secret".into())),
			None => {
				let mut secret = [0u8; 32];
				rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut secret);
				meta.insert(REQUEST_SECRET, secret.as_slice()).map_err(redb::Error::from)?;
				secret
			}
		}
	};
	write.commit().map_err(redb::Error::from)?;
	Ok(secret)
}

fn record_count(records: &Database) -> Result<u64> {
	let read = records.begin_read().map_err(redb::Error::from)?;
	let table = read.open_table(RECORDS).map_err(redb::Error::from)?;
	Ok(table.len().map_err(redb::Error::from)?)
}

pub(crate) fn decode_record(bytes: &[u8]) -> Result<StoredRecord> {
	codec::Decode::decode(&mut &bytes[..]).map_err(|error| {
		StoreError::Inconsistent(format!("a stored record does not decode: {error}"))
	})
}

/// Creates `dir` (and its missing parents) and makes it mode 0700, whatever the umask.
fn create_private_dir(dir: &Path) -> Result<()> {
	use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
	fs::DirBuilder::new()
		.recursive(true)
		.mode(0o700)
		.create(dir)
		.map_err(|error| io_error(dir, error))?;
	fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
		.map_err(|error| io_error(dir, error))
}

pub(crate) fn io_error(path: &Path, error: std::io::Error) -> StoreError {
	StoreError::Io { path: path.to_owned(), error }
}
