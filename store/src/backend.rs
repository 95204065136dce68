//! The store's redb files: redb's file backend, except that growth is allocated on disk at once.
//!
//! redb grows its file with `set_len`, which leaves the new range sparse: every commit that
//! writes there then allocates blocks, and its fsync waits for that metadata too, which on
//! ext4 halves the throughput of large records. Here the new range is `fallocate`d as it is
//! added; reads of it still return zeros, as redb requires. A range the file gives up (a
//! compaction) is zeroed first.

use std::{
	fs::{File, OpenOptions},
	io,
	ops::Bound,
	os::fd::AsRawFd,
	path::Path,
};

use redb::{backends::FileBackend, BackendError, Database, StorageBackend};

use crate::Result;

/// redb's page cache per database file (its default is 1 GiB each). Records are written once
/// and read rarely, so a small cache costs little, and it bounds what a node holds in memory
/// for its three files.
const CACHE_BYTES: usize = 64 << 20;
/// How much of a truncated range is zeroed per write.
const ZERO_CHUNK: usize = 1 << 20;

/// Opens the redb database at `path` on a preallocating file backend, creating it if there is
/// none.
///
/// redb writes its magic number last, so a crash while it initializes a file leaves one it then
/// refuses to open. A new database is therefore initialized under a temporary name
/// (`<name>.init`) and linked into place whole; linking never replaces an existing file.
pub fn create(path: &Path) -> Result<Database> {
	let mut name = path.as_os_str().to_owned();
	name.push(".init");
	let fresh = std::path::PathBuf::from(name);
	// Left by a crash: before the link (a half-made file), or after it (a second name).
	match std::fs::remove_file(&fresh) {
		Ok(()) => {}
		Err(error) if error.kind() == io::ErrorKind::NotFound => {}
		Err(error) => return Err(crate::io_error(&fresh, error)),
	}
	if !path.try_exists().map_err(|error| crate::io_error(path, error))? {
		initialize(path, &fresh)?;
	}
	open(path)
}

fn initialize(path: &Path, fresh: &Path) -> Result<()> {
	drop(open(fresh)?);
	std::fs::hard_link(fresh, path).map_err(|error| crate::io_error(path, error))?;
	std::fs::remove_file(fresh).map_err(|error| crate::io_error(fresh, error))?;
	crate::scrub::sync_parent(path)
}

fn open(path: &Path) -> Result<Database> {
	use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
	// Mode 0600 whatever the umask: a file made by an older version is tightened too.
	let file = OpenOptions::new()
		.read(true)
		.write(true)
		.create(true)
		.truncate(false)
		.mode(0o600)
		.open(path);
	let file = file.map_err(|error| crate::io_error(path, error))?;
	file.set_permissions(std::fs::Permissions::from_mode(0o600))
		.map_err(|error| crate::io_error(path, error))?;
	let allocator = file.try_clone().map_err(|error| crate::io_error(path, error))?;
	let inner = FileBackend::new(file).map_err(redb::Error::from)?;
	let backend = PreallocatedFile { inner, allocator };
	let database = Database::builder()
		.set_cache_size(CACHE_BYTES)
		.create_with_backend(backend)
		.map_err(redb::Error::from)?;
	Ok(database)
}

#[derive(Debug)]
struct PreallocatedFile {
	inner: FileBackend,
	/// The same open file, for `fallocate`.
	allocator: File,
}

impl PreallocatedFile {
	fn allocate(&self, from: u64, to: u64) -> io::Result<()> {
		let (Ok(offset), Ok(len)) = (i64::try_from(from), i64::try_from(to.saturating_sub(from)))
		else {
			return Err(io::Error::from(io::ErrorKind::InvalidInput));
		};
		// SAFETY: `fallocate` takes no pointers; the descriptor stays open as long as `self`.
		let done = unsafe { libc::fallocate(self.allocator.as_raw_fd(), 0, offset, len) };
		if done == 0 {
			return Ok(());
		}
		let error = io::Error::last_os_error();
		// A filesystem without fallocate keeps the sparse growth.
		match error.raw_os_error() {
			Some(libc::EOPNOTSUPP) => Ok(()),
			_ => Err(error),
		}
	}
}

impl PreallocatedFile {
	/// Overwrites `from..to` with zeros and syncs them: a truncation drops unwritten pages.
	fn zero(&self, from: u64, to: u64) -> io::Result<()> {
		let zeros = vec![0u8; ZERO_CHUNK];
		let mut offset = from;
		while offset < to {
			let len =
				usize::try_from(to.saturating_sub(offset)).unwrap_or(ZERO_CHUNK).min(ZERO_CHUNK);
			self.inner.write(offset, zeros.get(..len).unwrap_or_default())?;
			offset = offset.saturating_add(len as u64);
		}
		self.inner.sync_data()
	}
}

impl StorageBackend for PreallocatedFile {
	fn len(&self) -> io::Result<u64> {
		self.inner.len()
	}

	fn read(&self, offset: u64, out: &mut [u8]) -> io::Result<()> {
		self.inner.read(offset, out)
	}

	fn set_len(&self, len: u64) -> io::Result<()> {
		let old = self.inner.len()?;
		if len < old {
			// Freed pages may hold sealed bytes: zero them on disk before the file lets go.
			self.zero(len, old)?;
		}
		self.inner.set_len(len)?;
		if len > old {
			self.allocate(old, len)?;
		}
		Ok(())
	}

	fn sync_data(&self) -> io::Result<()> {
		self.inner.sync_data()
	}

	fn write(&self, offset: u64, data: &[u8]) -> io::Result<()> {
		self.inner.write(offset, data)
	}

	fn close(&self) -> io::Result<()> {
		self.inner.close()
	}

	fn try_lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<bool, BackendError> {
		self.inner.try_lock_range(start, end)
	}

	fn try_lock_shared_range(
		&self,
		start: Bound<u64>,
		end: Bound<u64>,
	) -> Result<bool, BackendError> {
		self.inner.try_lock_shared_range(start, end)
	}

	fn lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
		self.inner.lock_range(start, end)
	}

	fn lock_shared_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
		self.inner.lock_shared_range(start, end)
	}

	fn unlock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<(), BackendError> {
		self.inner.unlock_range(start, end)
	}

	fn query_lock_range(&self, start: Bound<u64>, end: Bound<u64>) -> Result<bool, BackendError> {
		self.inner.query_lock_range(start, end)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn an_initialization_cut_short_is_started_again() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("records.redb");
		// What a crash during redb's initialization leaves: a file with no magic number yet.
		std::fs::write(dir.path().join("records.redb.init"), vec![0u8; 8192]).unwrap();

		let database = create(&path).unwrap();
		database.begin_write().unwrap().commit().unwrap();
		drop(database);

		assert!(!dir.path().join("records.redb.init").exists());
		// A crash after the link leaves a second name of the real file: it goes, the file stays.
		std::fs::hard_link(&path, dir.path().join("records.redb.init")).unwrap();
		let reopened = create(&path).unwrap();
		assert!(!dir.path().join("records.redb.init").exists());
		assert!(redb::ReadableDatabase::begin_read(&reopened).is_ok());
	}
}
