//! Submitting, reading, idempotency, refusals and the outbox.

use medchain_primitives::{
	commitment::{record_id, verify_field},
	prescription::PrescriptionRequest,
	FieldMask, RecordType,
};
use medchain_store::{
	AnchorState, NewRecord, Store, StoreError, MAX_BULK_RECORDS, MAX_RECORD_BYTES,
};

use crate::common::diagnosis;

const CUSTODIAN: u32 = 3;

fn open(dir: &tempfile::TempDir) -> Store {
	Store::open(&dir.path().join("store"), &dir.path().join("kek"), CUSTODIAN).unwrap()
}

#[test]
fn a_stored_record_reads_back_and_matches_its_root() {
	let dir = tempfile::tempdir().unwrap();
	let store = open(&dir);
	let record = diagnosis("visit-1", 1, "m1");
	let [receipt] = store.submit(std::slice::from_ref(&record)).unwrap().try_into().unwrap();
	assert!(receipt.created);
	assert_eq!(receipt.state, AnchorState::Stored);
	assert_eq!(receipt.record_id, record_id(CUSTODIAN, &receipt.request_id));

	let opened = store.open_record(&receipt.record_id).unwrap();
	assert_eq!(opened.fields.values, record.values);
	assert_eq!(opened.fields.root(&receipt.record_id), receipt.field_root);
	let disclosed =
		opened.fields.disclose(&receipt.record_id, FieldMask::all(RecordType::Diagnosis)).unwrap();
	assert!(disclosed.iter().all(|field| verify_field(
		&receipt.field_root,
		&receipt.record_id,
		RecordType::Diagnosis,
		field
	)));
	assert_eq!(opened.stored.patient, [1; 32]);
}

#[test]
fn a_retry_returns_the_same_record_and_other_content_is_refused() {
	let dir = tempfile::tempdir().unwrap();
	let store = open(&dir);
	let first = store.submit(&[diagnosis("visit-1", 1, "m1")]).unwrap();
	let again =
		store.submit(&[diagnosis("visit-1", 1, "m1"), diagnosis("visit-1", 1, "m1")]).unwrap();
	assert!(again
		.iter()
		.all(|receipt| !receipt.created && receipt.field_root == first[0].field_root));
	assert_eq!(store.outbox_len().unwrap(), 1);

	match store.submit(&[diagnosis("visit-1", 1, "other")]) {
		Err(StoreError::RequestIdConflict(id)) => assert_eq!(id, "visit-1"),
		other => panic!("expected a conflict, got {:?}", other.map(|r| r.len())),
	}
}

/// Request ids are scoped to their submitter: another app replaying one learns nothing from
/// the answer, whether its content is the stored one or not. Both make a new record.
#[test]
fn another_submitter_replaying_a_request_id_learns_nothing() {
	let dir = tempfile::tempdir().unwrap();
	let store = open(&dir);
	let first = store.submit(&[diagnosis("visit-1", 1, "m1")]).unwrap();
	let from = |submitter: u8, marker: &str| NewRecord {
		submitter: [submitter; 32],
		..diagnosis("visit-1", 1, marker)
	};
	let right_guess = store.submit(&[from(0x0b, "m1")]).unwrap();
	let wrong_guess = store.submit(&[from(0x0c, "wrong")]).unwrap();
	for answer in [&right_guess[0], &wrong_guess[0]] {
		assert!(answer.created);
		assert_ne!(answer.record_id, first[0].record_id);
	}
	assert_eq!(store.outbox_len().unwrap(), 3);
}

#[test]
fn a_refused_submission_writes_nothing() {
	let dir = tempfile::tempdir().unwrap();
	let store = open(&dir);
	let mut too_large = diagnosis("big", 1, "m");
	too_large.values[0] = Some(vec![0; MAX_RECORD_BYTES + 1]);
	let mut short = diagnosis("short", 1, "m");
	short.values.pop();
	let ok = diagnosis("ok", 1, "m");

	assert!(matches!(
		store.submit(&[ok.clone(), too_large]),
		Err(StoreError::RecordTooLarge { index: 1, max: MAX_RECORD_BYTES, .. })
	));
	assert!(matches!(
		store.submit(&[ok.clone(), short]),
		Err(StoreError::WrongFieldCount { index: 1, values: 6, expected: 7 })
	));
	let many: Vec<NewRecord> =
		(0..=MAX_BULK_RECORDS).map(|i| diagnosis(&i.to_string(), 1, "m")).collect();
	assert!(matches!(store.submit(&many), Err(StoreError::TooManyRecords { .. })));
	assert_eq!(store.outbox_len().unwrap(), 0);
	assert!(store.record_ids(None, 10).unwrap().is_empty());
}

