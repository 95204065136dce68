//! Every kind of exported resource validates against the FHIR R5 models (`fhir.resources`),
//! and carries what an auditor needs: the break-glass flag, the refusal's reason, the grant's
//! status and field selection.

use medchain_app_api::audit::{
	AccessKind, Disclosure, LoggedAccess, RefusedAttempt, ReleaseReceipt,
};
use medchain_app_api::{MemberRef, PrescriptionFill, PrescriptionVerification};
use medchain_fhir::{audit_event, bundle, consent, medication};
use medchain_primitives::{
	shares::{FieldSelection, Grant, GrantStatus, GrantTerms, Grantor, PurposeOfUse, TokenKey},
	FieldMask, RecordType,
};
use medchain_tests::fhir as validation;
use serde_json::Value;

const PATIENT: [u8; 32] = [7; 32];
const RECORD: [u8; 32] = [9; 32];

fn share_access() -> LoggedAccess {
	LoggedAccess {
		access_id: 17,
		kind: AccessKind::Share,
		break_glass: false,
		break_glass_reason: None,
		grant_id: Some(4),
		record_id: RECORD.into(),
		record_type: Some("DIAGNOSIS".into()),
		patient: PATIENT.into(),
		accessor_hospital: Some(1),
		custodian: 0,
		fields: vec!["diagnosis".into(), "treatment".into(), "doctor".into(), "date".into()],
		purpose: "TREAT".into(),
		block: 120,
		time: "2026-11-30T07:00:00.000Z".into(),
		disclosure: Disclosure::Released,
		release: Some(ReleaseReceipt {
			block: 122,
			time: "2026-11-30T07:00:06.000Z".into(),
			response_hash: [3; 32].into(),
		}),
	}
}

fn break_glass() -> LoggedAccess {
	LoggedAccess {
		access_id: 18,
		kind: AccessKind::BreakGlass,
		break_glass: true,
		break_glass_reason: Some("LifeThreatening".into()),
		grant_id: None,
		accessor_hospital: Some(3),
		purpose: "ETREAT".into(),
		disclosure: Disclosure::NeverReleased,
		release: None,
		..share_access()
	}
}

fn refusal(hospital: Option<u32>) -> RefusedAttempt {
	RefusedAttempt {
		block: 130,
		index: 2,
		time: "2026-11-30T07:00:30.000Z".into(),
		signer: [1; 32].into(),
		hospital,
		kind: if hospital.is_some() { AccessKind::Share } else { AccessKind::Patient },
		grant_id: hospital.map(|_| 4),
		break_glass_reason: None,
		record_id: RECORD.into(),
		patient: Some(PATIENT.into()),
		custodian: Some(0),
		purpose: "TREAT".into(),
		reason: "GrantRevoked".into(),
	}
}

fn grant(
	fields: FieldSelection,
	grantor: Grantor,
	status: GrantStatus<[u8; 32], u32>,
) -> Grant<[u8; 32], u32, Vec<[u8; 32]>> {
	Grant {
		patient: PATIENT,
		terms: GrantTerms {
			records: vec![RECORD],
			fields,
			grantee: matches!(grantor, Grantor::Custodian(_)).then_some(1),
			duration: 28_800,
			max_uses: Some(2),
			purpose: PurposeOfUse::Treatment,
			token_key: TokenKey::from_raw([5; 32]),
		},
		grantor,
		created_at: 100,
		expires_at: 28_900,
		uses: 1,
		status,
	}
}

fn time_of(block: u32) -> String {
	format!("2026-11-30T{:02}:{:02}:00.000Z", (block / 1200) % 24, (block / 20) % 60)
}

fn consents() -> Vec<Value> {
	let records = [(RECORD, Some((RecordType::Diagnosis, 0)))];
	let only = FieldSelection::Only(FieldMask::only(0).with(3));
	let revoked = GrantStatus::Revoked { at: 125, by: PATIENT };
	let by_custodian = grant(only, Grantor::Custodian(0), revoked);
	let requested = grant(
		FieldSelection::AllButNotes,
		Grantor::ConsentRequest { request: 2, requester: 1 },
		GrantStatus::Active,
	);
	[(4, &by_custodian), (5, &requested)]
		.into_iter()
		.map(|(grant_id, grant)| {
			consent::of_grant(&consent::ShareGrant {
				grant_id,
				grant,
				records: &records,
				time_of: &time_of,
				at: 200,
			})
		})
		.collect()
}

fn member(id: u32, name: &str) -> MemberRef {
	MemberRef { id, name: name.into(), status: "active".into() }
}

/// A prescription with one refill, filled by pharmacies 4 and 5.
fn prescription() -> PrescriptionVerification {
	let fill = |fill_no: u32, pharmacy: MemberRef| PrescriptionFill {
		fill_no,
		pharmacy,
		record_id: RECORD.into(),
		quantity: 30,
		block: 50 + fill_no,
		time: time_of(50 + fill_no),
	};
	PrescriptionVerification {
		record_id: RECORD.into(),
		authentic: true,
		prescriber: member(0, "Hospital A"),
		patient: PATIENT.into(),
		status: "active".into(),
		amended_by: None,
		field_root: [3; 32].into(),
		anchored_at: time_of(40),
		expires_at: "2027-11-30T00:00:00.000Z".into(),
		expired: false,
		fills_allowed: 2,
		fills_used: 2,
		fills_left: 0,
		fills: vec![fill(1, member(4, "Pharmacy P")), fill(2, member(5, "Pharmacy Q"))],
		block: 60,
		fields: None,
	}
}

