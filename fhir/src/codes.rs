//! The identifier systems, code systems and extensions the export uses, and the small JSON
//! builders every resource shares.
//!
//! Standard systems are HL7's and DICOM's; `urn:medchain:*` ones are medchain's own: hospitals,
//! accounts, records and grants have no FHIR server, so references carry an identifier and a
//! display, never a literal URL.

use serde_json::{json, Value};

/// Member ids (decimal): hospitals and pharmacies.
pub const HOSPITAL: &str = "urn:medchain:hospital";
/// A hospital's node, by hospital id.
pub const HOSPITAL_NODE: &str = "urn:medchain:hospital-node";
/// Account ids (patient pseudonyms, signers), `0x` and 64 hex digits.
pub const ACCOUNT: &str = "urn:medchain:account";
/// Record ids, `0x` and 64 hex digits.
pub const RECORD: &str = "urn:medchain:record";
/// Share grant ids (decimal).
pub const GRANT: &str = "urn:medchain:grant";
/// The chain itself (its runtime decides accesses).
pub const CHAIN: &str = "urn:medchain:chain";
/// medchain's local code systems: `record-field`, `record-type`, `access-kind`,
/// `break-glass-reason`, `access-refusal`, `audit-detail`, `grantor`.
pub const LOCAL: &str = "urn:medchain:codesystem:";
/// medchain's extensions.
pub const EXTENSION: &str = "urn:medchain:fhir:extension:";

/// DICOM (audit event types and agent roles).
pub const DICOM: &str = "http://dicom.nema.org/resources/ontology/DCM";
/// AuditEvent outcomes.
pub const OUTCOME: &str = "http://terminology.hl7.org/CodeSystem/audit-event-outcome";
/// HL7 v3 ActReason: PurposeOfUse, and BTG (break the glass).
pub const ACT_REASON: &str = "http://terminology.hl7.org/CodeSystem/v3-ActReason";
/// HL7 v3 ActCode.
pub const ACT_CODE: &str = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
/// ISO 21089 record lifecycle events.
pub const LIFECYCLE: &str = "http://terminology.hl7.org/CodeSystem/iso-21089-lifecycle";
/// AuditEvent entity roles.
pub const OBJECT_ROLE: &str = "http://terminology.hl7.org/CodeSystem/object-role";
/// AuditEvent source types.
pub const SOURCE_TYPE: &str = "http://terminology.hl7.org/CodeSystem/security-source-type";
/// Security role types (the authorization server).
pub const SECURITY_ROLE: &str = "http://terminology.hl7.org/CodeSystem/extra-security-role-type";
/// HL7 v3 ParticipationType (information recipient).
pub const PARTICIPATION: &str = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";
/// Consent actions.
pub const CONSENT_ACTION: &str = "http://terminology.hl7.org/CodeSystem/consentaction";
/// Consent scopes.
pub const CONSENT_SCOPE: &str = "http://terminology.hl7.org/CodeSystem/consentscope";
/// Consent verification types.
pub const CONSENT_VERIFICATION: &str = "http://terminology.hl7.org/CodeSystem/consentverification";
/// IHE BALP authorization decision subtypes.
pub const BALP_AUTHZ: &str = "https://profiles.ihe.net/ITI/BALP/CodeSystem/AuthZsubType";

/// The display of an HL7 PurposeOfUse code.
pub fn purpose_display(code: &str) -> Option<&'static str> {
	Some(match code {
		"TREAT" => "treatment",
		"ETREAT" => "Emergency Treatment",
		"CAREMGT" => "care management",
		"COC" => "coordination of care",
		"PATRQT" => "patient requested",
		"HPAYMT" => "healthcare payment",
		"HOPERAT" => "healthcare operations",
		"HRESCH" => "healthcare research",
		"PUBHLTH" => "public health",
		"HLEGAL" => "legal",
		_ => return None,
	})
}

/// A Coding.
pub fn coding(system: &str, code: &str, display: Option<&str>) -> Value {
	match display {
		Some(display) => json!({ "system": system, "code": code, "display": display }),
		None => json!({ "system": system, "code": code }),
	}
}

/// A CodeableConcept of one Coding.
pub fn concept(system: &str, code: &str, display: Option<&str>) -> Value {
	json!({ "coding": [coding(system, code, display)] })
}

/// A CodeableConcept of one of medchain's local codes (`system` is the part after
/// [`LOCAL`]).
pub fn local(system: &str, code: &str) -> Value {
	concept(&format!("{LOCAL}{system}"), code, None)
}

/// The purpose of use, as a CodeableConcept.
pub fn purpose(code: &str) -> Value {
	concept(ACT_REASON, code, purpose_display(code))
}

/// A hospital, as an Organization reference.
pub fn hospital(id: u32) -> Value {
	json!({
		"type": "Organization",
		"identifier": { "system": HOSPITAL, "value": id.to_string() },
		"display": format!("Hospital {id}"),
	})
}

/// A hospital's node, as a Device reference.
pub fn node(hospital: u32) -> Value {
	json!({
		"type": "Device",
		"identifier": { "system": HOSPITAL_NODE, "value": hospital.to_string() },
		"display": format!("medchain node of hospital {hospital}"),
	})
}

/// The chain's runtime, as a Device reference.
pub fn chain() -> Value {
	json!({
		"type": "Device",
		"identifier": { "system": CHAIN, "value": "medchain" },
		"display": "medchain runtime (access log)",
	})
}

/// A patient pseudonym (`0x`-hex account id), as a Patient reference.
pub fn patient(account: &str) -> Value {
	json!({
		"type": "Patient",
		"identifier": { "system": ACCOUNT, "value": account },
		"display": format!("patient {}", short(account)),
	})
}

/// A record (not a FHIR resource: identifier and display only).
pub fn record(record_id: &str, record_type: Option<&str>) -> Value {
	json!({
		"identifier": { "system": RECORD, "value": record_id },
		"display": format!("{} record {}", record_type.unwrap_or("medchain"), short(record_id)),
	})
}

/// A share grant, as a Consent reference.
pub fn grant(grant_id: u64) -> Value {
	json!({
		"type": "Consent",
		"identifier": { "system": GRANT, "value": grant_id.to_string() },
		"display": format!("share grant {grant_id}"),
	})
}

/// An extension holding a 64-bit integer (a JSON string in R5).
pub fn integer64(name: &str, value: u64) -> Value {
	json!({ "url": format!("{EXTENSION}{name}"), "valueInteger64": value.to_string() })
}

/// An extension holding an unsigned integer.
pub fn unsigned(name: &str, value: u32) -> Value {
	json!({ "url": format!("{EXTENSION}{name}"), "valueUnsignedInt": value })
}

/// The first hex digits of an id, for displays.
fn short(hex: &str) -> &str {
	hex.get(..10).unwrap_or(hex)
}
