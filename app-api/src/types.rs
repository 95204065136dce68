//! The methods' requests and responses, as JSON (camelCase keys; ids, hashes and keys `0x` and
//! 64 hex digits, [`crate::ids`]; times RFC 3339 with milliseconds, [`crate::time`]).

use crate::ids::{AccountId, Hash32, RecordId};
use serde::{Deserialize, Serialize};

/// A record for `medchain_submitRecord`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SubmitRecord {
	/// The app's idempotency key: a retry with the same id returns the same record.
	pub client_request_id: String,
	/// The patient's pseudonym.
	pub patient: AccountId,
	/// The record type, e.g. `DIAGNOSIS` (see [`crate::fields`]).
	pub record_type: String,
	/// The fields, keyed by the type's field names; each value a string.
	pub fields: serde_json::Map<String, serde_json::Value>,
	/// A prescription's expiry (RFC 3339); a year after anchoring when absent or later.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub valid_until: Option<String>,
}

/// What `medchain_submitRecord` answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubmittedRecord {
	/// The record's id, as the chain will know it.
	pub record_id: RecordId,
	/// The Merkle root of its field leaves, as it will be anchored.
	pub field_root: Hash32,
	/// Where its anchor stands.
	pub status: AnchorStatus,
}

/// Where a record's anchor stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AnchorStatus {
	/// Stored durably, waiting in the outbox.
	Stored,
	/// Sent to the transaction pool in an `anchor_batch`.
	Submitted,
	/// In a block that is not finalized yet.
	InBlock,
	/// Anchored in a finalized block.
	Finalized,
	/// The chain refused the anchor; `reason` says why.
	Failed,
}

/// What `medchain_recordStatus` answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordStatus {
	/// The record's id.
	pub record_id: RecordId,
	/// Where its anchor stands.
	pub status: AnchorStatus,
	/// The field root.
	pub field_root: Hash32,
	/// The block that holds the anchor (in block or finalized).
	#[serde(skip_serializing_if = "Option::is_none", default)]
	pub block_number: Option<u32>,
	/// The transaction that carries the anchor (submitted or in block).
	#[serde(skip_serializing_if = "Option::is_none", default)]
	pub transaction: Option<Hash32>,
	/// Why the anchor failed, or the last error while it is retried.
	#[serde(skip_serializing_if = "Option::is_none", default)]
	pub reason: Option<String>,
	/// The record's erasure, once one is requested.
	#[serde(skip_serializing_if = "Option::is_none", default)]
	pub erasure: Option<ErasureReceipt>,
}

/// Where a record's erasure stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ErasureStatus {
	/// The erase transaction is in the pool.
	Requested,
	/// Scheduled on chain; the node completes it from `dueBlock` on.
	Scheduled,
	/// Erased on chain, and the record's data key destroyed.
	Erased,
}

/// What `medchain_eraseRecord` answers, and a record's erasure in `recordStatus`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErasureReceipt {
	/// The record.
	pub record_id: RecordId,
	/// Where the erasure stands.
	pub status: ErasureStatus,
	/// The erase transaction (requested).
	#[serde(skip_serializing_if = "Option::is_none", default)]
	pub transaction: Option<Hash32>,
	/// The first block at which the erasure can be completed (scheduled).
	#[serde(skip_serializing_if = "Option::is_none", default)]
	pub due_block: Option<u32>,
	/// The destroyed data key's id (erased).
	#[serde(skip_serializing_if = "Option::is_none", default)]
	pub key_id: Option<String>,
	/// The key-encryption-key epoch destroyed with it (erased).
	#[serde(skip_serializing_if = "Option::is_none", default)]
	pub retired_epoch: Option<u64>,
}

/// `0x`-prefixed lowercase hex.
pub fn to_hex(bytes: &[u8]) -> String {
	format!("0x{}", hex::encode(bytes))
}

/// What `medchain_recordChallenge` answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordChallenge {
	/// The record.
	pub record_id: RecordId,
	/// 32 random bytes, hex; good for one `getRecord`.
	pub challenge: String,
	/// The bytes the patient signs to read the record (`crate::challenge::message`), hex. For
	/// display and cross-checking only: a signer recomputes them from the record id, the
	/// challenge and the chain's genesis, and refuses to sign if they differ.
	pub message: String,
	/// The bytes the patient signs to approve its erasure (`crate::challenge::erase_message`),
	/// hex; recomputed by the signer in the same way.
	pub erase_message: String,
	/// When the challenge expires (RFC 3339).
	pub expires_at: String,
}

