//! The key-encryption key (KEK): one random AES-256 key per epoch, in a file only the node's
//! user may read.
//!
//! The file is one line, `medchain-kek v1 <epoch> <64 hex digits>`. Rotation writes the next
//! epoch to `<file>.next`, and renaming it over the file is the moment the old epoch's key is
//! gone ([`crate::Store::shred`]).
//!
//! With a [`RootKey`] (the node's `--kek-fd`: a key handed over on a file descriptor, e.g. by a
//! secrets manager or systemd credentials, never stored by the node), the file holds the epoch
//! key sealed instead: `medchain-kek-sealed v2 <epoch> <hex of nonce, key, tag>`, under a key
//! derived from the root key, the epoch and that epoch's *binding*, a random value kept in the
//! epoch's key file (`keys-<epoch>.redb`). A rotation overwrites and deletes the old key file,
//! binding and all, so the root key with an old copy of the KEK file no longer opens the old
//! epoch. The file reveals nothing without the root key, and rotation works as before. (Files
//! sealed by `v1`, under the root key itself, still open; the next rotation writes `v2`.)

use std::{
	fs::{self, OpenOptions},
	io::Write,
	os::unix::fs::{OpenOptionsExt, PermissionsExt},
	path::{Path, PathBuf},
};

use rand::RngCore;
use zeroize::Zeroizing;

use crate::{crypto, StoreError};

const HEADER: &str = "medchain-kek v1";
const SEALED_HEADER_V1: &str = "medchain-kek-sealed v1";
const SEALED_HEADER: &str = "medchain-kek-sealed v2";
const SEALED_AAD: &[u8] = b"medchain/kek/v1";
const SEAL_KEY_DOMAIN: &[u8] = b"medchain/kek-seal/v2";

/// A key that seals the KEK file (see the module docs).
pub struct RootKey(Zeroizing<[u8; 32]>);

impl RootKey {
	/// The root key in `text`: 64 hex digits (surrounding whitespace ignored).
	pub fn parse(text: &str) -> Result<Self, StoreError> {
		let mut key = Zeroizing::new([0u8; 32]);
		hex::decode_to_slice(text.trim(), key.as_mut_slice())
			.map_err(|_| StoreError::Kek("a root key is 64 hex digits".into()))?;
		Ok(Self(key))
	}
}

/// A random value per KEK epoch, kept in that epoch's key file: with the root key, it derives
/// the key that seals the epoch's KEK (see the module docs).
pub type Binding = [u8; 32];

/// What seals a KEK file: the root key, and the epoch's binding.
#[derive(Clone, Copy)]
pub struct Sealing<'a> {
	/// The root key.
	pub root: &'a RootKey,
	/// The binding of the KEK's epoch.
	pub binding: &'a Binding,
}

impl Sealing<'_> {
	/// The key that seals epoch `epoch`'s KEK.
	fn key(&self, epoch: u64) -> Zeroizing<[u8; 32]> {
		use hmac::{Hmac, Mac};
		let mut key = Zeroizing::new([0u8; 32]);
		if let Ok(mut mac) = <Hmac<sha2::Sha256> as Mac>::new_from_slice(self.root.0.as_slice()) {
			mac.update(SEAL_KEY_DOMAIN);
			mac.update(&epoch.to_le_bytes());
			mac.update(self.binding);
			key.copy_from_slice(&mac.finalize().into_bytes());
		}
		key
	}
}

/// Where the KEK lives: its file, and the root key that seals it, if any.
pub struct KekFile {
	/// The KEK file.
	pub path: PathBuf,
	/// The root key, when the file is sealed.
	pub root: Option<RootKey>,
}

impl KekFile {
	/// A plain KEK file at `path`.
	pub fn plain(path: &Path) -> Self {
		Self { path: path.to_owned(), root: None }
	}

	/// Reads the current KEK; a sealed file needs its epoch's `binding`.
	pub fn read(&self, binding: Option<&Binding>) -> Result<Kek, StoreError> {
		Kek::read(&self.path, self.sealing(binding)?)
	}

	/// Writes `kek` to a new file at `path` (the KEK file or its staged next epoch), sealed with
	/// `binding` (its epoch's) if the file is sealed.
	pub fn write_new(
		&self,
		kek: &Kek,
		path: &Path,
		binding: Option<&Binding>,
	) -> Result<(), StoreError> {
		kek.write_new(path, self.sealing(binding)?)
	}

	/// Whether the file is sealed under a root key.
	pub fn is_sealed(&self) -> bool {
		self.root.is_some()
	}

