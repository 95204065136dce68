//! The record commitment and field proofs. The input is a SCALE `(record id, record type,
//! values, salts, mask, root, field)`: the arbitrary field's check against the arbitrary root
//! must not panic; and where the values and salts make a record of that type, every field it
//! discloses verifies against its root, and the same field with another salt or value does not.

use codec::Decode;
use medchain_primitives::{
	commitment::{
		verify_field, CommittedRecord, DisclosedField, FieldValue, Hash256, RecordId, Salt,
	},
	FieldMask, RecordType,
};

/// What one input decodes to.
pub type Input = (RecordId, RecordType, Vec<FieldValue>, Vec<Salt>, u32, Hash256, DisclosedField);

/// Runs the checks on `data`.
pub fn run(data: &[u8]) {
	let Ok((record_id, record_type, values, salts, mask, root, field)) =
		Input::decode(&mut &data[..])
	else {
		return;
	};
	let _ = verify_field(&root, &record_id, record_type, &field);
	let Ok(record) = CommittedRecord::new(record_type, values, salts) else { return };
	let root = record.root(&record_id);
	let Ok(disclosed) = record.disclose(&record_id, FieldMask(mask)) else { return };
	for field in disclosed {
		assert!(verify_field(&root, &record_id, record_type, &field), "a disclosed field fails");
		let mut salt = field.salt;
		salt[0] ^= 1;
		let resalted = DisclosedField { salt, ..field.clone() };
		assert!(!verify_field(&root, &record_id, record_type, &resalted), "another salt verifies");
		let value = Some(field.value.clone().unwrap_or_default().into_iter().chain([0]).collect());
		let revalued = DisclosedField { value, ..field };
		assert!(!verify_field(&root, &record_id, record_type, &revalued), "another value verifies");
	}
}
