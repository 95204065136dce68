//! Records for the store's tests.

use medchain_primitives::RecordType;
use medchain_store::NewRecord;

/// A diagnosis for `patient` whose every field holds `marker` and the field's name.
pub fn diagnosis(client_request_id: &str, patient: u8, marker: &str) -> NewRecord {
	let record_type = RecordType::Diagnosis;
	NewRecord {
		submitter: [0xa9; 32],
		client_request_id: client_request_id.into(),
		patient: [patient; 32],
		record_type,
		values: record_type
			.fields()
			.iter()
			.map(|field| Some(format!("{marker}:{field}").into_bytes()))
			.collect(),
		prescription: None,
	}
}