	fn sealing<'a>(
		&'a self,
		binding: Option<&'a Binding>,
	) -> Result<Option<Sealing<'a>>, StoreError> {
		match (&self.root, binding) {
			(None, _) => Ok(None),
			(Some(root), Some(binding)) => Ok(Some(Sealing { root, binding })),
			(Some(_), None) => {
				Err(StoreError::Kek("a sealed KEK needs its epoch's binding".into()))
			}
		}
	}
}

/// The epoch a KEK file names in its header (plain or sealed), read without opening it.
pub fn epoch_of(path: &Path) -> Result<u64, StoreError> {
	let io = |error| StoreError::Kek(format!("{}: {error}", path.display()));
	let text = Zeroizing::new(fs::read_to_string(path).map_err(io)?);
	[HEADER, SEALED_HEADER, SEALED_HEADER_V1]
		.iter()
		.find_map(|header| text.strip_prefix(header))
		.and_then(|rest| rest.split_whitespace().next()?.parse().ok())
		.ok_or_else(|| StoreError::Kek(format!("{} is not a medchain KEK file", path.display())))
}

/// A fresh random binding for a new epoch.
pub fn new_binding() -> Binding {
	let mut binding = [0u8; 32];
	rand::rngs::OsRng.fill_bytes(&mut binding);
	binding
}

/// A key-encryption key and its epoch.
pub struct Kek {
	/// Starts at 0 and grows by one with each rotation.
	pub epoch: u64,
	pub(crate) key: Zeroizing<[u8; 32]>,
}

impl Kek {
	/// Reads the KEK file at `path` (sealed with `sealing`, if given); refuses it if anyone but
	/// its owner may read or write it.
	pub fn read(path: &Path, sealing: Option<Sealing<'_>>) -> Result<Self, StoreError> {
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
		let sealed = text.starts_with(SEALED_HEADER) || text.starts_with(SEALED_HEADER_V1);
		match (sealed, sealing) {
			(true, Some(sealing)) => Self::unseal(&text, sealing).ok_or_else(|| {
				StoreError::Kek(format!("{} does not open with this root key", path.display()))
			}),
			(true, None) => Err(StoreError::Kek(format!(
				"{} is sealed: the node needs its root key (--kek-fd)",
				path.display()
			))),
			(false, Some(_)) => Err(StoreError::Kek(format!(
				"{} is not sealed, but a root key was given: start without --kek-fd",
				path.display()
			))),
			(false, None) => Self::parse(&text).ok_or_else(|| {
				StoreError::Kek(format!("{} is not a medchain KEK file", path.display()))
			}),
		}
	}

	fn unseal(text: &str, sealing: Sealing<'_>) -> Option<Self> {
		let text = text.trim_end();
		let (rest, v1) = match text.strip_prefix(SEALED_HEADER) {
			Some(rest) => (rest, false),
			None => (text.strip_prefix(SEALED_HEADER_V1)?, true),
		};
		let mut words = rest.split_whitespace();
		let epoch: u64 = words.next()?.parse().ok()?;
		let sealed = hex::decode(words.next()?).ok()?;
		let aad = [SEALED_AAD, &epoch.to_le_bytes()].concat();
		let key = if v1 { sealing.root.0.clone() } else { sealing.key(epoch) };
		let plain = crypto::open_with_key(&key, &aad, sealed).ok()?;
		let mut key = Zeroizing::new([0u8; 32]);
		(plain.len() == key.len()).then(|| key.copy_from_slice(&plain))?;
		words.next().is_none().then_some(Self { epoch, key })
	}