#[test]
fn a_prescription_is_anchored_with_the_terms_it_was_stored_with() {
	let dir = tempfile::tempdir().unwrap();
	let store = open(&dir);
	let terms = PrescriptionRequest { refills: 2, expires_at: Some(1_800_000_000_000) };
	let prescription = |client_request_id: &str, terms: Option<PrescriptionRequest>| NewRecord {
		record_type: RecordType::Prescription,
		values: RecordType::Prescription.fields().iter().map(|_| Some(b"x".to_vec())).collect(),
		prescription: terms,
		..diagnosis(client_request_id, 1, "m")
	};
	let mut diagnosis_with_terms = diagnosis("d", 1, "m");
	diagnosis_with_terms.prescription = Some(terms);

	assert!(matches!(
		store.submit(&[prescription("p0", None)]),
		Err(StoreError::MissingPrescriptionTerms { index: 0 })
	));
	assert!(matches!(
		store.submit(&[prescription("p1", Some(terms)), diagnosis_with_terms]),
		Err(StoreError::UnexpectedPrescriptionTerms { index: 1 })
	));
	assert_eq!(store.outbox_len().unwrap(), 0);

	let stored = store.submit(&[prescription("p1", Some(terms)), diagnosis("d", 1, "m")]).unwrap();
	let pending = store.pending_anchors(10).unwrap();
	assert_eq!(pending.len(), 2);
	assert_eq!(pending[0].record_id, stored[0].record_id);
	assert_eq!(pending[0].prescription, Some(terms));
	assert_eq!(pending[1].prescription, None);
	// Other terms under the same request id are other content.
	let other_terms = PrescriptionRequest { refills: 5, ..terms };
	assert!(matches!(
		store.submit(&[prescription("p1", Some(other_terms))]),
		Err(StoreError::RequestIdConflict(_))
	));
	assert!(!store.submit(&[prescription("p1", Some(terms))]).unwrap()[0].created);
}

#[test]
fn the_outbox_keeps_order_and_settled_records_leave_it() {
	let dir = tempfile::tempdir().unwrap();
	let store = open(&dir);
	let records: Vec<NewRecord> = (0..5).map(|i| diagnosis(&format!("r{i}"), 1, "m")).collect();
	let receipts = store.submit(&records).unwrap();
	let pending = store.pending_anchors(3).unwrap();
	let ids: Vec<_> = receipts.iter().map(|receipt| receipt.record_id).collect();
	assert_eq!(pending.iter().map(|p| p.record_id).collect::<Vec<_>>(), ids[..3]);

	let outcomes = [
		(ids[0], AnchorState::Anchored { block: 9 }),
		(ids[1], AnchorState::Failed { reason: "PatientNotRegistered".into() }),
		(ids[2], AnchorState::Stored),
	];
	assert_eq!(store.settle(&outcomes).unwrap(), 1);
	// The same outcomes again (two followers of one block) settle nothing twice.
	assert_eq!(store.settle(&outcomes).unwrap(), 0);
	assert_eq!(store.settle(&[(ids[0], AnchorState::Anchored { block: 10 })]).unwrap(), 0);
	assert_eq!(store.outbox_len().unwrap(), 3);
	assert_eq!(store.pending_anchors(10).unwrap().first().map(|p| p.record_id), Some(ids[2]));
	assert_eq!(store.record(&ids[0]).unwrap().unwrap().state, AnchorState::Anchored { block: 9 });
	let retry = store.submit(&[records[1].clone()]).unwrap();
	assert_eq!(retry[0].state, AnchorState::Failed { reason: "PatientNotRegistered".into() });
}

