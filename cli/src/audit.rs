//! `medchain audit`: the access log, page by page, and its FHIR R5 export.

use medchain_app_api::{
	audit::{AuditRow, FhirKind},
	AccessLogQuery, ExportFhir, MedchainApiClient,
};
use serde_json::{json, Value};

use crate::{
	args::{self, AuditCommand, AuditFilter},
	connect::{self, api_error, Context},
	output::to_json,
};

/// The most pages `--all` follows: 1,000 pages of up to 500 rows.
const MAX_PAGES: usize = 1_000;

/// Runs an audit command; `None` when it printed the FHIR Bundle itself. A table (`json`
/// false) shows each row's summary; JSON shows the rows whole.
pub async fn run(
	context: &Context,
	command: AuditCommand,
	json: bool,
) -> crate::Result<Option<Value>> {
	let api = context.api()?;
	match command {
		AuditCommand::Log { filter, all } => {
			let mut query = query(filter)?;
			let mut rows = Vec::new();
			for _ in 0..MAX_PAGES {
				let page = api
					.access_log(query.clone())
					.await
					.map_err(|e| api_error("medchain_accessLog", e))?;
				for row in &page.rows {
					rows.push(if json { to_json(row)? } else { summary(row) });
				}
				match (all, page.next_cursor) {
					(true, Some(cursor)) => query.cursor = Some(cursor),
					(_, next_cursor) => {
						return Ok(Some(json!({
							"rows": rows,
							"nextCursor": next_cursor,
							"refusalsIndexed": page.refusals_indexed,
						})))
					}
				}
			}
			Err(format!("the log is longer than {MAX_PAGES} pages: narrow it with --from/--to"))
		}
		AuditCommand::Export { kind, filter, out } => {
			let kind = match kind {
				args::FhirKind::AuditEvent => FhirKind::AuditEvent,
				args::FhirKind::Consent => FhirKind::Consent,
				args::FhirKind::MedicationRequest => FhirKind::MedicationRequest,
				args::FhirKind::MedicationDispense => FhirKind::MedicationDispense,
			};
			let request = ExportFhir { kind, filter: query(filter)? };
			let bundle =
				api.export_fhir(request).await.map_err(|e| api_error("medchain_exportFhir", e))?;
			let text = serde_json::to_string_pretty(&bundle).map_err(|e| e.to_string())?;
			match out {
				None => {
					println!("{text}");
					Ok(None)
				}
				Some(path) => {
					std::fs::write(&path, format!("{text}\n"))
						.map_err(|e| format!("{}: {e}", path.display()))?;
					let entries = bundle["entry"].as_array().map_or(0, Vec::len);
					Ok(Some(json!({
						"written": path.display().to_string(),
						"resources": entries,
						"next": bundle["link"].as_array().and_then(|links| links.iter().find(|l| l["relation"] == "next")).map(|l| l["url"].clone()),
					})))
				}
			}
		}
	}
}

fn query(filter: AuditFilter) -> crate::Result<AccessLogQuery> {
	Ok(AccessLogQuery {
		patient: filter.patient.as_deref().map(connect::pseudonym).transpose()?,
		hospital: filter.hospital,
		custodian: filter.custodian,
		record: filter.record.as_deref().map(connect::record_id).transpose()?,
		from: filter.from,
		to: filter.to,
		cursor: filter.cursor,
		limit: filter.limit,
	})
}

/// What an auditor reads first: when, who, what, why, and what came of it.
fn summary(row: &AuditRow) -> Value {
	fn short(id: &impl std::fmt::Display) -> String {
		let id = id.to_string();
		format!("{}…", id.get(..10).unwrap_or(&id))
	}
	match row {
		AuditRow::Granted(access) => json!({
			"time": access.time,
			"outcome": "granted",
			"accessId": access.access_id,
			"kind": access.kind,
			"by": access.accessor_hospital.map_or("patient".to_string(), |h| format!("hospital {h}")),
			"custodian": access.custodian,
			"recordId": short(&access.record_id),
			"fields": access.fields,
			"purpose": access.purpose,
			"result": access.disclosure,
		}),
		AuditRow::Refused(attempt) => json!({
			"time": attempt.time,
			"outcome": "refused",
			"kind": attempt.kind,
			"by": attempt.hospital.map_or_else(|| short(&attempt.signer), |h| format!("hospital {h}")),
			"custodian": attempt.custodian,
			"recordId": short(&attempt.record_id),
			"purpose": attempt.purpose,
			"result": attempt.reason,
		}),
	}
}