	/// The file's line for this key, sealed with `sealing` if given.
	fn line(&self, sealing: Option<Sealing<'_>>) -> Result<Zeroizing<String>, StoreError> {
		let Some(sealing) = sealing else {
			// Built in one zeroed buffer: no stray copy of the key's hex is left behind.
			let hex = Zeroizing::new(hex::encode(self.key.as_slice()));
			let mut line = Zeroizing::new(String::with_capacity(HEADER.len() + hex.len() + 24));
			line.push_str(HEADER);
			line.push(' ');
			line.push_str(&self.epoch.to_string());
			line.push(' ');
			line.push_str(&hex);
			line.push('\n');
			return Ok(line);
		};
		let aad = [SEALED_AAD, &self.epoch.to_le_bytes()].concat();
		let sealed = crypto::seal_bytes(&sealing.key(self.epoch), &aad, self.key.as_slice())?;
		Ok(Zeroizing::new(format!("{SEALED_HEADER} {} {}\n", self.epoch, hex::encode(sealed))))
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

	/// Writes this key (sealed with `sealing`, if given) to a new file at `path` (mode 0600) and
	/// makes it durable.
	pub fn write_new(&self, path: &Path, sealing: Option<Sealing<'_>>) -> Result<(), StoreError> {
		let io = |error| StoreError::Kek(format!("{}: {error}", path.display()));
		let line = self.line(sealing)?;
		let mut file =
			OpenOptions::new().write(true).create_new(true).mode(0o600).open(path).map_err(io)?;
		file.write_all(line.as_bytes()).map_err(io)?;
		file.sync_all().map_err(io)?;
		crate::scrub::sync_parent(path)
	}
}

/// Where rotation stages the next epoch's key.
pub fn next_path(path: &Path) -> PathBuf {
	let mut name = path.as_os_str().to_owned();
	name.push(".next");
	PathBuf::from(name)
}

/// Where rotation keeps a second name of the old KEK file until it is overwritten.
pub fn old_path(path: &Path) -> PathBuf {
	let mut name = path.as_os_str().to_owned();
	name.push(".old");
	PathBuf::from(name)
}

/// Replaces the KEK file with the staged next epoch: from here on the old key is gone. The old
/// file keeps a second name ([`old_path`]) so that [`retire_old`] can overwrite its blocks: a
/// rename alone would free them with the old key in them. The rename is made durable by
/// [`crate::scrub::sync_parent`], which the caller runs after switching to the new epoch (the rename has
/// happened even if that sync fails).
pub fn rename_next(path: &Path) -> Result<(), StoreError> {
	let error = |error| StoreError::Kek(format!("{}: {error}", path.display()));
	let old = old_path(path);
	crate::scrub::discard_link_or_shred(&old, path)?;
	fs::hard_link(path, &old).map_err(error)?;
	fs::rename(next_path(path), path).map_err(error)
}

/// Overwrites and unlinks the retired KEK file a rotation left under [`old_path`]; after a crash
/// before the rotation's commit point it is the current file's second name, and only unlinked.
pub fn retire_old(path: &Path) -> Result<(), StoreError> {
	crate::scrub::discard_link_or_shred(&old_path(path), path)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_written_key_reads_back() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("kek");
		let kek = Kek::generate(7);
		kek.write_new(&path, None).unwrap();
		let read = Kek::read(&path, None).unwrap();
		assert_eq!((read.epoch, *read.key), (7, *kek.key));
		assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
	}

	#[test]
	fn a_key_others_may_read_is_refused() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("kek");
		Kek::generate(0).write_new(&path, None).unwrap();
		fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
		let error = Kek::read(&path, None).err().unwrap().to_string();
		assert!(error.contains("mode 644"), "{error}");
	}

	#[test]
	fn a_sealed_key_opens_only_with_its_root_key_and_its_epochs_binding() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("kek");
		let root = RootKey::parse(&"ab".repeat(32)).unwrap();
		let binding = new_binding();
		let sealing = Sealing { root: &root, binding: &binding };
		let kek = Kek::generate(3);
		kek.write_new(&path, Some(sealing)).unwrap();
		let text = fs::read_to_string(&path).unwrap();
		assert!(
			text.starts_with(SEALED_HEADER) && !text.contains(&hex::encode(kek.key.as_slice()))
		);
		assert_eq!(epoch_of(&path).unwrap(), 3);
		assert_eq!(*Kek::read(&path, Some(sealing)).unwrap().key, *kek.key);
		let other = RootKey::parse(&"cd".repeat(32)).unwrap();
		let opens = |sealing| Kek::read(&path, Some(sealing)).err().unwrap().to_string();
		assert!(opens(Sealing { root: &other, binding: &binding }).contains("does not open"));
		let lost = new_binding();
		assert!(opens(Sealing { root: &root, binding: &lost }).contains("does not open"));
		assert!(Kek::read(&path, None).err().unwrap().to_string().contains("--kek-fd"));
		assert!(RootKey::parse("abc").is_err());
	}

	#[test]
	fn a_v1_sealed_file_still_opens_with_the_root_key() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("kek");
		let root = RootKey::parse(&"ab".repeat(32)).unwrap();
		let kek = Kek::generate(2);
		let aad = [SEALED_AAD, &2u64.to_le_bytes()].concat();
		let sealed = crypto::seal_bytes(&root.0, &aad, kek.key.as_slice()).unwrap();
		fs::write(&path, format!("{SEALED_HEADER_V1} 2 {}\n", hex::encode(sealed))).unwrap();
		fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
		let binding = new_binding();
		let read = Kek::read(&path, Some(Sealing { root: &root, binding: &binding })).unwrap();
		assert_eq!(*read.key, *kek.key);
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
