//! `medchain_exportFhir`: a page of the access log as FHIR R5 AuditEvents, or a page of a
//! patient's share grants as FHIR R5 Consents, in a Bundle (`medchain-fhir` builds the JSON).

use medchain_app_api::{
	audit::{AccessLogQuery, AuditRow, ExportFhir, FhirKind, DEFAULT_PAGE},
	time::rfc3339,
	ErrorCode,
};
use medchain_fhir::{audit_event, consent, medication};
use medchain_primitives::shares::{Grant, GrantStatus};
use medchain_runtime::{configs::MaxSharesPageSize, AccountId, BlockNumber};
use serde_json::Value;
use sp_core::H256;

use super::access_log;
use crate::{error::chain_error, Custodian, Error};

/// `medchain_exportFhir`.
pub async fn bundle(custodian: &Custodian, request: ExportFhir) -> Result<Value, Error> {
	let chain = &*custodian.chain;
	match request.kind {
		FhirKind::AuditEvent => {
			let query = access_log::Query::parse(&request.filter)?;
			let page = access_log::page(chain, &custodian.refusals, query).await?;
			let read_at = chain.block_time(page.at.0).map_err(chain_error)?;
			let page = access_log::to_json(chain, page)?;
			let resources = page
				.rows
				.iter()
				.map(|row| match row {
					AuditRow::Granted(access) => audit_event::of_access(access),
					AuditRow::Refused(attempt) => audit_event::of_refusal(attempt),
				})
				.collect();
			Ok(medchain_fhir::bundle(resources, &rfc3339(read_at), page.next_cursor.as_deref()))
		}
		FhirKind::Consent => consents(custodian, &request.filter),
		FhirKind::MedicationRequest | FhirKind::MedicationDispense => {
			prescription(custodian, request.kind, &request.filter)
		}
	}
}

/// The MedicationRequest, or the MedicationDispenses, of the filter's prescription.
fn prescription(
	custodian: &Custodian,
	kind: FhirKind,
	filter: &AccessLogQuery,
) -> Result<Value, Error> {
	let AccessLogQuery {
		record: Some(record),
		patient: None,
		hospital: None,
		custodian: None,
		from: None,
		to: None,
		cursor: None,
		limit: None,
	} = filter
	else {
		return Err(ErrorCode::InvalidAuditQuery
			.error("a prescription's export takes its record, and nothing else"));
	};
	let verification = custodian.prescription_at_finalized(record.0)?;
	let resources = match kind {
		FhirKind::MedicationRequest => vec![medication::medication_request(&verification)],
		_ => medication::medication_dispenses(&verification),
	};
	let read_at = custodian.chain.block_time(custodian.chain.info().finalized_hash);
	Ok(medchain_fhir::bundle(resources, &rfc3339(read_at.map_err(chain_error)?), None))
}

/// A page of the grants of the filter's patient, oldest first; the cursor is the last grant id.
fn consents(custodian: &Custodian, filter: &AccessLogQuery) -> Result<Value, Error> {
	let invalid = |message: &str| ErrorCode::InvalidAuditQuery.error(message);
	let AccessLogQuery {
		patient: Some(patient),
		hospital: None,
		custodian: None,
		record: None,
		from: None,
		to: None,
		cursor,
		limit,
	} = filter
	else {
		return Err(invalid(
			"a Consent export takes a patient, and optionally a cursor and a limit",
		));
	};
	let patient = AccountId::from(patient.0);
	let after = cursor
		.as_deref()
		.map(|cursor| {
			cursor.parse::<u64>().map_err(|_| invalid("the cursor is not one of this export's"))
		})
		.transpose()?;
	let page_size = MaxSharesPageSize::get();
	let limit = limit.unwrap_or(DEFAULT_PAGE);
	if !(1..=page_size).contains(&limit) {
		return Err(invalid(&format!("a Consent export's limit is between 1 and {page_size}")));
	}

	let chain = &custodian.chain;
	let info = chain.info();
	let at = info.finalized_hash;
	let clock = Clock::at(custodian, at, info.finalized_number)?;
	let time_of = |block: BlockNumber| clock.time_of(block);
	let ids = chain.grants_of_patient(at, patient, after, limit).map_err(chain_error)?;
	let mut resources = Vec::new();
	for &grant_id in &ids {
		let Some(grant) = chain.grant(at, grant_id).map_err(chain_error)? else {
			continue;
		};
		let mut records = Vec::new();
		for record_id in &grant.terms.records {
			let anchor = chain.anchor(at, *record_id).map_err(chain_error)?;
			records.push((*record_id, anchor.map(|anchor| (anchor.record_type, anchor.custodian))));
		}
		let grant = raw_accounts(grant);
		resources.push(consent::of_grant(&consent::ShareGrant {
			grant_id,
			grant: &grant,
			records: &records,
			time_of: &time_of,
			at: info.finalized_number,
		}));
	}
	let full_page = u32::try_from(ids.len()).is_ok_and(|length| length == limit);
	let next = ids.last().filter(|_| full_page).map(u64::to_string);
	Ok(medchain_fhir::bundle(resources, &clock.time_of(info.finalized_number), next.as_deref()))
}

/// Block times: read for finalized blocks (from their state or body), estimated from the slot
/// duration for later ones.
struct Clock<'a> {
	custodian: &'a Custodian,
	finalized: (BlockNumber, u64),
	slot_millis: u64,
}

impl<'a> Clock<'a> {
	fn at(custodian: &'a Custodian, at: H256, number: BlockNumber) -> Result<Self, Error> {
		let time = custodian.chain.block_time(at).map_err(chain_error)?;
		let slot_millis = custodian.chain.slot_millis(at).map_err(chain_error)?;
		Ok(Self { custodian, finalized: (number, time), slot_millis })
	}

	fn time_of(&self, block: BlockNumber) -> String {
		let (finalized, finalized_time) = self.finalized;
		let read = (block <= finalized)
			.then(|| self.custodian.chain.hash(block).ok().flatten())
			.flatten()
			.and_then(|hash| self.custodian.chain.block_time(hash).ok());
		// A later block (or, should its body be gone, an earlier one): estimated from the
		// finalized block.
		let millis = read.unwrap_or_else(|| {
			let offset = |blocks: BlockNumber| u64::from(blocks).saturating_mul(self.slot_millis);
			match block.checked_sub(finalized) {
				Some(ahead) => finalized_time.saturating_add(offset(ahead)),
				None => finalized_time.saturating_sub(offset(finalized.saturating_sub(block))),
			}
		});
		rfc3339(millis)
	}
}

fn raw_accounts(
	grant: Grant<AccountId, BlockNumber, Vec<[u8; 32]>>,
) -> Grant<[u8; 32], BlockNumber, Vec<[u8; 32]>> {
	Grant {
		patient: grant.patient.into(),
		terms: grant.terms,
		grantor: grant.grantor,
		created_at: grant.created_at,
		expires_at: grant.expires_at,
		uses: grant.uses,
		status: match grant.status {
			GrantStatus::Active => GrantStatus::Active,
			GrantStatus::Revoked { at, by } => GrantStatus::Revoked { at, by: by.into() },
		},
	}
}