/// A patient's request for their own record (`medchain_getRecord`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GetRecord {
	/// The record.
	pub record_id: RecordId,
	/// The finalized `access_log.patient_access` entry of this read.
	pub access_id: u64,
	/// The challenge from `recordChallenge`.
	pub challenge: String,
	/// The patient's sr25519 signature of the challenge message, hex.
	pub signature: String,
}

/// A record's fields, as `medchain_getRecord` returns them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordFields {
	/// The record.
	pub record_id: RecordId,
	/// Its type, e.g. `DIAGNOSIS`.
	pub record_type: String,
	/// Every field of the type by name: its value, or `null`.
	pub fields: serde_json::Map<String, serde_json::Value>,
	/// The anchored field root every field was verified against.
	pub field_root: Hash32,
	/// The access entry this read was logged as.
	pub access_id: u64,
	/// The custodian hospital.
	pub custodian: u32,
	/// The custodian's `confirm_release` transaction.
	pub release_transaction: Hash32,
}

/// A patient's approval of an erasure that an app asks for (`medchain_eraseRecord`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PatientApproval {
	/// The challenge from `recordChallenge`.
	pub challenge: String,
	/// The patient's sr25519 signature of the challenge's `eraseMessage`, hex.
	pub signature: String,
}

/// A request to read a record shared with this hospital (`medchain_accessShared`). `Debug`
/// does not print the token.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccessShared {
	/// The share token (`VIC_…`) the patient handed over; it never leaves the node's call.
	pub share_token: String,
	/// The shared record.
	pub record_id: RecordId,
	/// The HL7 PurposeOfUse code the grant was made for, e.g. `TREAT`.
	pub purpose: String,
}

impl core::fmt::Debug for AccessShared {
	fn fmt(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
		f.debug_struct("AccessShared")
			.field("share_token", &"VIC_…")
			.field("record_id", &self.record_id)
			.field("purpose", &self.purpose)
			.finish()
	}
}

/// A request to fetch again the fields of an access entry (`medchain_retryAccess`). `Debug`
/// does not print the token.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RetryAccess {
	/// The share token the access was made with: only its holder may fetch the fields.
	pub share_token: String,
	/// The finalized access entry.
	pub access_id: u64,
}

impl core::fmt::Debug for RetryAccess {
	fn fmt(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
		f.debug_struct("RetryAccess")
			.field("share_token", &"VIC_…")
			.field("access_id", &self.access_id)
			.finish()
	}
}

/// A shared record's released fields, each verified against the anchor
/// (`medchain_accessShared`, `medchain_retryAccess`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SharedFields {
	/// The record.
	pub record_id: RecordId,
	/// Its type, e.g. `DIAGNOSIS`.
	pub record_type: String,
	/// The released fields by name (only those the grant covers): their values, or `null`.
	pub fields: serde_json::Map<String, serde_json::Value>,
	/// The anchored field root every field was verified against.
	pub field_root: Hash32,
	/// The finalized access entry this read was logged as.
	pub access_id: u64,
	/// The custodian hospital the fields came from.
	pub custodian: u32,
}

/// What a patient shares (`medchain_prepareShare`, `medchain_createShare`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ShareTerms {
	/// The patient whose records these are.
	pub patient: AccountId,
	/// The shared records, all kept by this hospital.
	pub record_ids: Vec<RecordId>,
	/// The released fields by name (the records must then be of one type); every field but
	/// `notes` if absent.
	#[serde(default)]
	pub fields: Option<Vec<String>>,
	/// The one hospital that may use the share; any hospital holding the token if absent.
	#[serde(default)]
	pub grantee_hospital: Option<u32>,
	/// How long the share lasts, in hours.
	pub expires_in_hours: u32,
	/// The most uses; unlimited within the duration if absent.
	#[serde(default)]
	pub max_uses: Option<u32>,
	/// The HL7 PurposeOfUse code, e.g. `TREAT`.
	pub purpose: String,
	/// The share token's public key (`medchain share new-token` prints it), 0x-hex.
	pub token_public: String,
}

/// The message a patient signs to consent to a share (`medchain_prepareShare`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShareConsent {
	/// The consent message (`grant_consent_message`: wrapped in `<Bytes>…</Bytes>`), 0x-hex. For
	/// display and cross-checking only: a signer recomputes it from the terms, the nonce and the
	/// deadline, and refuses to sign if it differs.
	pub message: String,
	/// The patient's consent nonce the message carries.
	pub nonce: u64,
	/// The last block in which the consent can be used.
	pub deadline: u32,
	/// The share's duration in blocks, from `expiresInHours`.
	pub duration_blocks: u32,
}