#[test]
fn every_exported_resource_validates_as_fhir_r5() {
	let mut resources = vec![
		audit_event::of_access(&share_access()),
		audit_event::of_access(&break_glass()),
		audit_event::of_refusal(&refusal(Some(2))),
		audit_event::of_refusal(&refusal(None)),
	];
	resources.extend(consents());
	resources.push(medication::medication_request(&prescription()));
	resources.extend(medication::medication_dispenses(&prescription()));
	let exported = bundle(resources, "2026-11-30T07:10:00.000Z", Some("0x01"));
	let summary = validation::validate(&exported).unwrap();
	assert!(
		summary.contains(
			"Bundle with 4 AuditEvent, 2 Consent, 2 MedicationDispense, 1 MedicationRequest"
		),
		"{summary}"
	);
	assert_eq!(exported["link"][0]["url"], "urn:medchain:cursor:0x01");

	// The validator does reject what R5 forbids: an R4-style outcome.
	let mut r4_style = exported.clone();
	r4_style["entry"][0]["resource"]["outcome"] = Value::from("0");
	let refused = validation::validate(&r4_style).unwrap_err();
	assert!(refused.contains("outcome"), "{refused}");
}

#[test]
fn an_audit_event_says_what_an_auditor_asks() {
	let shared = audit_event::of_access(&share_access());
	assert_eq!(shared["outcome"]["code"]["code"], "0");
	assert_eq!(shared["authorization"][0]["coding"][0]["code"], "TREAT");
	assert_eq!(shared["agent"][0]["who"]["identifier"]["value"], "1");
	assert_eq!(shared["source"]["observer"]["identifier"]["value"], "0");
	let details = shared["entity"][1]["detail"].as_array().unwrap();
	let released: Vec<&str> = details
		.iter()
		.filter(|detail| detail["type"]["coding"][0]["code"] == "released-field")
		.map(|detail| detail["valueCodeableConcept"]["coding"][0]["code"].as_str().unwrap())
		.collect();
	assert_eq!(released, ["diagnosis", "treatment", "doctor", "date"]);

	let emergency = audit_event::of_access(&break_glass());
	let categories: Vec<&str> = emergency["category"]
		.as_array()
		.unwrap()
		.iter()
		.map(|category| category["coding"][0]["code"].as_str().unwrap())
		.collect();
	assert!(categories.contains(&"110113"), "break-glass is flagged: {categories:?}");
	assert_eq!(emergency["authorization"][1]["coding"][0]["code"], "BTG");
	assert_eq!(emergency["severity"], "notice");
	assert_eq!(emergency["outcome"]["code"]["code"], "4", "never released: no disclosure happened");
	let awaiting =
		LoggedAccess { disclosure: Disclosure::AwaitingRelease, release: None, ..share_access() };
	assert!(audit_event::of_access(&awaiting).get("outcome").is_none());

	let refused = audit_event::of_refusal(&refusal(Some(2)));
	assert_eq!(refused["outcome"]["code"]["code"], "4");
	assert_eq!(refused["outcome"]["detail"][0]["coding"][0]["code"], "GrantRevoked");
	assert_eq!(refused["id"], "medchain-refusal-130-2");
}

#[test]
fn a_consent_carries_the_grant_status_and_field_selection() {
	let consents = consents();
	let (revoked, active) = (&consents[0], &consents[1]);
	assert_eq!(revoked["status"], "inactive");
	let codes: Vec<&str> = revoked["provision"][0]["code"]
		.as_array()
		.unwrap()
		.iter()
		.map(|code| code["coding"][0]["code"].as_str().unwrap())
		.collect();
	assert_eq!(codes, ["diagnosis", "treatment"]);
	assert_eq!(revoked["grantee"][0]["identifier"]["value"], "1");
	assert_eq!(revoked["verification"][0]["verifiedBy"]["identifier"]["value"], "0");

	assert_eq!(active["status"], "active");
	assert_eq!(active["provision"][0]["provision"][0]["code"][0]["coding"][0]["code"], "notes");
	assert_eq!(active["period"]["end"], time_of(28_900));
	assert_eq!(active["controller"][0]["identifier"]["value"], "0");
}

#[test]
fn a_prescription_and_its_fills_say_who_prescribed_and_who_dispensed() {
	let request = medication::medication_request(&prescription());
	assert_eq!(request["status"], "completed", "every fill is used");
	assert_eq!(request["requester"]["display"], "Hospital A");
	assert_eq!(request["dispenseRequest"]["numberOfRepeatsAllowed"], 1);
	assert_eq!(request["medication"]["concept"]["extension"][0]["valueCode"], "masked");

	let dispenses = medication::medication_dispenses(&prescription());
	let performers: Vec<&Value> =
		dispenses.iter().map(|dispense| &dispense["performer"][0]["actor"]["display"]).collect();
	assert_eq!(performers, ["Pharmacy P", "Pharmacy Q"]);
	assert_eq!(dispenses[1]["quantity"]["value"], 30);
	assert_eq!(dispenses[1]["authorizingPrescription"][0]["type"], "MedicationRequest");
}
