//! What auditors ask and get: the access log (`medchain_accessLog`) and its FHIR export
//! (`medchain_exportFhir`).

use crate::ids::{AccountId, Hash32, RecordId};
use serde::{Deserialize, Serialize};

/// The most rows one `medchain_accessLog` page holds, and the default.
pub const MAX_PAGE: u32 = 500;
/// The rows of a page when the query names no `limit`.
pub const DEFAULT_PAGE: u32 = 100;

/// Which accesses an auditor asks for: exactly one of `patient`, `hospital`, `custodian` and
/// `record`, in a time range, a page at a time.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccessLogQuery {
	/// Accesses to this patient's records.
	#[serde(skip_serializing_if = "Option::is_none", default)]
	pub patient: Option<AccountId>,
	/// Accesses by this hospital (it read, or tried to).
	#[serde(skip_serializing_if = "Option::is_none", default)]
	pub hospital: Option<u32>,
	/// Accesses to the records this hospital keeps.
	#[serde(skip_serializing_if = "Option::is_none", default)]
	pub custodian: Option<u32>,
	/// Accesses to this record.
	#[serde(skip_serializing_if = "Option::is_none", default)]
	pub record: Option<RecordId>,
	/// From this time on (RFC 3339, inclusive); the beginning if absent.
	#[serde(skip_serializing_if = "Option::is_none", default)]
	pub from: Option<String>,
	/// Before this time (RFC 3339, exclusive); no end if absent.
	#[serde(skip_serializing_if = "Option::is_none", default)]
	pub to: Option<String>,
	/// The `nextCursor` of the previous page, with the same query.
	#[serde(skip_serializing_if = "Option::is_none", default)]
	pub cursor: Option<String>,
	/// Rows per page: 1 to [`MAX_PAGE`], [`DEFAULT_PAGE`] if absent.
	#[serde(skip_serializing_if = "Option::is_none", default)]
	pub limit: Option<u32>,
}

/// One page of the access log, in time order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessLogPage {
	/// The accesses and refused attempts.
	pub rows: Vec<AuditRow>,
	/// Pass as `cursor` for the next page; `null` at the end. A page may hold fewer rows than
	/// the limit and still have a next one.
	pub next_cursor: Option<String>,
	/// The ranges of blocks whose refused attempts this node indexed, `[first, last]` each,
	/// oldest first: refusals outside them are not in the log.
	pub refusals_indexed: Vec<[u32; 2]>,
}

/// An access the chain granted, or an attempt it refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "camelCase")]
pub enum AuditRow {
	/// An access entry: the chain authorized the access and logged it.
	Granted(LoggedAccess),
	/// An access extrinsic that failed: the chain refused it, with its reason.
	Refused(RefusedAttempt),
}

/// How an access was authorized.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AccessKind {
	/// A hospital with a share token.
	Share,
	/// Break-glass: an emergency access without a grant.
	BreakGlass,
	/// The patient reading their own record.
	Patient,
}

/// Whether the custodian actually disclosed what the chain authorized.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Disclosure {
	/// The custodian confirmed on chain what it sent (`release`).
	Released,
	/// Not released yet, and still inside its release lifetime.
	AwaitingRelease,
	/// No release confirmed, and past its release lifetime: authorized, and (unless a
	/// custodian's receipt transaction was lost) nothing was disclosed.
	NeverReleased,
}

/// An access entry, as an auditor reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoggedAccess {
	/// The entry's id.
	pub access_id: u64,
	/// How it was authorized.
	pub kind: AccessKind,
	/// Whether it was an emergency (break-glass) access.
	pub break_glass: bool,
	/// The break-glass justification code, for an emergency access.
	#[serde(skip_serializing_if = "Option::is_none", default)]
	pub break_glass_reason: Option<String>,
	/// The grant used, for a share access.
	#[serde(skip_serializing_if = "Option::is_none", default)]
	pub grant_id: Option<u64>,
	/// The record read.
	pub record_id: RecordId,
	/// Its type (e.g. `DIAGNOSIS`), if its anchor is still in state.
	#[serde(skip_serializing_if = "Option::is_none", default)]
	pub record_type: Option<String>,
	/// The record's patient.
	pub patient: AccountId,
	/// The hospital that read, or `null` for the patient.
	pub accessor_hospital: Option<u32>,
	/// The hospital keeping the record.
	pub custodian: u32,
	/// The fields the access released, by name.
	pub fields: Vec<String>,
	/// The HL7 PurposeOfUse code.
	pub purpose: String,
	/// The block of the access.
	pub block: u32,
	/// The time of the access (RFC 3339).
	pub time: String,
	/// Whether the fields were actually disclosed.
	pub disclosure: Disclosure,
	/// The custodian's receipt, once it released.
	#[serde(skip_serializing_if = "Option::is_none", default)]
	pub release: Option<ReleaseReceipt>,
}

/// The custodian's on-chain receipt for what it sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReleaseReceipt {
	/// The block of the confirmation.
	pub block: u32,
	/// The time of the confirmation (RFC 3339).
	pub time: String,
	/// SHA-256 of what the custodian sent.
	pub response_hash: Hash32,
}

/// An access attempt the chain refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefusedAttempt {
	/// The block that holds the failed extrinsic.
	pub block: u32,
	/// The extrinsic's index in the block.
	pub index: u32,
	/// The block's time (RFC 3339).
	pub time: String,
	/// The account that signed it.
	pub signer: AccountId,
	/// The signer's hospital, if the signer was a hospital's account.
	pub hospital: Option<u32>,
	/// What was attempted.
	pub kind: AccessKind,
	/// The grant presented, for a share access.
	#[serde(skip_serializing_if = "Option::is_none", default)]
	pub grant_id: Option<u64>,
	/// The break-glass justification code, for an emergency access.
	#[serde(skip_serializing_if = "Option::is_none", default)]
	pub break_glass_reason: Option<String>,
	/// The record asked for.
	pub record_id: RecordId,
	/// The record's patient, if the record is anchored.
	pub patient: Option<AccountId>,
	/// The record's custodian, if the record is anchored.
	pub custodian: Option<u32>,
	/// The stated HL7 PurposeOfUse code.
	pub purpose: String,
	/// The chain's reason, by name (e.g. `GrantRevoked`).
	pub reason: String,
}

/// What to export as FHIR R5 (`medchain_exportFhir`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExportFhir {
	/// `AuditEvent` (the access log) or `Consent` (a patient's shares).
	pub kind: FhirKind,
	/// For `AuditEvent`, an access-log query; for `Consent`, `patient` (with `cursor` and
	/// `limit`).
	pub filter: AccessLogQuery,
}

/// The FHIR resource an export holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FhirKind {
	/// One AuditEvent per access entry and refused attempt.
	AuditEvent,
	/// One Consent per share grant.
	Consent,
	/// The MedicationRequest of one prescription (filter: `record`).
	MedicationRequest,
	/// One MedicationDispense per fill of one prescription (filter: `record`).
	MedicationDispense,
}
