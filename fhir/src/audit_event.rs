//! Access-log rows as FHIR R5 AuditEvents, after IHE BALP (an R4 guide: its patterns, not its
//! profiles).
//!
//! - An access entry is a disclosure by the custodian (BALP PrivacyDisclosure.Source): category
//!   DICOM 110106 Export, code `disclose`, action R. The accessor is the requesting agent (DICOM
//!   110152), the custodian the source agent (110153), the custodian's node the observer. The
//!   patient is `patient` and an entity (role 1); the record is an entity (role 4) whose
//!   details are its type, each released field and the custodian's release receipt.
//!   A break-glass access also gets category 110113 Security Alert, authorization BTG and
//!   severity `notice`.
//! - A refused attempt is an authorization decision (BALP AuthZ-Consent) by the chain: action
//!   E, outcome 4 (minor failure) with the chain's reason in `outcome.detail`.

use medchain_app_api::audit::{AccessKind, Disclosure, LoggedAccess, RefusedAttempt};
use serde_json::{json, Value};

use crate::codes::{self, coding, concept, local};

/// The AuditEvent of an access entry.
pub fn of_access(access: &LoggedAccess) -> Value {
	let patient = codes::patient(&access.patient.to_string());
	let mut category = vec![concept(codes::DICOM, "110106", Some("Export"))];
	let mut authorization = vec![codes::purpose(&access.purpose)];
	if access.break_glass {
		category.push(concept(codes::DICOM, "110113", Some("Security Alert")));
		authorization.push(concept(codes::ACT_REASON, "BTG", Some("break the glass")));
	}
	category.push(local("access-kind", kind_code(access.kind)));

	let mut recipient = json!({
		"type": concept(codes::DICOM, "110152", Some("Destination Role ID")),
		"who": access.accessor_hospital.map_or_else(|| patient.clone(), codes::hospital),
		"requestor": true,
	});
	if let Some(grant) = access.grant_id {
		recipient["policy"] = json!([format!("{}:{grant}", codes::GRANT)]);
	}
	if let Some(reason) = &access.break_glass_reason {
		recipient["authorization"] = json!([local("break-glass-reason", reason)]);
	}
	let source = json!({
		"type": concept(codes::DICOM, "110153", Some("Source Role ID")),
		"who": codes::hospital(access.custodian),
		"requestor": false,
	});

	let mut details = Vec::new();
	if let Some(record_type) = &access.record_type {
		details.push(detail(
			"record-type",
			"valueCodeableConcept",
			local("record-type", record_type),
		));
	}
	for field in &access.fields {
		details.push(detail(
			"released-field",
			"valueCodeableConcept",
			local("record-field", field),
		));
	}
	details.push(detail(
		"disclosure",
		"valueCodeableConcept",
		local("disclosure", disclosure_code(access.disclosure)),
	));
	if let Some(release) = &access.release {
		details.push(detail("release-response-hash", "valueString", json!(release.response_hash)));
		details.push(detail("release-block", "valueInteger", json!(release.block)));
		details.push(detail("release-time", "valueDateTime", json!(release.time)));
	}
	let mut entity = vec![
		json!({ "what": patient, "role": concept(codes::OBJECT_ROLE, "1", Some("Patient")) }),
		json!({
			"what": codes::record(&access.record_id.to_string(), access.record_type.as_deref()),
			"role": concept(codes::OBJECT_ROLE, "4", Some("Domain Resource")),
			"detail": details,
		}),
	];
	if let Some(grant) = access.grant_id {
		entity.push(json!({ "what": codes::grant(grant) }));
	}

	let mut event = json!({
		"resourceType": "AuditEvent",
		"id": format!("medchain-access-{}", access.access_id),
		"extension": [
			codes::integer64("access-id", access.access_id),
			codes::integer64("block-number", u64::from(access.block)),
		],
		"category": category,
		"code": concept(codes::LIFECYCLE, "disclose", Some("Disclose Record Lifecycle Event")),
		"action": "R",
		"severity": if access.break_glass { "notice" } else { "informational" },
		"occurredDateTime": access.time,
		"recorded": access.time,
		"authorization": authorization,
		"patient": patient,
		"agent": [recipient, source],
		"source": {
			"observer": codes::node(access.custodian),
			"type": [concept(codes::SOURCE_TYPE, "4", Some("Application Server"))],
		},
		"entity": entity,
	});
	// Only a confirmed release is a disclosure that happened; one still awaited has no
	// outcome yet.
	match access.disclosure {
		Disclosure::Released => {
			event["outcome"] = json!({ "code": coding(codes::OUTCOME, "0", Some("Success")) });
		}
		Disclosure::NeverReleased => {
			let mut detail = local("disclosure", "never-released");
			detail["text"] = json!("authorized on chain; the custodian confirmed no release within the release lifetime");
			event["outcome"] = json!({
				"code": coding(codes::OUTCOME, "4", Some("Minor failure")),
				"detail": [detail],
			});
		}
		Disclosure::AwaitingRelease => {}
	}
	event
}

