//! What auditors need from a hospital node: the access log with refused attempts
//! ([`access_log`]), the index of refusals it keeps as blocks are finalized ([`refusals`]),
//! and the FHIR R5 export ([`export`]).

pub mod access_log;
pub mod export;
pub mod refusals;

use medchain_app_api::{AccessLogPage, AccessLogQuery, ErrorCode, ExportFhir};

use crate::{Custodian, Result};

impl Custodian {
	/// `medchain_accessLog`: a page of access entries and refused attempts.
	pub async fn access_log(&self, query: AccessLogQuery) -> Result<AccessLogPage> {
		let query = access_log::Query::parse(&query)?;
		let _turn = self.audit_turn().await?;
		let page = access_log::page(&*self.chain, &self.refusals, query).await?;
		access_log::to_json(&*self.chain, page)
	}

	/// `medchain_exportFhir`: a page of the access log as AuditEvents, or of a patient's
	/// grants as Consents, in a FHIR R5 Bundle.
	pub async fn export_fhir(&self, request: ExportFhir) -> Result<serde_json::Value> {
		let _turn = self.audit_turn().await?;
		export::bundle(self, request).await
	}

	/// Waits for a turn to run an audit query (see `AUDITS_AT_ONCE`).
	async fn audit_turn(&self) -> Result<tokio::sync::SemaphorePermit<'_>> {
		self.audits
			.acquire()
			.await
			.map_err(|error| ErrorCode::StoreUnavailable.error(error.to_string()))
	}
}
