//! Room on the store's file system. A submission is refused while it would leave less than the
//! reserve free ([`RESERVE_BYTES`], or an eighth of a smaller file system), so the databases
//! never meet a full disk: redb fails every later operation on a database after one I/O error,
//! until the node restarts. The reserve leaves room for the writes that follow acknowledged
//! records (outbox states, releases, receipts). A file system shared with the chain database
//! adds the space at which the node stops ([`Store::with_shared_reserve`]), so records are
//! refused before the node stops validating.
//!
//! [`Store::with_shared_reserve`]: crate::Store::with_shared_reserve

use std::{ffi::CString, os::unix::ffi::OsStrExt, path::Path};

use crate::{Result, StoreError};

/// The free space a submission must leave on a store's file system of 512 MiB or more.
pub const RESERVE_BYTES: u64 = 64 << 20;
/// What one record adds to the databases beyond its sealed bytes: its key, its entry, its
/// outbox entry and the copy-on-write pages of a commit, generously.
const OVERHEAD_PER_RECORD: u64 = 16 << 10;

/// The space of a file system, in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Space {
	/// Free for an unprivileged writer.
	pub free: u64,
	/// In all.
	pub total: u64,
}

impl Space {
	/// What a write must leave free: [`RESERVE_BYTES`], or an eighth of a smaller file system.
	pub fn reserve(self) -> u64 {
		RESERVE_BYTES.min(self.total / 8)
	}
}

/// Whether `a` and `b` (or the nearest existing directory above each) are on one file system.
pub fn same_file_system(a: &Path, b: &Path) -> Result<bool> {
	use std::os::unix::fs::MetadataExt;
	let device = |path: &Path| {
		let existing = path.ancestors().find(|dir| dir.exists()).unwrap_or(path);
		std::fs::metadata(existing)
			.map(|metadata| metadata.dev())
			.map_err(|error| crate::io_error(existing, error))
	};
	Ok(device(a)? == device(b)?)
}

/// The space of the file system holding `dir`.
pub fn space(dir: &Path) -> Result<Space> {
	let path = CString::new(dir.as_os_str().as_bytes())
		.map_err(|_| StoreError::Inconsistent("a store path with a NUL byte".into()))?;
	let mut stats = std::mem::MaybeUninit::<libc::statvfs>::zeroed();
	// SAFETY: `statvfs` reads the NUL-terminated path and fills `stats`.
	if unsafe { libc::statvfs(path.as_ptr(), stats.as_mut_ptr()) } != 0 {
		return Err(crate::io_error(dir, std::io::Error::last_os_error()));
	}
	// SAFETY: zeroed (valid for this plain C struct), then filled by `statvfs`.
	let stats = unsafe { stats.assume_init() };
	Ok(Space {
		free: stats.f_bavail.saturating_mul(stats.f_frsize),
		total: stats.f_blocks.saturating_mul(stats.f_frsize),
	})
}

/// What a submission of `records` fresh records with `sealed_bytes` in all may take on disk:
/// twice their bytes (a copy-on-write commit) and an allowance per record.
pub(crate) fn needed_for(records: usize, sealed_bytes: usize) -> u64 {
	let records = u64::try_from(records).unwrap_or(u64::MAX);
	let sealed = u64::try_from(sealed_bytes).unwrap_or(u64::MAX);
	sealed.saturating_mul(2).saturating_add(records.saturating_mul(OVERHEAD_PER_RECORD))
}

/// Refuses a write of `needed` bytes that would leave less than `space`'s reserve and
/// `shared_reserve` free.
pub(crate) fn check_room(space: Space, shared_reserve: u64, needed: u64) -> Result<()> {
	let reserve = space.reserve().saturating_add(shared_reserve);
	if space.free.saturating_sub(needed) < reserve {
		return Err(StoreError::DiskFull { free: space.free, needed, reserve });
	}
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_write_must_leave_the_reserve_free() {
		let large = |free| Space { free, total: 1 << 40 };
		assert!(check_room(large(RESERVE_BYTES + 1_000), 0, 1_000).is_ok());
		let refused = check_room(large(RESERVE_BYTES + 999), 0, 1_000).unwrap_err();
		assert!(matches!(
			refused,
			StoreError::DiskFull { free, needed: 1_000, reserve: RESERVE_BYTES }
				if free == RESERVE_BYTES + 999
		));
		assert!(matches!(check_room(large(0), 0, 0), Err(StoreError::DiskFull { free: 0, .. })));
	}

	#[test]
	fn a_small_file_system_keeps_an_eighth_free() {
		let small = |free| Space { free, total: 32 << 20 };
		assert_eq!(small(0).reserve(), 4 << 20);
		assert!(check_room(small(5 << 20), 0, 1 << 20).is_ok());
		assert!(matches!(
			check_room(small(5 << 20), 0, (1 << 20) + 1),
			Err(StoreError::DiskFull { reserve, .. }) if reserve == 4 << 20
		));
	}

	#[test]
	fn a_shared_reserve_adds_to_the_own_one() {
		let large = |free| Space { free, total: 1 << 40 };
		let shared = 1 << 30;
		assert!(check_room(large(RESERVE_BYTES + shared + 1_000), shared, 1_000).is_ok());
		assert!(matches!(
			check_room(large(RESERVE_BYTES + shared), shared, 1_000),
			Err(StoreError::DiskFull { reserve, .. }) if reserve == RESERVE_BYTES + shared
		));
	}

	#[test]
	fn one_file_system_is_told_from_another() {
		let dir = tempfile::tempdir().unwrap();
		let not_yet_made = dir.path().join("store/records");
		assert!(same_file_system(dir.path(), &not_yet_made).unwrap());
		// procfs is never the file system of a temporary directory.
		assert!(!same_file_system(dir.path(), Path::new("/proc/self")).unwrap());
	}

	#[test]
	fn a_submission_needs_twice_its_bytes_and_an_allowance_per_record() {
		assert_eq!(needed_for(0, 0), 0);
		assert_eq!(needed_for(2, 1_000), 2_000 + 2 * OVERHEAD_PER_RECORD);
		assert_eq!(needed_for(usize::MAX, usize::MAX), u64::MAX);
	}

	#[test]
	fn the_space_of_a_real_directory_is_read() {
		let dir = tempfile::tempdir().unwrap();
		let space = space(dir.path()).unwrap();
		assert!(space.total > 0 && space.free <= space.total, "{space:?}");
		let missing = dir.path().join("missing");
		assert!(matches!(super::space(&missing), Err(StoreError::Io { .. })));
	}
}
