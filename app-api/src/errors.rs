//! The medchain RPC's error codes. `docs/rpc.md` lists the same, with their meaning.

use jsonrpsee::types::ErrorObjectOwned;

/// A medchain error: its code, a message for people, and the code's structured data if it
/// has any. The RPC sends it as a JSON-RPC error object.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
	/// What went wrong, as a code an app can act on.
	pub code: ErrorCode,
	/// What went wrong, for people.
	pub message: String,
	/// The code's structured data (`docs/rpc.md`), if it has any.
	pub data: Option<serde_json::Value>,
}

impl ApiError {
	/// The JSON-RPC error code.
	pub fn code(&self) -> i32 {
		self.code.code()
	}
}

impl From<ApiError> for ErrorObjectOwned {
	fn from(error: ApiError) -> Self {
		ErrorObjectOwned::owned(error.code.code(), error.message, error.data)
	}
}

/// Every error a medchain method returns, by code. A malformed id, hash or account (not `0x`
/// and 64 hex digits, [`crate::ids`]) is no medchain code: the params fail to parse (-32602).
/// -32016 and -32020 (`InvalidPatient`, `InvalidRecordId`) were those, before ids were typed;
/// they are not reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
	/// No `Authorization: Bearer <token>` header, or a token the node does not know.
	Unauthorized = -32001,
	/// The token's role may not call this method, or (a patient token) not for this patient.
	Forbidden = -32002,
	/// This token has too many calls in flight, or made too many calls in the last second.
	RateLimited = -32003,
	/// The node is at its bound on request bytes in flight, or on app-triggered transactions
	/// waiting for finality; nothing was done. Retry shortly.
	Busy = -32004,
	/// `medchain_subscribe` over plain HTTP: a subscription needs a WebSocket (`ws://`,
	/// `wss://`).
	WebSocketRequired = -32005,
	/// `recordType` is not one of the record types.
	UnknownRecordType = -32010,
	/// `fields` names a field the record type does not have.
	UnknownField = -32011,
	/// A field the record type requires is missing.
	MissingField = -32012,
	/// A field's value is not a string (or `null` for an absent field).
	InvalidFieldValue = -32013,
	/// The record is larger than the most a record may hold.
	RecordTooLarge = -32014,
	/// More records in one `submitRecords` than the most it takes.
	TooManyRecords = -32015,
	/// The `clientRequestId` was used before for a different record.
	RequestIdConflict = -32017,
	/// The node stores no record with this id.
	RecordNotFound = -32018,
	/// `clientRequestId` is empty or longer than 256 bytes.
	InvalidRequestId = -32021,
	/// The record was erased: its data key is gone.
	RecordErased = -32019,
	/// The record's anchor is not final yet, so it can't be erased on chain yet.
	RecordNotAnchored = -32022,
	/// The challenge is unknown, used, expired, or for another record.
	ChallengeInvalid = -32023,
	/// The signature is not the record's patient's signature of the challenge message.
	SignatureInvalid = -32024,
	/// No finalized patient access entry with this id logs this patient reading this record.
	AccessNotLogged = -32025,
	/// The access entry was served already.
	AccessAlreadyServed = -32026,
	/// A `subscribe` filter must name exactly one of `patient` and `hospital`.
	InvalidSubscribeFilter = -32029,
	/// The share's terms are malformed; the message names the term.
	InvalidShareTerms = -32027,
	/// The chain refused the share; the message names the chain's error.
	ShareRefused = -32028,
	/// `shareToken` is not a share token (`VIC_` and 43 base64url characters).
	InvalidShareToken = -32030,
	/// No grant in state opens with this token: never created, or pruned a day after it expired.
	ShareNotFound = -32031,
	/// The grant was revoked.
	ShareRevoked = -32032,
	/// The grant has expired.
	ShareExpired = -32033,
	/// Access denied for this hospital: the grant names another grantee.
	ShareWrongHospital = -32034,
	/// The grant's maximum number of uses is reached.
	ShareUsesExhausted = -32035,
	/// The grant does not cover this record.
	RecordNotShared = -32036,
	/// The purpose is not the grant's purpose.
	PurposeMismatch = -32037,
	/// `purpose` is not an HL7 PurposeOfUse code.
	InvalidPurpose = -32038,
	/// The chain refused the access for another reason; the message names it.
	AccessRefused = -32039,
	/// The transaction pool refused the node's transaction; the message has the reason.
	TransactionRefused = -32040,
	/// The node's transaction was not final within the node's wait (finality stalls); the
	/// error's data name its block (and the access id of an access), or its hash if it is in no
	/// block yet. It stays in the pool: do not send it again; retry once the block is final.
	NotFinalYet = -32041,
	/// The node's record store failed; nothing was stored.
	StoreUnavailable = -32050,
	/// The record store's disk is nearly full: submissions are refused, and nothing was
	/// stored, until space is freed. The error's data give `free`, `needed` and `reserve` in
	/// bytes; what was stored before is untouched.
	StoreFull = -32051,
	/// No node of the custodian answered, or its node has not finalized the access entry yet;
	/// the access is logged, so `retryAccess` with the `accessId` in the error's data while the
	/// entry is inside its release lifetime.
	CustodianUnavailable = -32060,
	/// The custodian refused to release the fields; the message says why.
	ReleaseRefused = -32061,
	/// A released field did not verify against the anchor, or the fields are not the entry's.
	FieldsUnverified = -32062,
	/// The access entry is older than its release lifetime (150 blocks, 5 minutes): log a new access.
	AccessExpired = -32063,
	/// The record is not a prescription (or has no prescription terms).
	NotAPrescription = -32080,
	/// The prescription was erased: it can't be filled.
	PrescriptionErased = -32081,
	/// A newer version replaced this prescription: only the latest version fills.
	PrescriptionAmended = -32082,
	/// The prescription's expiry has passed.
	PrescriptionExpired = -32083,
	/// This pharmacy holds no access entry for this version: open it with the share token
	/// (`accessShared`) first.
	NoAccessEntry = -32084,
	/// Every fill the prescription allows is used.
	NoFillsLeft = -32085,
	/// This node's member is not an active pharmacy: only pharmacies fill prescriptions.
	NotAPharmacy = -32086,
	/// An access-log query or export is malformed: not exactly one of `patient`, `hospital`,
	/// `custodian` and `record`, a time that is not RFC 3339, a foreign cursor, or a limit out
	/// of range. The message names which.
	InvalidAuditQuery = -32070,
}

