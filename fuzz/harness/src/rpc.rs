//! The medchain RPC's request parsing. The first byte picks a request; the rest is its JSON, read
//! as the server reads it (serde), then checked as the custodian checks it: record types,
//! fields and client request ids of submitted records; share tokens; share terms (records,
//! fields by name, purpose, token key, duration); access-log queries (subject, times, limit,
//! cursor); and ids in hex or SS58.

use std::str::FromStr;

use medchain_app_api::{
	access_log_query::Query,
	audit::AccessLogQuery,
	consent, fields,
	ids::{AccountId, Hash32},
	types::{AccessShared, CreateShare, SubmitRecord},
};
use medchain_primitives::RecordType;
use medchain_token::ShareToken;

/// Milliseconds per block, as the local chain's.
const SLOT_MILLIS: u64 = medchain_runtime::SLOT_DURATION;

/// Parses and checks the request `data` holds.
pub fn run(data: &[u8]) {
	let Some((&kind, json)) = data.split_first() else { return };
	match kind % 5 {
		0 => submit_records(json),
		1 => {
			if let Ok(request) = serde_json::from_slice::<AccessShared>(json) {
				let _ = ShareToken::parse(&request.share_token);
			}
		}
		2 => create_share(json),
		3 => access_log_query(json),
		_ => ids(json),
	}
}

fn submit_records(json: &[u8]) {
	let Ok(records) = serde_json::from_slice::<Vec<SubmitRecord>>(json) else { return };
	for record in records {
		let _ = fields::client_request_id(&record.client_request_id);
		if let Ok(record_type) = fields::record_type(&record.record_type) {
			if let Ok(values) = fields::values(record_type, &record.fields) {
				let count = usize::try_from(record_type.field_count()).ok();
				assert_eq!(Some(values.len()), count, "values for another field count");
			}
		}
	}
}

fn create_share(json: &[u8]) {
	let Ok(share) = serde_json::from_slice::<CreateShare>(json) else { return };
	let Ok(records) = consent::record_ids(&share.terms) else { return };
	// The records' types come from the chain; here each is a vital-signs record.
	let types = vec![RecordType::VitalSigns; records.len()];
	if let Ok((patient, terms)) = consent::chain_terms(&share.terms, records, &types, SLOT_MILLIS) {
		assert_eq!(patient, share.terms.patient.0, "terms for another patient");
		assert!(terms.duration > 0, "a share of no duration");
	}
}

fn access_log_query(json: &[u8]) {
	let Ok(request) = serde_json::from_slice::<AccessLogQuery>(json) else { return };
	let Ok(query) = Query::parse(&request) else { return };
	if let Some(cursor) = &request.cursor {
		assert_eq!(query.cursor.to_hex(), cursor.to_lowercase(), "a cursor reads back as another");
	}
}

fn ids(json: &[u8]) {
	let Ok(text) = std::str::from_utf8(json) else { return };
	if let Ok(hash) = Hash32::from_str(text) {
		let printed = serde_json::to_value(hash).ok();
		assert_eq!(
			printed,
			Some(serde_json::Value::String(text.to_lowercase())),
			"an id reads back as another"
		);
	}
	let _ = AccountId::from_ss58_or_hex(text);
}
