//! The key-encryption key (KEK): one random AES-256 key per epoch, in a file only the node's
//! user may read.
//!
//! The file is one line, `medchain-kek v1 <epoch> <64 hex digits>`. Rotation writes the next
//! epoch to `<file>.next`, and renaming it over the file is the moment the old epoch's key is
//! gone ([`crate::Store::shred`]).

use std::{
	fs::{self, File, OpenOptions},
	io::Write,
	os::unix::fs::{OpenOptionsExt, PermissionsExt},
	path::{Path, PathBuf},
};

use rand::RngCore;
use zeroize::Zeroizing;

use crate::StoreError;

const HEADER: &str = "medchain-kek v1";

/// A key-encryption key and its epoch.
pub struct Kek {
	/// Starts at 0 and grows by one with each rotation.
	pub epoch: u64,
	pub(crate) key: Zeroizing<[u8; 32]>,
}

impl Kek {
	/// Reads the KEK file at `path`; refuses it if anyone but its owner may read or write it.
	pub fn read(path: &Path) -> Result<Self, StoreError> {
		let io = |error| StoreError::Kek(format!("{}: {error}", path.display()));
		let mode = fs::metadata(path).map_err(io)?.permissions().mode();
		if mode & 0o077 != 0 {
			return Err(StoreError::Kek(format!(
				"{} has mode {:o}: a KEK file must be readable by its owner only (chmod 600)",
				path.display(),
				mode & 0o777
			)));
		}
		let text = Zeroizing::new(fs::read_to_string(path).map_err(io)?);
		Self::parse(&text).ok_or_else(|| {
			StoreError::Kek(format!("{} is not a medchain KEK file", path.display()))
		})
	}

	fn parse(text: &str) -> Option<Self> {
		let rest = text.trim_end().strip_prefix(HEADER)?;
		let mut words = rest.split_whitespace();
		let epoch = words.next()?.parse().ok()?;
		let mut key = Zeroizing::new([0u8; 32]);
		hex::decode_to_slice(words.next()?, key.as_mut_slice()).ok()?;
		words.next().is_none().then_some(Self { epoch, key })
	}

	/// A fresh random key for `epoch`.
	pub fn generate(epoch: u64) -> Self {
		let mut key = Zeroizing::new([0u8; 32]);
		rand::rngs::OsRng.fill_bytes(key.as_mut_slice());
		Self { epoch, key }
	}

	/// Writes this key to a new file at `path` (mode 0600) and makes it durable.
	pub fn write_new(&self, path: &Path) -> Result<(), StoreError> {
		let io = |error| StoreError::Kek(format!("{}: {error}", path.display()));
		let mut file =
			OpenOptions::new().write(true).create_new(true).mode(0o600).open(path).map_err(io)?;
		let line = Zeroizing::new(format!(
			"{HEADER} {} {}\n",
			self.epoch,
			hex::encode(self.key.as_slice())
		));
		file.write_all(line.as_bytes()).map_err(io)?;
		file.sync_all().map_err(io)?;
		sync_parent(path)
	}
}

/// Where rotation stages the next epoch's key.
pub fn next_path(path: &Path) -> PathBuf {
	let mut name = path.as_os_str().to_owned();
	name.push(".next");
	PathBuf::from(name)
}

/// Replaces the KEK file with the staged next epoch: from here on the old key is gone.
pub fn commit_next(path: &Path) -> Result<(), StoreError> {
	let io = |error| StoreError::Kek(format!("{}: {error}", path.display()));
	fs::rename(next_path(path), path).map_err(io)?;
	sync_parent(path)
}

/// Makes a rename or a new file in `path`'s directory durable.
pub fn sync_parent(path: &Path) -> Result<(), StoreError> {
	let parent = path.parent().filter(|parent| !parent.as_os_str().is_empty());
	let parent = parent.unwrap_or(Path::new("."));
	File::open(parent)
		.and_then(|dir| dir.sync_all())
		.map_err(|error| StoreError::Kek(format!("{}: {error}", parent.display())))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_written_key_reads_back() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("kek");
		let kek = Kek::generate(7);
		kek.write_new(&path).unwrap();
		let read = Kek::read(&path).unwrap();
		assert_eq!((read.epoch, *read.key), (7, *kek.key));
		assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
	}

	#[test]
	fn a_key_others_may_read_is_refused() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("kek");
		Kek::generate(0).write_new(&path).unwrap();
		fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
		let error = Kek::read(&path).err().unwrap().to_string();
		assert!(error.contains("mode 644"), "{error}");
	}

	#[test]
	fn a_malformed_file_is_refused() {
		for text in ["", "medchain-kek v1 0", "medchain-kek v1 0 abcd", "medchain-kek v2 0 00"] {
			assert!(Kek::parse(text).is_none(), "{text:?}");
		}
		let good = format!("{HEADER} 3 {}", "11".repeat(32));
		assert_eq!(Kek::parse(&good).map(|kek| kek.epoch), Some(3));
		assert!(Kek::parse(&format!("{good} extra")).is_none());
	}
}
