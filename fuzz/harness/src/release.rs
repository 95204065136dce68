//! The release protocol's messages, on both sides. The input is read as a request (the
//! custodian's side) and as an answer (the requester's side): either is refused or re-encodes to
//! exactly the input. Released fields are then checked, as the requester checks them, against a
//! fixed record: whatever passes must be that record's own fields (the proofs admit no other
//! salt or value).

use std::sync::OnceLock;

use codec::Encode;
use medchain_primitives::{
	commitment::{CommittedRecord, DisclosedField, Hash256, RecordId},
	release::{verify_release, ReleaseRequest, ReleaseResponse},
	FieldMask, RecordType,
};

/// The record the answers are checked against: its id, its type, and the record with its root.
pub const RECORD_ID: RecordId = [7; 32];
pub const RECORD_TYPE: RecordType = RecordType::VitalSigns;

/// The record the answers are checked against, and its root.
pub fn record() -> &'static (CommittedRecord, Hash256) {
	static RECORD: OnceLock<(CommittedRecord, Hash256)> = OnceLock::new();
	RECORD.get_or_init(|| {
		let fields = RECORD_TYPE.field_count();
		let values = (0..fields).map(|index| Some(format!("value {index}").into_bytes())).collect();
		let salts = (0..fields).map(|index| [index as u8; 32]).collect();
		let record = CommittedRecord::new(RECORD_TYPE, values, salts)
			.unwrap_or_else(|error| panic!("{error:?}"));
		let root = record.root(&RECORD_ID);
		(record, root)
	})
}

/// `(index, salt, value)` of each field, by index: what a proof binds.
fn contents(fields: &[DisclosedField]) -> Vec<(u8, [u8; 32], Option<Vec<u8>>)> {
	let mut contents: Vec<_> =
		fields.iter().map(|field| (field.index, field.salt, field.value.clone())).collect();
	contents.sort();
	contents
}

/// Runs both sides' reading of `data`, and the requester's check of released fields.
pub fn run(data: &[u8]) {
	if let Some(request) = ReleaseRequest::read(data) {
		assert_eq!(request.encode(), data, "a request reads from bytes it does not encode to");
	}
	let Some(response) = ReleaseResponse::read(data) else { return };
	assert_eq!(response.encode(), data, "an answer reads from bytes it does not encode to");
	let ReleaseResponse::Released(fields) = response else { return };
	let (record, root) = record();
	let mask = fields.iter().fold(FieldMask(0), |mask, field| mask.with(field.index));
	if verify_release(root, &RECORD_ID, RECORD_TYPE, mask, &fields) {
		let honest = record.disclose(&RECORD_ID, mask).unwrap_or_default();
		assert_eq!(contents(&fields), contents(&honest), "forged fields verify");
	}
}