impl ErrorCode {
	/// Every code, for documentation and tests.
	pub const ALL: [ErrorCode; 49] = [
		ErrorCode::Unauthorized,
		ErrorCode::Forbidden,
		ErrorCode::RateLimited,
		ErrorCode::Busy,
		ErrorCode::WebSocketRequired,
		ErrorCode::UnknownRecordType,
		ErrorCode::UnknownField,
		ErrorCode::MissingField,
		ErrorCode::InvalidFieldValue,
		ErrorCode::RecordTooLarge,
		ErrorCode::TooManyRecords,
		ErrorCode::RequestIdConflict,
		ErrorCode::RecordNotFound,
		ErrorCode::InvalidRequestId,
		ErrorCode::RecordErased,
		ErrorCode::RecordNotAnchored,
		ErrorCode::ChallengeInvalid,
		ErrorCode::SignatureInvalid,
		ErrorCode::AccessNotLogged,
		ErrorCode::AccessAlreadyServed,
		ErrorCode::InvalidSubscribeFilter,
		ErrorCode::InvalidShareTerms,
		ErrorCode::ShareRefused,
		ErrorCode::InvalidShareToken,
		ErrorCode::ShareNotFound,
		ErrorCode::ShareRevoked,
		ErrorCode::ShareExpired,
		ErrorCode::ShareWrongHospital,
		ErrorCode::ShareUsesExhausted,
		ErrorCode::RecordNotShared,
		ErrorCode::PurposeMismatch,
		ErrorCode::InvalidPurpose,
		ErrorCode::AccessRefused,
		ErrorCode::TransactionRefused,
		ErrorCode::NotFinalYet,
		ErrorCode::StoreUnavailable,
		ErrorCode::StoreFull,
		ErrorCode::CustodianUnavailable,
		ErrorCode::ReleaseRefused,
		ErrorCode::FieldsUnverified,
		ErrorCode::AccessExpired,
		ErrorCode::NotAPrescription,
		ErrorCode::PrescriptionErased,
		ErrorCode::PrescriptionAmended,
		ErrorCode::PrescriptionExpired,
		ErrorCode::NoAccessEntry,
		ErrorCode::NoFillsLeft,
		ErrorCode::NotAPharmacy,
		ErrorCode::InvalidAuditQuery,
	];

	/// The JSON-RPC error code.
	pub fn code(self) -> i32 {
		self as i32
	}

	/// The code whose number is `code`.
	pub fn from_code(code: i32) -> Option<Self> {
		Self::ALL.into_iter().find(|known| known.code() == code)
	}

	/// An error with this code and `message`.
	pub fn error(self, message: impl Into<String>) -> ApiError {
		ApiError { code: self, message: message.into(), data: None }
	}

	/// An error with this code, `message` and structured `data` (documented per code).
	pub fn error_with_data(self, message: impl Into<String>, data: serde_json::Value) -> ApiError {
		ApiError { code: self, message: message.into(), data: Some(data) }
	}
}
