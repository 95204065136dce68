//! Properties of the field commitment: disclosure of any subset verifies; any tampering, and
//! any other record's root, fails.

#![allow(clippy::expect_used, clippy::arithmetic_side_effects, reason = "test code")]

use medchain_primitives::{
	commitment::{
		leaf_hash, verify_field, CommitmentError, CommittedRecord, FieldValue, RecordId,
		LEAF_DOMAIN,
	},
	FieldMask, RecordType,
};
use proptest::prelude::*;

/// A record of any type, with arbitrary (possibly absent) values and salts, and its id.
fn record() -> impl Strategy<Value = (RecordId, CommittedRecord)> {
	(prop::sample::select(RecordType::ALL.to_vec()), any::<[u8; 32]>()).prop_flat_map(
		|(record_type, id)| {
			let fields = record_type.fields().len();
			let value = prop::option::of(prop::collection::vec(any::<u8>(), 0..48));
			(
				Just(id),
				Just(record_type),
				prop::collection::vec(value, fields),
				prop::collection::vec(any::<[u8; 32]>(), fields),
			)
				.prop_map(|(id, record_type, values, salts)| {
					let record = CommittedRecord::new(record_type, values, salts)
						.expect("one value and salt per field");
					(id, record)
				})
		},
	)
}

proptest! {
	#[test]
	fn any_subset_of_fields_verifies((id, record) in record(), bits in any::<u32>()) {
		let mask = FieldMask(bits & FieldMask::all(record.record_type).0);
		let root = record.root(&id);
		let disclosed = record.disclose(&id, mask).expect("mask fits");
		prop_assert_eq!(disclosed.len(), mask.indices().count());
		for field in &disclosed {
			prop_assert!(verify_field(&root, &id, record.record_type, field));
		}
	}

	#[test]
	fn a_changed_value_salt_index_or_record_id_fails(
		(id, record) in record(),
		pick in any::<prop::sample::Index>(),
		other_id in any::<[u8; 32]>(),
		flip in 1u8..=255,
	) {
		let root = record.root(&id);
		let index = u8::try_from(pick.index(record.values.len())).expect("few fields");
		let field = record.disclose(&id, FieldMask::only(index)).expect("fits").remove(0);
		prop_assert!(verify_field(&root, &id, record.record_type, &field));

		let mut changed_value = field.clone();
		changed_value.value = match field.value.clone() {
			Some(mut bytes) => { bytes.push(flip); Some(bytes) },
			None => Some(Vec::new()),
		};
		prop_assert!(!verify_field(&root, &id, record.record_type, &changed_value));

		let mut changed_salt = field.clone();
		changed_salt.salt[usize::from(flip) % 32] ^= flip;
		prop_assert!(!verify_field(&root, &id, record.record_type, &changed_salt));

		let mut changed_index = field.clone();
		changed_index.index = (index + 1) % u8::try_from(record.values.len()).expect("few");
		prop_assert!(!verify_field(&root, &id, record.record_type, &changed_index));

		prop_assume!(other_id != id);
		prop_assert!(!verify_field(&root, &other_id, record.record_type, &field));
	}

	#[test]
	fn a_proof_never_verifies_against_another_records_root(
		(id, record) in record(),
		(other_id, other) in record(),
	) {
		let other_root = other.root(&other_id);
		prop_assume!(other_root != record.root(&id));
		let all = FieldMask::all(record.record_type);
		for field in record.disclose(&id, all).expect("fits") {
			prop_assert!(!verify_field(&other_root, &id, record.record_type, &field));
			prop_assert!(!verify_field(&other_root, &other_id, other.record_type, &field));
		}
	}
}

/// Known answers, computed independently with Python's hashlib, so that apps in other
/// languages can check their implementation of the leaf hash.
#[test]
fn leaf_hash_test_vectors() {
	let record_id: RecordId = core::array::from_fn(|i| i as u8);
	let salt = [7u8; 32];
	let present: FieldValue = Some(b"J45.909".to_vec());
	assert_eq!(LEAF_DOMAIN, b"medchain/record-field/v1");
	assert_eq!(
		hex(&leaf_hash(&record_id, 1, &salt, &present)),
		"1f8242b8a69ab361a8a4c7db8d6c762f7885954e5e24bceef2fb7329ec1203db"
	);
	assert_eq!(
		hex(&leaf_hash(&record_id, 6, &salt, &None)),
		"e0230480993b045b5b9c19c0c33805e3fb9fb470e68cf1f55a54afadc8ade304"
	);
}

#[test]
fn every_record_of_a_type_has_one_leaf_per_field_and_absent_fields_are_padded() {
	for record_type in RecordType::ALL {
		let fields = record_type.fields().len();
		assert_eq!(record_type.fields().last(), Some(&"notes"));
		let sparse = CommittedRecord::new(record_type, vec![None; fields], vec![[1; 32]; fields])
			.expect("one per field");
		assert_eq!(sparse.leaves(&[0; 32]).len(), fields);
		assert_eq!(
			CommittedRecord::new(record_type, vec![None; fields - 1], vec![[1; 32]; fields]),
			Err(CommitmentError::WrongFieldCount {
				expected: fields as u32,
				values: fields - 1,
				salts: fields,
			})
		);
	}
}

#[test]
fn masks_stay_within_their_type() {
	let diagnosis = RecordType::Diagnosis;
	let all = FieldMask::all(diagnosis);
	assert_eq!(all.indices().count(), diagnosis.fields().len());
	assert!(!FieldMask::without_notes(diagnosis)
		.contains(diagnosis.field_index("notes").expect("notes")));
	assert!(!FieldMask::only(31).fits(diagnosis));
	let record = CommittedRecord::with_random_salts(diagnosis, vec![None; 7]).expect("7 fields");
	assert_eq!(
		record.disclose(&[0; 32], FieldMask::only(31)),
		Err(CommitmentError::MaskOutsideType)
	);
	assert_ne!(record.salts[0], record.salts[1], "salts are random");
}

fn hex(bytes: &[u8]) -> String {
	bytes.iter().map(|b| format!("{b:02x}")).collect()
}