/// A share to create with the patient's consent (`medchain_createShare`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateShare {
	/// The terms, exactly as given to `prepareShare`.
	pub terms: ShareTerms,
	/// The nonce `prepareShare` returned.
	pub nonce: u64,
	/// The deadline `prepareShare` returned.
	pub deadline: u32,
	/// The patient's sr25519 signature of the consent message, 0x-hex.
	pub patient_signature: String,
}

/// A share the chain created (`medchain_createShare`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedShare {
	/// The grant's id.
	pub grant_id: u64,
	/// The block from which the grant is refused.
	pub expires_at_block: u32,
	/// When that is, estimated from the block time (RFC 3339).
	pub expires_at: String,
}

/// A revoked share (`medchain_revokeShare`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RevokedShare {
	/// The grant's id.
	pub grant_id: u64,
	/// The finalized block that revoked it (its hash).
	pub block: Hash32,
}

/// Whose events a `medchain_subscribe` stream carries: one patient's, or one hospital's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SubscribeFilter {
	/// A patient's pseudonym.
	#[serde(default)]
	pub patient: Option<AccountId>,
	/// A hospital id.
	#[serde(default)]
	pub hospital: Option<u32>,
}

/// What happened, in a notification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum NotificationKind {
	/// A hospital asked the patient for consent.
	ConsentRequested,
	/// The patient approved a consent request (the share follows).
	ConsentApproved,
	/// The patient denied a consent request.
	ConsentDenied,
	/// A share was created.
	ShareCreated,
	/// A hospital used a share (an access entry).
	ShareUsed,
	/// A share was revoked.
	ShareRevoked,
	/// A hospital opened a record by break-glass.
	EmergencyAccess,
	/// A record was anchored.
	RecordAnchored,
	/// A record was erased.
	RecordErased,
}

/// One finalized event concerning the subscribed patient or hospital (`medchain_subscribe`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
	/// The finalized block's number.
	pub block: u32,
	/// The finalized block's hash.
	pub block_hash: Hash32,
	/// What happened.
	pub kind: NotificationKind,
	/// The patient it concerns.
	pub patient: AccountId,
	/// The hospitals it concerns (custodian, grantee, requester, accessor), ascending.
	pub hospitals: Vec<u32>,
	/// The share, if any.
	#[serde(skip_serializing_if = "Option::is_none", default)]
	pub grant_id: Option<u64>,
	/// The record, if any.
	#[serde(skip_serializing_if = "Option::is_none", default)]
	pub record_id: Option<RecordId>,
	/// The access entry, if any.
	#[serde(skip_serializing_if = "Option::is_none", default)]
	pub access_id: Option<u64>,
	/// The consent request, if any.
	#[serde(skip_serializing_if = "Option::is_none", default)]
	pub consent_request_id: Option<u64>,
}

/// What `medchain_session` answers: who the caller is, and what a signer in the caller's page
/// computes its messages from (the values, never the bytes: docs/rpc.md, "What a patient's key
/// signs").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
	/// The token's role: `app`, `auditor`, `admin` or `patient`.
	pub role: String,
	/// This node's hospital id.
	pub hospital: u32,
	/// The pseudonym a `patient` token acts for; `null` for the other roles.
	pub patient: Option<AccountId>,
	/// The chain's genesis hash.
	pub genesis_hash: Hash32,
	/// The chain's slot time in milliseconds: a share's duration in blocks is counted in it.
	pub slot_millis: u64,
}

/// What `medchain_wsTicket` answers: a one-use ticket for a browser's WebSocket upgrade
/// (`ws://…/?ticket=0x…`), standing for the caller's token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WsTicket {
	/// The ticket.
	pub ticket: Hash32,
	/// How long it waits for its upgrade, in seconds.
	pub expires_in_seconds: u32,
}

/// One record type as `medchain_recordTypes` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordTypeFields {
	/// The type's API name (`DIAGNOSIS`, …).
	pub record_type: String,
	/// Its fields in commitment order (a share's field mask counts in it).
	pub fields: Vec<FieldRule>,
}

/// One field of a record type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldRule {
	/// The field's name.
	pub name: String,
	/// Whether a record of the type must have it.
	pub required: bool,
}

/// What `medchain_health` answers: this node's own view, for monitors and load balancers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Health {
	/// This node's hospital id.
	pub hospital: u32,
	/// The best block's number.
	pub best_block: u32,
	/// The finalized block's number.
	pub finalized_block: u32,
	/// Connected p2p peers.
	pub peers: u32,
	/// Stored records whose anchor is not final yet, as sampled every 5 s.
	pub outbox_depth: u64,
}

