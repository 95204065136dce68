//! # medchain app API
//!
//! The `medchain_*` JSON-RPC methods a hospital node serves on its authenticated listener,
//! shared by the node (server) and by every client:
//!
//! - [`MedchainApi`]: the methods (`#[rpc(server, client)]`);
//! - [`types`]: their requests and responses, as JSON; [`audit`]: the auditors';
//! - [`access_log_query`]: an access-log query, checked, and its page cursor;
//! - [`fields`]: how a record's JSON fields map to its type's committed fields;
//! - [`prescription`]: a prescription's terms (refills, expiry) as an app submits them;
//! - [`auth`]: the roles, which role may call which method, and the token file;
//! - [`challenge`]: what a patient signs to read their own record;
//! - [`consent`]: a share's terms as the chain holds them, and what a patient signs for them;
//! - [`ids`]: the typed 32-byte ids and hashes (`0x` and 64 hex digits, in and out);
//! - [`time`]: the one time format (RFC 3339, UTC, milliseconds);
//! - [`errors`]: every error code, with its meaning.
//!
//! `docs/rpc.md` documents the same, with examples; [`OPENRPC`] is what `rpc.discover` returns.

#![deny(missing_docs)]

pub mod access_log_query;
pub mod audit;
pub mod auth;
pub mod challenge;
pub mod consent;
pub mod errors;
pub mod fields;
pub mod ids;
pub mod limits;
pub mod prescription;
pub mod time;
pub mod types;

use jsonrpsee::{
	core::{RpcResult, SubscriptionResult},
	proc_macros::rpc,
};

pub use audit::{AccessLogPage, AccessLogQuery, ExportFhir};
pub use errors::{ApiError, ErrorCode};
pub use ids::{AccountId, Hash32, RecordId};
pub use types::{
	AccessShared, CreateShare, CreatedShare, ErasureReceipt, FillPrescription, FilledPrescription,
	GetRecord, Health, HospitalEntry, HospitalsPage, HospitalsQuery, MemberRef, Notification,
	PatientApproval, PrescriptionFill, PrescriptionVerification, RecordChallenge, RecordFields,
	RecordStatus, RecordTypeFields, RetryAccess, RevokedShare, Session, ShareConsent, ShareTerms,
	SharedFields, SubmitRecord, SubmittedRecord, SubscribeFilter, VerifyPrescription, WsTicket,
};

/// The OpenRPC document of every method, as `rpc.discover` returns it.
pub const OPENRPC: &str = include_str!("../openrpc.json");

/// The methods of a hospital node's medchain RPC.
#[rpc(server, client, namespace = "medchain")]
pub trait MedchainApi {
	/// Stores a record, encrypted, and queues its anchor. Role `app`.
	#[method(name = "submitRecord", with_extensions)]
	async fn submit_record(&self, record: SubmitRecord) -> RpcResult<SubmittedRecord>;

	/// [`Self::submit_record`] for up to `MAX_BULK_RECORDS` records, all or none. Role `app`.
	#[method(name = "submitRecords", with_extensions)]
	async fn submit_records(&self, records: Vec<SubmitRecord>) -> RpcResult<Vec<SubmittedRecord>>;

	/// Where a record's anchor stands. Roles `app`, `auditor`, `admin`.
	#[method(name = "recordStatus")]
	async fn record_status(&self, record_id: RecordId) -> RpcResult<RecordStatus>;

	/// A fresh challenge for the patient of `record_id` to sign before `getRecord`. Role `app`,
	/// or the record's patient's `patient` token.
	#[method(name = "recordChallenge", with_extensions)]
	async fn record_challenge(&self, record_id: RecordId) -> RpcResult<RecordChallenge>;

	/// A patient's own record, decrypted and verified against its anchor, once the patient's
	/// `access_log.patient_access` is finalized and they signed the challenge. Role `app`, or
	/// the record's patient's `patient` token.
	#[method(name = "getRecord", with_extensions)]
	async fn get_record(&self, request: GetRecord) -> RpcResult<RecordFields>;

	/// Erases an anchored record: the custodian schedules the erasure on chain, completes it
	/// when due, and then destroys the record's data key. Role `admin`; or role `app`, or the
	/// record's patient's `patient` token, with the patient's approval (their signature of the
	/// challenge's `eraseMessage`).
	#[method(name = "eraseRecord", with_extensions)]
	async fn erase_record(
		&self,
		record_id: RecordId,
		patient_approval: Option<PatientApproval>,
	) -> RpcResult<ErasureReceipt>;

	/// The message the patient signs to consent to sharing `terms`, with its nonce and
	/// deadline. Role `app`.
	#[method(name = "prepareShare")]
	async fn prepare_share(&self, terms: ShareTerms) -> RpcResult<ShareConsent>;

	/// Creates the share with the patient's consent signature (`shares.create_grant_for`, sent
	/// by this custodian) and waits until it is finalized. Role `app`.
	#[method(name = "createShare")]
	async fn create_share(&self, share: CreateShare) -> RpcResult<CreatedShare>;

