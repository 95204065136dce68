//! Share grants as FHIR R5 Consents.
//!
//! The patient is the subject and the grantor; the grantee hospital (if the grant names one)
//! is the grantee and the provision's recipient; the records' custodians are the controllers.
//! The provision permits access and disclosure of the granted records (`data`), for the
//! grant's purpose, of the granted fields: `code` lists them, or, for the default selection, a
//! nested provision excepts `notes`. Status is `active` while the grant can be used, and
//! `inactive` once revoked (with a `revocation` extension), expired or used up. Chain blocks are
//! kept in extensions beside the times.

use medchain_primitives::{
	commitment::RecordId,
	shares::{FieldSelection, Grant, GrantStatus, Grantor},
	HospitalId, RecordType,
};
use serde_json::{json, Value};

use crate::codes::{self, coding, concept, local};

/// A grant with what its Consent needs besides the chain's grant.
pub struct ShareGrant<'a> {
	/// The grant's id.
	pub grant_id: u64,
	/// The grant, as the chain holds it.
	pub grant: &'a Grant<[u8; 32], u32, Vec<RecordId>>,
	/// Each granted record's type and custodian, where it is anchored.
	pub records: &'a [(RecordId, Option<(RecordType, HospitalId)>)],
	/// The time of a block, RFC 3339 (estimated from the block time for future blocks).
	pub time_of: &'a dyn Fn(u32) -> String,
	/// The block the chain was read at: whether the grant expired is judged there.
	pub at: u32,
}

/// The Consent of `share`.
pub fn of_grant(share: &ShareGrant) -> Value {
	let ShareGrant { grant_id, grant, records, time_of, at } = share;
	let patient = codes::patient(&hex(&grant.patient));
	let terms = &grant.terms;
	let revoked = matches!(grant.status, GrantStatus::Revoked { .. });
	let used_up = terms.max_uses.is_some_and(|max| grant.uses >= max);
	let usable = !revoked && !used_up && *at < grant.expires_at;

	let mut extension = vec![
		json!({ "url": format!("{}grantor", codes::EXTENSION), "valueCode": grantor_code(grant.grantor) }),
		codes::integer64("created-at-block", u64::from(grant.created_at)),
		codes::integer64("expires-at-block", u64::from(grant.expires_at)),
		codes::unsigned("uses", grant.uses),
	];
	if let Some(max_uses) = terms.max_uses {
		extension.push(
			json!({ "url": format!("{}max-uses", codes::EXTENSION), "valuePositiveInt": max_uses }),
		);
	}
	if let GrantStatus::Revoked { at, by } = &grant.status {
		extension.push(json!({
			"url": format!("{}revocation", codes::EXTENSION),
			"extension": [
				{ "url": "block", "valueInteger64": at.to_string() },
				{ "url": "time", "valueDateTime": time_of(*at) },
				{ "url": "by", "valueReference": { "identifier": { "system": codes::ACCOUNT, "value": hex(by) } } },
			],
		}));
	}

	let mut provision = json!({
		"action": [
			concept(codes::CONSENT_ACTION, "access", Some("Access")),
			concept(codes::CONSENT_ACTION, "disclose", Some("Disclose")),
		],
		"purpose": [coding(codes::ACT_REASON, terms.purpose.code(), codes::purpose_display(terms.purpose.code()))],
		"data": terms.records.iter().map(|record_id| {
			let record_type = records.iter().find(|(id, _)| id == record_id)
				.and_then(|(_, anchored)| anchored.map(|(record_type, _)| type_name(record_type)));
			json!({ "meaning": "instance", "reference": codes::record(&hex(record_id), record_type) })
		}).collect::<Vec<_>>(),
	});
	if let Some(grantee) = terms.grantee {
		provision["actor"] = json!([{
			"role": concept(codes::PARTICIPATION, "IRCP", Some("information recipient")),
			"reference": codes::hospital(grantee),
		}]);
	}
	match terms.fields {
		FieldSelection::Only(mask) => {
			provision["code"] = json!(field_names(records, mask.0)
				.into_iter()
				.map(|name| local("record-field", name))
				.collect::<Vec<_>>());
			extension.push(codes::unsigned("field-mask", mask.0));
		}
		FieldSelection::AllButNotes => {
			provision["provision"] = json!([{ "code": [local("record-field", "notes")] }]);
		}
	}

	let created = time_of(grant.created_at);
	let mut consent = json!({
		"resourceType": "Consent",
		"id": format!("medchain-grant-{grant_id}"),
		"extension": extension,
		"identifier": [{ "system": codes::GRANT, "value": grant_id.to_string() }],
		"status": if usable { "active" } else { "inactive" },
		"category": [
			concept(codes::ACT_CODE, "IDSCL", Some("information disclosure")),
			concept(codes::CONSENT_SCOPE, "patient-privacy", Some("Privacy Consent")),
		],
		"subject": patient,
		"date": created.get(..10).unwrap_or(&created),
		"period": { "start": created, "end": time_of(grant.expires_at) },
		"grantor": [patient],
		"decision": "permit",
		"provision": [provision],
	});
	if let Some(grantee) = terms.grantee {
		consent["grantee"] = json!([codes::hospital(grantee)]);
	}
	let mut custodians: Vec<HospitalId> = records
		.iter()
		.filter_map(|(_, anchored)| anchored.map(|(_, custodian)| custodian))
		.collect();
	custodians.sort_unstable();
	custodians.dedup();
	if !custodians.is_empty() {
		consent["controller"] =
			json!(custodians.into_iter().map(codes::hospital).collect::<Vec<_>>());
	}
	if let Grantor::Custodian(hospital) = grant.grantor {
		consent["verification"] = json!([{
			"verified": true,
			"verificationType": concept(codes::CONSENT_VERIFICATION, "validation", Some("Validation")),
			"verifiedBy": codes::hospital(hospital),
			"verifiedWith": patient,
			"verificationDate": [time_of(grant.created_at)],
		}]);
	}
	consent
}

/// The names of the fields in `mask`, over the types of the granted records, without repeats.
fn field_names(
	records: &[(RecordId, Option<(RecordType, HospitalId)>)],
	mask: u32,
) -> Vec<&'static str> {
	let mut names = Vec::new();
	for record_type in
		records.iter().filter_map(|(_, anchored)| anchored.map(|(record_type, _)| record_type))
	{
		for (index, name) in record_type.fields().iter().enumerate() {
			if index < 32 && mask & (1 << index) != 0 && !names.contains(name) {
				names.push(*name);
			}
		}
	}
	names
}

fn type_name(record_type: RecordType) -> &'static str {
	medchain_app_api::fields::type_name(record_type)
}

fn grantor_code(grantor: Grantor) -> &'static str {
	match grantor {
		Grantor::Patient => "patient",
		Grantor::Custodian(_) => "custodian",
		Grantor::ConsentRequest { .. } => "consent-request",
	}
}

fn hex(bytes: &[u8]) -> String {
	format!("0x{}", ::hex::encode(bytes))
}