/// Which hospitals `medchain_hospitals` lists: ids from `from` (default 0), at most `limit`
/// (1 to [`MAX_HOSPITALS_PAGE`], the default).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HospitalsQuery {
	/// The first hospital id of the page.
	#[serde(default)]
	pub from: Option<u32>,
	/// The most hospitals on the page.
	#[serde(default)]
	pub limit: Option<u32>,
}

/// The most hospitals on one page of `medchain_hospitals`.
pub const MAX_HOSPITALS_PAGE: u32 = 100;

/// One page of the consortium's hospitals, at the finalized block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HospitalsPage {
	/// The hospitals, by id.
	pub hospitals: Vec<HospitalEntry>,
	/// The `from` of the next page, if there is more.
	pub next: Option<u32>,
}

/// A hospital as the registry holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HospitalEntry {
	/// Its id: the `custodian` and `granteeHospital` of the other methods.
	pub id: u32,
	/// `hospital` (it keeps records and validates) or `pharmacy` (it fills prescriptions).
	pub kind: String,
	/// Its name.
	pub name: String,
	/// `active`, `suspended` or `removed`.
	pub status: String,
	/// Whether it is in the current validator set.
	pub validator: bool,
	/// Its nodes' peer ids (base58).
	pub nodes: Vec<String>,
}

/// A request of `medchain_verifyPrescription`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VerifyPrescription {
	/// The prescription, any version.
	pub record_id: RecordId,
	/// The patient's share token: with it, the shared fields are opened too (an access, logged
	/// on chain, as `accessShared`).
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub share_token: Option<String>,
	/// The purpose of that access (HL7 PurposeOfUse); `TREAT` if absent.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub purpose: Option<String>,
}

/// A member of the consortium (a hospital or a pharmacy) as a prescription names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberRef {
	/// Its id.
	pub id: u32,
	/// Its name, as the registry holds it.
	pub name: String,
	/// `active`, `suspended` or `removed`.
	pub status: String,
}

/// One dispensing of a prescription.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrescriptionFill {
	/// 1 for the first fill.
	pub fill_no: u32,
	/// The pharmacy that dispensed.
	pub pharmacy: MemberRef,
	/// The version filled.
	pub record_id: RecordId,
	/// How much was dispensed.
	pub quantity: u32,
	/// The block of the fill.
	pub block: u32,
	/// Its time.
	pub time: String,
}

/// What `medchain_verifyPrescription` answers, read at the finalized block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrescriptionVerification {
	/// The version asked about.
	pub record_id: RecordId,
	/// Anchored by a member hospital, whose active operator signed the anchor.
	pub authentic: bool,
	/// The prescriber's hospital.
	pub prescriber: MemberRef,
	/// The record's patient pseudonym.
	pub patient: AccountId,
	/// `active`, `amended` or `erased`.
	pub status: String,
	/// The newer version, when amended: only the latest version fills.
	#[serde(skip_serializing_if = "Option::is_none")]
	pub amended_by: Option<RecordId>,
	/// The anchored field root.
	pub field_root: Hash32,
	/// When it was anchored.
	pub anchored_at: String,
	/// When it expires.
	pub expires_at: String,
	/// Whether it has expired.
	pub expired: bool,
	/// Fills allowed in all (refills + 1).
	pub fills_allowed: u32,
	/// Fills used, over every version.
	pub fills_used: u32,
	/// Fills left.
	pub fills_left: u32,
	/// Every fill, oldest first.
	pub fills: Vec<PrescriptionFill>,
	/// The finalized block this was read at.
	pub block: u32,
	/// The shared fields, verified, when a share token was given.
	#[serde(skip_serializing_if = "Option::is_none")]
	pub fields: Option<SharedFields>,
}

/// A request of `medchain_fillPrescription`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FillPrescription {
	/// The prescription's latest version, which this pharmacy opened.
	pub record_id: RecordId,
	/// How much is dispensed, at least 1.
	pub quantity: u32,
}

/// What `medchain_fillPrescription` answers once the fill is final.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FilledPrescription {
	/// The version filled.
	pub record_id: RecordId,
	/// This fill's number, 1 for the first.
	pub fill_no: u32,
	/// How much was dispensed.
	pub quantity: u32,
	/// The block of the fill.
	pub block: u32,
	/// Fills left after this one.
	pub fills_left: u32,
}
