//! Crypto-shredding: after an erasure no key opens the record, not even the retired KEK.

use std::path::Path;

use medchain_store::{kek::Kek, Store, StoreError};

use crate::common::diagnosis;

const CUSTODIAN: u32 = 0;

#[test]
fn a_shredded_record_is_gone_and_the_others_stay() {
	let dir = tempfile::tempdir().unwrap();
	let (store_dir, kek) = (dir.path().join("store"), dir.path().join("kek"));
	let store = Store::open(&store_dir, &kek, CUSTODIAN).unwrap();
	let ids: Vec<_> = store
		.submit(&[diagnosis("a", 1, "ma"), diagnosis("b", 1, "mb"), diagnosis("c", 2, "mc")])
		.unwrap()
		.into_iter()
		.map(|receipt| receipt.record_id)
		.collect();
	let old_kek = dir.path().join("kek-epoch-0");
	std::fs::copy(&kek, &old_kek).unwrap();

	let [receipt] = store.shred(&ids[1..2]).unwrap().try_into().unwrap();
	assert_eq!((receipt.record_id, receipt.retired_epoch), (ids[1], 0));
	assert_ne!(receipt.key_id, [0; 16]);
	assert_eq!(store.epoch().unwrap(), 1);
	assert!(matches!(store.open_record(&ids[1]), Err(StoreError::Erased(_))));
	assert!(!store.holds_sealed_bytes(&ids[1]).unwrap());
	assert!(store.holds_sealed_bytes(&ids[0]).unwrap());
	assert_eq!(store.open_record(&ids[0]).unwrap().fields.values, diagnosis("a", 1, "ma").values);
	assert_eq!(store.open_record(&ids[2]).unwrap().fields.values, diagnosis("c", 2, "mc").values);
	assert_eq!(store.shred(&ids[1..2]).unwrap(), vec![receipt.clone()]);
	assert_eq!(store.record(&ids[1]).unwrap().unwrap().erased, Some(receipt));
	drop(store);

	assert_eq!(Kek::read(&kek, None).unwrap().epoch, 1);
	assert!(!store_dir.join("keys-0.redb").exists());
	let old = Kek::read(&old_kek, None).unwrap();
	for file in files_under(dir.path()) {
		assert!(
			!medchain_store::erasure::any_window_unwraps(
				&std::fs::read(&file).unwrap(),
				&old,
				&ids[1]
			),
			"{} holds the erased record's key under the retired KEK",
			file.display()
		);
	}
	// The same search finds a live key, so it is not vacuous.
	let keys = std::fs::read(store_dir.join("keys-1.redb")).unwrap();
	assert!(medchain_store::erasure::any_window_unwraps(
		&keys,
		&Kek::read(&kek, None).unwrap(),
		&ids[0]
	));

	let store = Store::open(&store_dir, &kek, CUSTODIAN).unwrap();
	assert!(matches!(store.open_record(&ids[1]), Err(StoreError::Erased(_))));
	assert!(store.open_record(&ids[2]).is_ok());
	drop(store);

	// The retired KEK does not open the store either: its key file is gone.
	std::fs::copy(&old_kek, &kek).unwrap();
	let error = Store::open(&store_dir, &kek, CUSTODIAN).err().unwrap();
	assert!(
		matches!(error, StoreError::Inconsistent(ref text) if text.contains("newer")),
		"{error}"
	);
}

#[test]
fn a_rotation_cut_short_before_its_commit_point_rolls_back() {
	let dir = tempfile::tempdir().unwrap();
	let (store_dir, kek) = (dir.path().join("store"), dir.path().join("kek"));
	let id = Store::open(&store_dir, &kek, CUSTODIAN)
		.unwrap()
		.submit(&[diagnosis("a", 1, "m")])
		.unwrap()[0]
		.record_id;
	// What a crash after steps 2 and 3 leaves: a staged KEK and a half-written key file.
	Kek::generate(1).write_new(&medchain_store::kek::next_path(&kek), None).unwrap();
	std::fs::write(store_dir.join("keys-1.redb"), b"torn").unwrap();

	let store = Store::open(&store_dir, &kek, CUSTODIAN).unwrap();
	assert_eq!(store.epoch().unwrap(), 0);
	assert!(store.open_record(&id).is_ok());
	assert!(!medchain_store::kek::next_path(&kek).exists());
	assert!(!store_dir.join("keys-1.redb").exists());
}

fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
	let mut files = Vec::new();
	for entry in std::fs::read_dir(dir).unwrap() {
		let path = entry.unwrap().path();
		if path.is_dir() {
			files.extend(files_under(&path));
		} else {
			files.push(path);
		}
	}
	files
}

#[test]
fn a_sealed_kek_file_stays_sealed_through_a_rotation_and_its_old_epoch_does_not_reopen() {
	use medchain_store::kek::{KekFile, RootKey};
	let dir = tempfile::tempdir().unwrap();
	let (store_dir, kek) = (dir.path().join("store"), dir.path().join("kek"));
	let sealed =
		|| KekFile { path: kek.clone(), root: Some(RootKey::parse(&"5a".repeat(32)).unwrap()) };
	let store = Store::open_with(&store_dir, sealed(), CUSTODIAN).unwrap();
	let ids: Vec<_> = store
		.submit(&[diagnosis("a", 1, "ma"), diagnosis("b", 1, "mb")])
		.unwrap()
		.into_iter()
		.map(|receipt| receipt.record_id)
		.collect();
	let epoch_0_copy = dir.path().join("kek-epoch-0-copy");
	std::fs::copy(&kek, &epoch_0_copy).unwrap();
	store.shred(&ids[..1]).unwrap();
	drop(store);

	assert!(std::fs::read_to_string(&kek).unwrap().starts_with("medchain-kek-sealed v2 1 "));
	// The root key and a copy of the old KEK file: without epoch 0's binding, which went with
	// its key file, the old epoch does not open.
	assert!(!store_dir.join("keys-0.redb").exists());
	let root = RootKey::parse(&"5a".repeat(32)).unwrap();
	let guessed = [0u8; 32];
	let sealing = medchain_store::kek::Sealing { root: &root, binding: &guessed };
	let old = Kek::read(&epoch_0_copy, Some(sealing)).err().unwrap();
	assert!(old.to_string().contains("does not open"), "{old}");
	let refused = Store::open(&store_dir, &kek, CUSTODIAN).err().unwrap();
	assert!(refused.to_string().contains("--kek-fd"), "{refused}");
	let store = Store::open_with(&store_dir, sealed(), CUSTODIAN).unwrap();
	assert!(matches!(store.open_record(&ids[0]), Err(StoreError::Erased(_))));
	assert_eq!(store.open_record(&ids[1]).unwrap().fields.values, diagnosis("b", 1, "mb").values);
}
