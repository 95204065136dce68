//! A prescription's terms as an app submits them: the `refills` field, and `validUntil`.

use medchain_primitives::{
	prescription::{PrescriptionRequest, MAX_REFILLS},
	RecordType,
};

use crate::{time, ApiError, ErrorCode};

/// The terms a record of `record_type` is anchored with: `Some` for a prescription (its
/// `refills` field, a whole number from 0 to [`MAX_REFILLS`], and `valid_until`, RFC 3339,
/// in the future), `None` for any other type, which may not name `valid_until`. The expiry is
/// kept as asked, so that a retry repeats it exactly; the chain caps it at a year
/// ([`medchain_primitives::prescription::MAX_VALIDITY_MILLIS`]) from anchoring.
pub fn terms(
	record_type: RecordType,
	fields: &serde_json::Map<String, serde_json::Value>,
	valid_until: Option<&str>,
	now_millis: u64,
) -> Result<Option<PrescriptionRequest>, ApiError> {
	let invalid = |message: String| ErrorCode::InvalidFieldValue.error(message);
	if record_type != RecordType::Prescription {
		return match valid_until {
			Some(_) => Err(invalid("validUntil is only for PRESCRIPTION records".into())),
			None => Ok(None),
		};
	}
	let refills = match fields.get("refills") {
		Some(serde_json::Value::String(text)) => text.trim().parse::<u32>().ok(),
		_ => None,
	}
	.filter(|refills| *refills <= MAX_REFILLS)
	.ok_or_else(|| invalid(format!("refills must be a whole number from 0 to {MAX_REFILLS}")))?;
	let expires_at = valid_until
		.map(|text| {
			let at = time::parse_rfc3339(text)
				.ok_or_else(|| invalid(format!("validUntil {text:?} is not an RFC 3339 time")))?;
			if at <= now_millis {
				return Err(invalid(format!("validUntil {text} has passed")));
			}
			Ok(at)
		})
		.transpose()?;
	Ok(Some(PrescriptionRequest { refills, expires_at }))
}

#[cfg(test)]
mod tests {
	use super::*;
	use medchain_primitives::prescription::MAX_VALIDITY_MILLIS;
	use serde_json::json;

	const NOW: u64 = 1_796_079_600_000;

	fn refills(value: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
		json!({ "refills": value }).as_object().cloned().unwrap_or_default()
	}

	fn code(result: Result<Option<PrescriptionRequest>, ApiError>) -> ErrorCode {
		result.expect_err("refused").code
	}

	#[test]
	fn a_prescription_takes_its_refills_and_expiry() {
		let in_thirty_days = time::rfc3339(NOW + 30 * 24 * 3_600_000);
		assert_eq!(
			terms(RecordType::Prescription, &refills(json!("1")), Some(&in_thirty_days), NOW),
			Ok(Some(PrescriptionRequest {
				refills: 1,
				expires_at: Some(NOW + 30 * 24 * 3_600_000)
			}))
		);
		assert_eq!(
			terms(RecordType::Prescription, &refills(json!("0")), None, NOW),
			Ok(Some(PrescriptionRequest { refills: 0, expires_at: None }))
		);
		let in_two_years = time::rfc3339(NOW + 2 * MAX_VALIDITY_MILLIS);
		assert_eq!(
			terms(RecordType::Prescription, &refills(json!("3")), Some(&in_two_years), NOW),
			Ok(Some(PrescriptionRequest {
				refills: 3,
				expires_at: Some(NOW + 2 * MAX_VALIDITY_MILLIS)
			}))
		);
	}

	#[test]
	fn bad_terms_are_refused_with_the_reason() {
		for bad in [json!("twelve"), json!("12"), json!("-1"), json!(1), json!(null)] {
			let result = terms(RecordType::Prescription, &refills(bad.clone()), None, NOW);
			assert_eq!(code(result), ErrorCode::InvalidFieldValue, "{bad}");
		}
		let yesterday = time::rfc3339(NOW - 24 * 3_600_000);
		let result = terms(RecordType::Prescription, &refills(json!("1")), Some(&yesterday), NOW);
		assert_eq!(code(result), ErrorCode::InvalidFieldValue);
		let result = terms(RecordType::Prescription, &refills(json!("1")), Some("soon"), NOW);
		assert_eq!(code(result), ErrorCode::InvalidFieldValue);
	}

	#[test]
	fn only_a_prescription_has_terms() {
		let fields = serde_json::Map::new();
		assert_eq!(terms(RecordType::Diagnosis, &fields, None, NOW), Ok(None));
		let result = terms(RecordType::Diagnosis, &fields, Some("2027-01-01T00:00:00Z"), NOW);
		assert_eq!(code(result), ErrorCode::InvalidFieldValue);
	}
}
