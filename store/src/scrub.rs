//! Removing a file so that its bytes do not stay behind in the blocks it frees: it is
//! overwritten with zeros, synced, and only then unlinked; and making such changes to a
//! directory durable ([`sync_parent`]).
//!
//! On filesystems that overwrite a file's blocks in place (ext4 and xfs with their default
//! options) nothing of the old content remains readable on the device. Copy-on-write
//! filesystems (btrfs, zfs), snapshots, and an SSD's wear levelling may keep old copies that no
//! overwrite reaches: `docs/custodian.md` ("What erasure removes") says what remains possible there.

use std::{
	fs::{self, OpenOptions},
	io::Write,
	os::unix::fs::MetadataExt,
	path::Path,
};

use crate::{io_error, Result};

/// Makes a rename or a new file in `path`'s directory durable.
pub fn sync_parent(path: &Path) -> Result<()> {
	let parent = path.parent().filter(|parent| !parent.as_os_str().is_empty());
	let parent = parent.unwrap_or(Path::new("."));
	fs::File::open(parent)
		.and_then(|dir| dir.sync_all())
		.map_err(|error| crate::StoreError::Kek(format!("{}: {error}", parent.display())))
}

/// Bytes of zeros written at a time.
const CHUNK: usize = 1 << 20;

/// Overwrites the file at `path` with zeros, syncs it, unlinks it and syncs its directory; a
/// missing file is fine.
pub fn shred_file(path: &Path) -> Result<()> {
	let mut file = match OpenOptions::new().write(true).open(path) {
		Ok(file) => file,
		Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
		Err(error) => return Err(io_error(path, error)),
	};
	let len = file.metadata().map_err(|error| io_error(path, error))?.len();
	let zeros = vec![0u8; CHUNK];
	let mut left = len;
	while left > 0 {
		let now = usize::try_from(left).map_or(CHUNK, |left| left.min(CHUNK));
		file.write_all(zeros.get(..now).unwrap_or(&zeros))
			.map_err(|error| io_error(path, error))?;
		left = left.saturating_sub(now as u64);
	}
	file.sync_all().map_err(|error| io_error(path, error))?;
	drop(file);
	fs::remove_file(path).map_err(|error| io_error(path, error))?;
	sync_parent(path)
}

/// Removes `link` if it is a second name of `path`'s file (nothing to overwrite: the file is
/// in use under `path`), or shreds it if it is a file of its own.
pub fn discard_link_or_shred(link: &Path, path: &Path) -> Result<()> {
	let inode = |path: &Path| fs::metadata(path).ok().map(|meta| (meta.dev(), meta.ino()));
	match inode(link) {
		None => Ok(()),
		Some(linked) if inode(path) == Some(linked) => {
			fs::remove_file(link).map_err(|error| io_error(link, error))?;
			sync_parent(link)
		}
		Some(_) => shred_file(link),
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_shredded_file_is_zeroed_before_it_goes() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("secret");
		fs::write(&path, vec![0x5a; 3 * CHUNK + 17]).unwrap();
		// A second name keeps the inode readable after the unlink: it shows what the blocks hold.
		let witness = dir.path().join("witness");
		fs::hard_link(&path, &witness).unwrap();
		shred_file(&path).unwrap();
		assert!(!path.exists());
		let left = fs::read(&witness).unwrap();
		assert_eq!(left.len(), 3 * CHUNK + 17);
		assert!(left.iter().all(|byte| *byte == 0));
		shred_file(&path).unwrap();
	}

	#[test]
	fn a_second_name_of_a_file_in_use_is_only_unlinked() {
		let dir = tempfile::tempdir().unwrap();
		let (path, link, other) =
			(dir.path().join("kek"), dir.path().join("kek.old"), dir.path().join("other"));
		fs::write(&path, b"current").unwrap();
		fs::hard_link(&path, &link).unwrap();
		discard_link_or_shred(&link, &path).unwrap();
		assert_eq!(fs::read(&path).unwrap(), b"current");
		assert!(!link.exists());
		fs::write(&other, b"retired").unwrap();
		fs::hard_link(&other, &link).unwrap();
		fs::remove_file(&other).unwrap();
		discard_link_or_shred(&link, &path).unwrap();
		assert!(!link.exists());
	}
}
