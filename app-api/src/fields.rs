//! How a record's JSON maps to its type's committed fields.
//!
//! Types are named in upper snake case (`DIAGNOSIS`, `LAB_RESULT`, …); their fields are
//! `medchain_primitives::RecordType::fields`. Each field value is a string (stored as its UTF-8
//! bytes) or `null`/absent; [`required_fields`] must be present.

use crate::{ApiError, ErrorCode};
use medchain_primitives::{commitment::FieldValue, FieldMask, RecordType};

/// The longest client request id, in bytes.
pub const MAX_CLIENT_REQUEST_ID: usize = 256;

/// The API name of each record type.
pub const TYPE_NAMES: [(RecordType, &str); 8] = [
	(RecordType::Diagnosis, "DIAGNOSIS"),
	(RecordType::LabResult, "LAB_RESULT"),
	(RecordType::Prescription, "PRESCRIPTION"),
	(RecordType::TreatmentPlan, "TREATMENT_PLAN"),
	(RecordType::MedicalHistory, "MEDICAL_HISTORY"),
	(RecordType::VitalSigns, "VITAL_SIGNS"),
	(RecordType::Imaging, "IMAGING"),
	(RecordType::Vaccination, "VACCINATION"),
];

/// The record type named `name`.
pub fn record_type(name: &str) -> Result<RecordType, ApiError> {
	TYPE_NAMES
		.iter()
		.find(|(_, known)| *known == name)
		.map(|(record_type, _)| *record_type)
		.ok_or_else(|| {
			let names: Vec<&str> = TYPE_NAMES.iter().map(|(_, name)| *name).collect();
			ErrorCode::UnknownRecordType
				.error(format!("unknown record type {name:?}; one of {}", names.join(", ")))
		})
}

/// The API name of `record_type`.
pub fn type_name(record_type: RecordType) -> &'static str {
	TYPE_NAMES.iter().find(|(known, _)| *known == record_type).map_or("", |(_, name)| name)
}

/// Every record type with its fields in commitment order, the required ones marked: what
/// `medchain_recordTypes` answers.
pub fn record_types() -> Vec<crate::types::RecordTypeFields> {
	TYPE_NAMES
		.iter()
		.map(|(record_type, name)| crate::types::RecordTypeFields {
			record_type: (*name).into(),
			fields: record_type
				.fields()
				.iter()
				.map(|field| crate::types::FieldRule {
					name: (*field).into(),
					required: required_fields(*record_type).contains(field),
				})
				.collect(),
		})
		.collect()
}

/// The fields a record of `record_type` must have.
pub fn required_fields(record_type: RecordType) -> &'static [&'static str] {
	match record_type {
		RecordType::Diagnosis => &["diagnosis", "doctor", "date"],
		RecordType::LabResult => &["test_name", "result_value", "date"],
		RecordType::Prescription => &["medication", "dosage", "refills", "doctor", "date"],
		RecordType::TreatmentPlan => &["diagnosis", "treatment", "doctor", "date"],
		RecordType::MedicalHistory => &["date"],
		RecordType::VitalSigns => &["recorded_by", "date"],
		RecordType::Imaging => &["modality", "body_part", "date"],
		RecordType::Vaccination => &["vaccine", "dose_number", "administered_by", "date"],
	}
}

/// The mask of the fields named `names`, which every record type in `types` must have (a
/// share's or a consent request's field selection).
pub fn field_mask(types: &[RecordType], names: &[String]) -> Result<FieldMask, ApiError> {
	let invalid = |message: &str| ErrorCode::InvalidShareTerms.error(message);
	let Some(first) = types.first() else { return Err(invalid("no records")) };
	if types.iter().any(|other| other != first) {
		return Err(invalid("fields can be chosen by name only for records of one type"));
	}
	let mut mask = None::<FieldMask>;
	for name in names {
		let index = first.fields().iter().position(|field| field == name).ok_or_else(|| {
			ErrorCode::UnknownField.error(format!("{} has no field {name:?}", type_name(*first)))
		})?;
		let index = u8::try_from(index).map_err(|_| invalid("field index"))?;
		mask = Some(mask.map_or(FieldMask::only(index), |mask| mask.with(index)));
	}
	mask.ok_or_else(|| invalid("fields names no field"))
}

