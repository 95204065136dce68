//! # medchain FHIR export
//!
//! Maps what auditors read from medchain to FHIR R5 resources:
//!
//! - [`audit_event`]: access-log rows (`medchain-app-api`'s `LoggedAccess` and
//!   `RefusedAttempt`) as AuditEvents, after IHE BALP;
//! - [`consent`]: share grants (`medchain-primitives`' `Grant`) as Consents;
//! - [`medication`]: prescriptions as MedicationRequests, and their fills as
//!   MedicationDispenses;
//! - [`bundle`]: a page of them as a `searchset` Bundle whose `next` link carries the cursor.
//!
//! [`codes`] names every system, code and extension used. The crate only builds JSON: the node
//! serves it (`medchain_exportFhir`). Auditors check it with `fhir/validate.py` against the R5
//! models of the `fhir.resources` Python package; the tests do too (`medchain_tests::fhir`).

#![deny(missing_docs)]

pub mod audit_event;
pub mod codes;
pub mod consent;
pub mod medication;

use serde_json::{json, Value};

/// The scheme of the `next` link's URL: the cursor follows it.
pub const CURSOR_LINK: &str = "urn:medchain:cursor:";

/// A `searchset` Bundle of `resources`, read at `timestamp` (RFC 3339), with a `next` link if
/// there is a next page.
pub fn bundle(resources: Vec<Value>, timestamp: &str, next_cursor: Option<&str>) -> Value {
	let entry: Vec<Value> = resources
		.into_iter()
		.map(|resource| json!({ "resource": resource, "search": { "mode": "match" } }))
		.collect();
	let mut bundle = json!({
		"resourceType": "Bundle",
		"type": "searchset",
		"timestamp": timestamp,
	});
	if let Some(cursor) = next_cursor {
		bundle["link"] = json!([{ "relation": "next", "url": format!("{CURSOR_LINK}{cursor}") }]);
	}
	if !entry.is_empty() {
		bundle["entry"] = json!(entry);
	}
	bundle
}