	/// Revokes a share this custodian created, and waits until it is finalized. Role `app`.
	#[method(name = "revokeShare")]
	async fn revoke_share(&self, grant_id: u64) -> RpcResult<RevokedShare>;

	/// Reads a record another hospital shared, with the share token alone: signs the access
	/// with the token, logs it on chain with this hospital's key and waits for its finality,
	/// fetches the fields from the custodian's node over p2p and verifies each against the
	/// anchor. Role `app`.
	#[method(name = "accessShared")]
	async fn access_shared(&self, request: AccessShared) -> RpcResult<SharedFields>;

	/// Fetches again the fields of this hospital's finalized access entry, after
	/// `CustodianUnavailable`, while the entry is inside its release lifetime; only with the
	/// share token the access was made with. Role `app`.
	#[method(name = "retryAccess")]
	async fn retry_access(&self, request: RetryAccess) -> RpcResult<SharedFields>;

	/// The access log, in time order, a page at a time: every access entry with whether it
	/// was actually released, and every refused attempt with the chain's reason. Role
	/// `auditor`; a `patient` token reads the accesses to its own patient's records.
	#[method(name = "accessLog", with_extensions)]
	async fn access_log(&self, query: AccessLogQuery) -> RpcResult<AccessLogPage>;

	/// The access log as FHIR R5 AuditEvents, or a patient's shares as FHIR R5 Consents, in a
	/// FHIR `Bundle` (type `searchset`; its `next` link carries the cursor). Role `auditor`.
	#[method(name = "exportFhir")]
	async fn export_fhir(&self, request: ExportFhir) -> RpcResult<serde_json::Value>;

	/// This node's hospital, best and finalized block, connected peers and outbox depth. Roles
	/// `app`, `auditor`, `admin` (not `patient`: it is the node's state, not the chain's).
	#[method(name = "health")]
	async fn health(&self) -> RpcResult<Health>;

	/// A prescription at the finalized block: who issued it, its status and expiry, and its
	/// fills with their pharmacies; with the patient's share token, its shared fields too (an
	/// access, logged). Roles `app`, `auditor` and `admin`; with a share token, role `app`.
	#[method(name = "verifyPrescription", with_extensions)]
	async fn verify_prescription(
		&self,
		request: VerifyPrescription,
	) -> RpcResult<PrescriptionVerification>;

	/// Records a fill of a prescription this pharmacy opened, once the chain's rules allow it
	/// (checked before signing), and answers when the fill is final. Role `app`, on a
	/// pharmacy's node.
	#[method(name = "fillPrescription")]
	async fn fill_prescription(&self, request: FillPrescription) -> RpcResult<FilledPrescription>;

	/// The consortium's members (hospitals and pharmacies, with their kind) at the finalized
	/// block, by id, a page at a time. Any role.
	#[method(name = "hospitals")]
	async fn hospitals(&self, query: Option<HospitalsQuery>) -> RpcResult<HospitalsPage>;

	/// Who the caller is (role, hospital, a patient token's pseudonym) and the chain's genesis
	/// hash and slot time, which a signer computes its messages from. Any role.
	#[method(name = "session", with_extensions)]
	async fn session(&self) -> RpcResult<Session>;

	/// A one-use ticket for a WebSocket upgrade (`?ticket=`), for browsers, which can't send
	/// `Authorization` on one; it waits 30 s. Any role.
	#[method(name = "wsTicket", with_extensions)]
	async fn ws_ticket(&self) -> RpcResult<WsTicket>;

	/// Every record type with its fields in commitment order, the required ones marked. Any
	/// role.
	#[method(name = "recordTypes")]
	async fn record_types(&self) -> RpcResult<Vec<RecordTypeFields>>;

	/// Streams, over WebSocket, the finalized events that concern one patient or one hospital:
	/// consents, shares and their uses, emergency accesses, anchors and erasures. Role `app`;
	/// a `patient` token follows its own patient only.
	#[subscription(name = "subscribe" => "notification", unsubscribe = "unsubscribe", item = Notification, with_extensions)]
	async fn subscribe_events(&self, filter: SubscribeFilter) -> SubscriptionResult;
}

/// `rpc.discover` (outside the `medchain_` namespace), answering [`OPENRPC`]. Any role.
pub fn discover_module() -> jsonrpsee::RpcModule<()> {
	let mut module = jsonrpsee::RpcModule::new(());
	let document: serde_json::Value = serde_json::from_str(OPENRPC)
		.unwrap_or_else(|error| serde_json::json!({ "error": error.to_string() }));
	// The name is fresh in a new module, so registering can't fail.
	let _ = module.register_method(DISCOVER, move |_, _, _| document.clone());
	module
}

/// The name of the discovery method.
pub const DISCOVER: &str = "rpc.discover";

#[cfg(test)]
mod tests {
	use super::*;

	/// A server whose every method fails: only its method table is used.
	struct MethodTable;