/// The committed values of a record of `record_type` with these JSON `fields`, in the type's
/// field order.
pub fn values(
	record_type: RecordType,
	fields: &serde_json::Map<String, serde_json::Value>,
) -> Result<Vec<FieldValue>, ApiError> {
	if let Some(unknown) = fields.keys().find(|name| record_type.field_index(name).is_none()) {
		return Err(ErrorCode::UnknownField.error(format!(
			"{} has no field {unknown:?}; its fields are {}",
			type_name(record_type),
			record_type.fields().join(", ")
		)));
	}
	let values = record_type
		.fields()
		.iter()
		.map(|name| match fields.get(*name) {
			None | Some(serde_json::Value::Null) => Ok(None),
			Some(serde_json::Value::String(text)) => Ok(Some(text.as_bytes().to_vec())),
			Some(_) => Err(ErrorCode::InvalidFieldValue
				.error(format!("field {name:?} must be a string or null"))),
		})
		.collect::<Result<Vec<_>, _>>()?;
	for required in required_fields(record_type) {
		let present = record_type
			.field_index(required)
			.and_then(|index| values.get(usize::from(index)))
			.is_some_and(Option::is_some);
		if !present {
			return Err(ErrorCode::MissingField
				.error(format!("{} requires field {required:?}", type_name(record_type))));
		}
	}
	Ok(values)
}

/// A client request id, checked.
pub fn client_request_id(text: &str) -> Result<&str, ApiError> {
	if text.is_empty() || text.len() > MAX_CLIENT_REQUEST_ID {
		return Err(ErrorCode::InvalidRequestId
			.error(format!("clientRequestId must be 1 to {MAX_CLIENT_REQUEST_ID} bytes")));
	}
	Ok(text)
}

#[cfg(test)]
mod tests {
	use super::*;
	use serde_json::json;

	fn map(value: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
		value.as_object().cloned().unwrap_or_default()
	}

	#[test]
	fn every_type_has_a_name_and_its_required_fields() {
		for record_type in RecordType::ALL {
			assert_eq!(super::record_type(type_name(record_type)), Ok(record_type));
			for field in required_fields(record_type) {
				assert!(record_type.field_index(field).is_some(), "{record_type:?}.{field}");
			}
		}
	}

	#[test]
	fn fields_map_to_values_in_type_order() {
		let fields = map(
			json!({ "date": "2026-11-30", "diagnosis": "flu", "doctor": "Dr A", "notes": null }),
		);
		let values = values(RecordType::Diagnosis, &fields).unwrap();
		assert_eq!(values.len(), 7);
		assert_eq!(values[0].as_deref(), Some(&b"flu"[..]));
		assert_eq!(values[5].as_deref(), Some(&b"2026-11-30"[..]));
		assert_eq!(values[6], None);
	}

	#[test]
	fn bad_fields_get_their_codes() {
		let code = |fields: serde_json::Value| {
			values(RecordType::Diagnosis, &map(fields)).unwrap_err().code()
		};
		let base = json!({ "diagnosis": "flu", "doctor": "Dr A", "date": "d" });
		let mut unknown = base.clone();
		unknown["blood_type"] = json!("0+");
		assert_eq!(code(unknown), ErrorCode::UnknownField.code());
		let mut number = base.clone();
		number["severity"] = json!(3);
		assert_eq!(code(number), ErrorCode::InvalidFieldValue.code());
		assert_eq!(
			code(json!({ "diagnosis": "flu", "date": "d" })),
			ErrorCode::MissingField.code()
		);
		assert_eq!(
			super::record_type("XRAY").unwrap_err().code(),
			ErrorCode::UnknownRecordType.code()
		);
	}
}