#[test]
fn a_full_outbox_refuses_new_records_until_anchors_settle() {
	let dir = tempfile::tempdir().unwrap();
	let store = open(&dir).with_outbox_limit(3);
	let records: Vec<NewRecord> = (0..4).map(|i| diagnosis(&format!("r{i}"), 1, "m")).collect();
	let first = store.submit(&records[..2]).unwrap();

	let refused = store.submit(&records[1..4]).unwrap_err();
	assert!(
		matches!(refused, StoreError::OutboxFull { waiting: 2, adding: 2, limit: 3 }),
		"{refused:?}"
	);
	assert_eq!(store.outbox_len().unwrap(), 2, "a refused submission stored something");
	// A retry of stored records adds nothing to the outbox: answered as before.
	let retry = store.submit(&records[..2]).unwrap();
	let ids = |receipts: &[medchain_store::StoredReceipt]| {
		receipts.iter().map(|receipt| receipt.record_id).collect::<Vec<_>>()
	};
	assert_eq!(ids(&retry), ids(&first));
	store.submit(&records[2..3]).unwrap();

	store.settle(&[(first[0].record_id, AnchorState::Anchored { block: 9 })]).unwrap();
	let receipts = store.submit(&records[3..]).unwrap();
	assert!(receipts[0].created);
	assert_eq!(store.outbox_len().unwrap(), 3);
}

#[test]
fn records_survive_a_reopen_and_need_their_kek() {
	let dir = tempfile::tempdir().unwrap();
	let id = {
		let store = open(&dir);
		store.submit(&[diagnosis("visit-1", 1, "m1")]).unwrap()[0].record_id
	};
	let store = open(&dir);
	assert_eq!(store.open_record(&id).unwrap().fields.values, diagnosis("x", 1, "m1").values);
	assert_eq!(store.pending_anchors(10).unwrap().len(), 1);
	drop(store);

	std::fs::rename(dir.path().join("kek"), dir.path().join("kek.saved")).unwrap();
	let error =
		Store::open(&dir.path().join("store"), &dir.path().join("kek"), CUSTODIAN).err().unwrap();
	assert!(error.to_string().contains("kek"), "{error}");
	std::fs::rename(dir.path().join("kek.saved"), dir.path().join("kek")).unwrap();
	let error = Store::open(&dir.path().join("store"), &dir.path().join("kek"), CUSTODIAN + 1)
		.err()
		.unwrap();
	assert!(matches!(error, StoreError::Inconsistent(_)), "{error}");
}

#[test]
fn another_stores_kek_is_refused_at_open() {
	let dir = tempfile::tempdir().unwrap();
	let store = open(&dir);
	let id = store.submit(&[diagnosis("visit-1", 1, "m1")]).unwrap()[0].record_id;
	drop(store);
	let other_kek = dir.path().join("other-kek");
	let store = Store::open(&dir.path().join("other-store"), &other_kek, CUSTODIAN).unwrap();
	assert!(matches!(store.open_record(&id), Err(StoreError::NotFound(_))));
	drop(store);
	// Same epoch, other key: refused before anything is wrapped under it.
	std::fs::copy(&other_kek, dir.path().join("kek")).unwrap();
	let error =
		Store::open(&dir.path().join("store"), &dir.path().join("kek"), CUSTODIAN).err().unwrap();
	assert!(
		matches!(error, StoreError::Inconsistent(ref text) if text.contains("not this store's")),
		"{error}"
	);
}

#[test]
fn the_chain_cursor_and_due_erasures_persist_until_the_shred() {
	let dir = tempfile::tempdir().unwrap();
	let store = open(&dir);
	let ids: Vec<_> = store
		.submit(&[diagnosis("a", 1, "m"), diagnosis("b", 1, "m")])
		.unwrap()
		.into_iter()
		.map(|receipt| receipt.record_id)
		.collect();
	assert_eq!(store.chain_cursor().unwrap(), None);
	store.set_chain_cursor(41).unwrap();
	store.set_erasure_due(&ids[0], Some(50)).unwrap();
	store.set_erasure_due(&ids[1], Some(60)).unwrap();
	drop(store);

	let store = open(&dir);
	assert_eq!(store.chain_cursor().unwrap(), Some(41));
	assert_eq!(store.erasures_due(49).unwrap(), Vec::<[u8; 32]>::new());
	assert_eq!(store.erasures_due(55).unwrap(), vec![ids[0]]);
	store.set_erasure_due(&ids[1], None).unwrap();
	assert_eq!(store.erasure_due(&ids[1]).unwrap(), None);
	store.shred(&ids[..1]).unwrap();
	assert_eq!(store.erasures_due(100).unwrap(), Vec::<[u8; 32]>::new());
}
