//! Prescriptions as FHIR R5 MedicationRequests, and their fills as MedicationDispenses.
//!
//! The chain holds no medication, only the terms (fills allowed, expiry) and the fills, and an
//! auditor's export opens no fields: the medication is `masked` (HL7 data-absent-reason).
//! The request's status follows the chain: `cancelled` once erased, `ended` once amended or
//! expired, `completed` once every fill is used, else `active`.

use medchain_app_api::{MemberRef, PrescriptionFill, PrescriptionVerification};
use serde_json::{json, Value};

use crate::codes;

/// HL7's extension for an element whose value is withheld.
const DATA_ABSENT_REASON: &str = "http://hl7.org/fhir/StructureDefinition/data-absent-reason";

/// The MedicationRequest of a prescription as `verification` reads it.
pub fn medication_request(verification: &PrescriptionVerification) -> Value {
	let record = verification.record_id.to_string();
	json!({
		"resourceType": "MedicationRequest",
		"id": request_id(&record),
		"identifier": [{ "system": codes::RECORD, "value": record }],
		"extension": [
			codes::unsigned("fills-used", verification.fills_used),
			codes::unsigned("fills-left", verification.fills_left),
			codes::unsigned("read-at-block", verification.block),
		],
		"status": request_status(verification),
		"intent": "order",
		"medication": masked_medication(),
		"subject": codes::patient(&verification.patient.to_string()),
		"authoredOn": verification.anchored_at,
		"requester": member(&verification.prescriber),
		"dispenseRequest": {
			"validityPeriod": { "start": verification.anchored_at, "end": verification.expires_at },
			"numberOfRepeatsAllowed": verification.fills_allowed.saturating_sub(1),
		},
	})
}

/// One MedicationDispense per fill of the prescription `verification` reads.
pub fn medication_dispenses(verification: &PrescriptionVerification) -> Vec<Value> {
	let record = verification.record_id.to_string();
	verification.fills.iter().map(|fill| dispense(verification, &record, fill)).collect()
}

fn dispense(
	verification: &PrescriptionVerification,
	record: &str,
	fill: &PrescriptionFill,
) -> Value {
	json!({
		"resourceType": "MedicationDispense",
		"id": format!("{}-fill-{}", request_id(record), fill.fill_no),
		"extension": [
			codes::unsigned("fill-number", fill.fill_no),
			codes::integer64("block", u64::from(fill.block)),
		],
		"status": "completed",
		"medication": masked_medication(),
		"subject": codes::patient(&verification.patient.to_string()),
		"performer": [{ "actor": member(&fill.pharmacy) }],
		"authorizingPrescription": [{
			"type": "MedicationRequest",
			"identifier": { "system": codes::RECORD, "value": fill.record_id.to_string() },
		}],
		"quantity": { "value": fill.quantity },
		"whenHandedOver": fill.time,
	})
}

/// A FHIR id for the request of record `record` (`0x` and 64 hex digits): ids hold 64
/// characters at most, so the first 32 digits.
fn request_id(record: &str) -> String {
	format!("medchain-rx-{}", record.trim_start_matches("0x").get(..32).unwrap_or_default())
}

fn request_status(verification: &PrescriptionVerification) -> &'static str {
	match verification.status.as_str() {
		"erased" => "cancelled",
		"amended" => "ended",
		_ if verification.expired => "ended",
		_ if verification.fills_left == 0 => "completed",
		_ => "active",
	}
}

/// The medication, withheld: the chain holds none.
fn masked_medication() -> Value {
	json!({ "concept": { "extension": [{ "url": DATA_ABSENT_REASON, "valueCode": "masked" }] } })
}

/// A member of the consortium, as an Organization reference with its registry name.
fn member(member: &MemberRef) -> Value {
	json!({
		"type": "Organization",
		"identifier": { "system": codes::HOSPITAL, "value": member.id.to_string() },
		"display": member.name,
	})
}