/// The AuditEvent of a refused attempt.
pub fn of_refusal(attempt: &RefusedAttempt) -> Value {
	let mut requester = json!({
		"type": concept(codes::PARTICIPATION, "IRCP", Some("information recipient")),
		"who": attempt.hospital.map_or_else(
			|| json!({
				"identifier": { "system": codes::ACCOUNT, "value": attempt.signer },
				"display": "the signing account",
			}),
			codes::hospital,
		),
		"requestor": true,
	});
	if let Some(grant) = attempt.grant_id {
		requester["policy"] = json!([format!("{}:{grant}", codes::GRANT)]);
	}
	let mut category = vec![
		concept(codes::DICOM, "110113", Some("Security Alert")),
		local("access-kind", kind_code(attempt.kind)),
	];
	if attempt.kind == AccessKind::BreakGlass {
		category.push(concept(codes::DICOM, "110106", Some("Export")));
	}
	let mut entity = Vec::new();
	if let Some(patient) = &attempt.patient {
		entity.push(json!({ "what": codes::patient(&patient.to_string()), "role": concept(codes::OBJECT_ROLE, "1", Some("Patient")) }));
	}
	entity.push(json!({
		"what": codes::record(&attempt.record_id.to_string(), None),
		"role": concept(codes::OBJECT_ROLE, "4", Some("Domain Resource")),
	}));
	if let Some(grant) = attempt.grant_id {
		entity.push(json!({ "what": codes::grant(grant) }));
	}
	let mut reason = local("access-refusal", &attempt.reason);
	reason["text"] = json!(format!("the chain refused the access: {}", attempt.reason));

	let mut event = json!({
		"resourceType": "AuditEvent",
		"id": format!("medchain-refusal-{}-{}", attempt.block, attempt.index),
		"extension": [
			codes::integer64("block-number", u64::from(attempt.block)),
			codes::unsigned("extrinsic-index", attempt.index),
		],
		"category": category,
		"code": concept(codes::BALP_AUTHZ, "AuthZ-Consent", Some("Authorization Decision using Roles and Consent")),
		"action": "E",
		"severity": "warning",
		"occurredDateTime": attempt.time,
		"recorded": attempt.time,
		"outcome": { "code": coding(codes::OUTCOME, "4", Some("Minor failure")), "detail": [reason] },
		"authorization": [codes::purpose(&attempt.purpose)],
		"agent": [
			requester,
			{
				"type": concept(codes::SECURITY_ROLE, "authserver", Some("Authorization Server")),
				"who": codes::chain(),
				"requestor": false,
			},
		],
		"source": {
			"observer": codes::chain(),
			"type": [concept(codes::SOURCE_TYPE, "6", Some("Security Server"))],
		},
		"entity": entity,
	});
	if let Some(patient) = &attempt.patient {
		event["patient"] = codes::patient(&patient.to_string());
	}
	event
}

fn detail(code: &str, value_name: &str, value: Value) -> Value {
	let mut detail = json!({ "type": local("audit-detail", code) });
	detail[value_name] = value;
	detail
}

fn kind_code(kind: AccessKind) -> &'static str {
	match kind {
		AccessKind::Share => "share",
		AccessKind::BreakGlass => "break-glass",
		AccessKind::Patient => "patient",
	}
}

fn disclosure_code(disclosure: Disclosure) -> &'static str {
	match disclosure {
		Disclosure::Released => "released",
		Disclosure::AwaitingRelease => "awaiting-release",
		Disclosure::NeverReleased => "never-released",
	}
}
