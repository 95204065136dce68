//! After a shred, a compaction gives the erased record's pages back, zeroed.

use medchain_primitives::RecordType;
use medchain_store::{NewRecord, Store};

use crate::common::diagnosis;

fn large(client_request_id: &str, byte: u8) -> NewRecord {
	let record_type = RecordType::Diagnosis;
	let per_field = (medchain_store::MAX_RECORD_BYTES / record_type.fields().len()) - 1;
	NewRecord {
		values: record_type.fields().iter().map(|_| Some(vec![byte; per_field])).collect(),
		..diagnosis(client_request_id, 1, "")
	}
}

#[test]
fn a_compaction_after_a_shred_gives_the_erased_pages_back() {
	let dir = tempfile::tempdir().unwrap();
	let store_dir = dir.path().join("store");
	let store = Store::open(&store_dir, &dir.path().join("kek"), 0).unwrap();
	let records: Vec<_> = (0..4).map(|i| large(&format!("r{i}"), i)).collect();
	let ids: Vec<_> =
		store.submit(&records).unwrap().into_iter().map(|receipt| receipt.record_id).collect();
	let file = store_dir.join("records.redb");
	let size = || std::fs::metadata(&file).unwrap().len();
	assert!(store.compact().unwrap());
	assert!(!store.compaction_due());
	let before = size();

	store.shred(&ids[..3]).unwrap();
	assert!(store.compaction_due());
	assert!(store.compact().unwrap());
	assert!(!store.compaction_due());
	let after = size();
	println!("records.redb: {before} bytes before the shred, {after} after the compaction");
	let erased = 3 * medchain_store::MAX_RECORD_BYTES as u64;
	assert!(
		after + erased <= before + (before - erased) / 4,
		"records.redb went from {before} to {after} bytes after 3 MiB were erased"
	);
	assert_eq!(store.open_record(&ids[3]).unwrap().fields.values, records[3].values);
	drop(store);
	let store = Store::open(&store_dir, &dir.path().join("kek"), 0).unwrap();
	assert_eq!(store.open_record(&ids[3]).unwrap().fields.values, records[3].values);
}