	#[jsonrpsee::core::async_trait]
	impl MedchainApiServer for MethodTable {
		async fn submit_record(
			&self,
			_: &jsonrpsee::Extensions,
			_: SubmitRecord,
		) -> RpcResult<SubmittedRecord> {
			Err(ErrorCode::StoreUnavailable.error("method table only").into())
		}
		async fn submit_records(
			&self,
			_: &jsonrpsee::Extensions,
			_: Vec<SubmitRecord>,
		) -> RpcResult<Vec<SubmittedRecord>> {
			Err(ErrorCode::StoreUnavailable.error("method table only").into())
		}
		async fn record_status(&self, _: RecordId) -> RpcResult<RecordStatus> {
			Err(ErrorCode::StoreUnavailable.error("method table only").into())
		}
		async fn health(&self) -> RpcResult<Health> {
			Err(ErrorCode::StoreUnavailable.error("method table only").into())
		}
		async fn hospitals(&self, _: Option<HospitalsQuery>) -> RpcResult<HospitalsPage> {
			Err(ErrorCode::StoreUnavailable.error("method table only").into())
		}
		async fn session(&self, _: &jsonrpsee::Extensions) -> RpcResult<Session> {
			Err(ErrorCode::StoreUnavailable.error("method table only").into())
		}
		async fn record_types(&self) -> RpcResult<Vec<RecordTypeFields>> {
			Ok(fields::record_types())
		}
		async fn ws_ticket(&self, _: &jsonrpsee::Extensions) -> RpcResult<WsTicket> {
			Err(ErrorCode::StoreUnavailable.error("method table only").into())
		}
		async fn record_challenge(
			&self,
			_: &jsonrpsee::Extensions,
			_: RecordId,
		) -> RpcResult<RecordChallenge> {
			Err(ErrorCode::StoreUnavailable.error("method table only").into())
		}
		async fn get_record(
			&self,
			_: &jsonrpsee::Extensions,
			_: GetRecord,
		) -> RpcResult<RecordFields> {
			Err(ErrorCode::StoreUnavailable.error("method table only").into())
		}
		async fn erase_record(
			&self,
			_: &jsonrpsee::Extensions,
			_: RecordId,
			_: Option<PatientApproval>,
		) -> RpcResult<ErasureReceipt> {
			Err(ErrorCode::StoreUnavailable.error("method table only").into())
		}
		async fn prepare_share(&self, _: ShareTerms) -> RpcResult<ShareConsent> {
			Err(ErrorCode::StoreUnavailable.error("method table only").into())
		}
		async fn create_share(&self, _: CreateShare) -> RpcResult<CreatedShare> {
			Err(ErrorCode::StoreUnavailable.error("method table only").into())
		}
		async fn revoke_share(&self, _: u64) -> RpcResult<RevokedShare> {
			Err(ErrorCode::StoreUnavailable.error("method table only").into())
		}
		async fn access_shared(&self, _: AccessShared) -> RpcResult<SharedFields> {
			Err(ErrorCode::StoreUnavailable.error("method table only").into())
		}
		async fn verify_prescription(
			&self,
			_: &jsonrpsee::Extensions,
			_: VerifyPrescription,
		) -> RpcResult<PrescriptionVerification> {
			Err(ErrorCode::StoreUnavailable.error("method table only").into())
		}
		async fn fill_prescription(&self, _: FillPrescription) -> RpcResult<FilledPrescription> {
			Err(ErrorCode::StoreUnavailable.error("method table only").into())
		}
		async fn retry_access(&self, _: RetryAccess) -> RpcResult<SharedFields> {
			Err(ErrorCode::StoreUnavailable.error("method table only").into())
		}
		async fn access_log(
			&self,
			_: &jsonrpsee::Extensions,
			_: AccessLogQuery,
		) -> RpcResult<AccessLogPage> {
			Err(ErrorCode::StoreUnavailable.error("method table only").into())
		}
		async fn export_fhir(&self, _: ExportFhir) -> RpcResult<serde_json::Value> {
			Err(ErrorCode::StoreUnavailable.error("method table only").into())
		}
		async fn subscribe_events(
			&self,
			_: jsonrpsee::PendingSubscriptionSink,
			_: &jsonrpsee::Extensions,
			_: SubscribeFilter,
		) -> SubscriptionResult {
			Ok(())
		}
	}

	#[test]
	fn the_openrpc_document_and_the_roles_cover_every_method() {
		let mut module = MethodTable.into_rpc();
		module.merge(discover_module()).unwrap();
		let mut served: Vec<&str> = module.method_names().collect();
		served.sort_unstable();
		let document: serde_json::Value = serde_json::from_str(OPENRPC).unwrap();
		let mut documented: Vec<&str> = document["methods"]
			.as_array()
			.unwrap()
			.iter()
			.map(|m| m["name"].as_str().unwrap())
			.collect();
		documented.sort_unstable();
		assert_eq!(served, documented);
		for method in &document["methods"].as_array().unwrap()[..] {
			let name = method["name"].as_str().unwrap();
			let roles: Vec<&str> =
				method["x-roles"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
			let allowed: Vec<&str> =
				auth::allowed_roles(name).unwrap().iter().map(|r| r.name()).collect();
			assert_eq!(roles, allowed, "{name}");
		}
	}
}
