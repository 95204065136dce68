//! Share grants, the messages patients and token holders sign, and the trait the access log
//! uses to spend a grant.
//!
//! Two signed messages, each a domain tag followed by the SCALE encoding of its fields, wrapped
//! in `<Bytes>…</Bytes>`:
//!
//! ```text
//! access request  = `<Bytes>` ‖ ACCESS_REQUEST_DOMAIN ‖ SCALE(genesis hash, grant, record,
//!                       accessor, purpose, uses so far, valid-until block) ‖ `</Bytes>`
//!                   signed with the share token's ed25519 key (see `crate::token`)
//! grant consent   = `<Bytes>` ‖ GRANT_CONSENT_DOMAIN
//!                              ‖ SCALE(genesis hash, patient, terms, nonce, deadline) ‖ `</Bytes>`
//!                   signed with the patient's key (sr25519 in practice)
//! ```
//!
//! The patient's key also signs the patient's extrinsics, so what it signs off chain is always
//! wrapped in `<Bytes>…</Bytes>` (polkadot.js `signRaw` does the same): no wrapped message
//! begins with a pallet index of the runtime, so none can be an extrinsic's signing payload. A
//! token's messages are wrapped the same way, so no key ever signs anything else off chain.

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_core::ed25519;
use sp_runtime::traits::Verify;

use crate::{commitment::RecordId, FieldMask, HospitalId, RecordType};

/// Domain tag of the message a share token signs to use a grant.
pub const ACCESS_REQUEST_DOMAIN: &[u8] = b"medchain/access-request/v1";
/// Domain tag of the message a patient signs so that a custodian can create a grant for them.
pub const GRANT_CONSENT_DOMAIN: &[u8] = b"medchain/grant-consent/v1";
/// polkadot.js `signRaw` signs `<Bytes>` ‖ message ‖ `</Bytes>`.
pub const BYTES_PREFIX: &[u8] = b"<Bytes>";
/// What polkadot.js `signRaw` appends to the message.
pub const BYTES_SUFFIX: &[u8] = b"</Bytes>";

/// A grant's id, assigned in order by the shares pallet.
pub type GrantId = u64;
/// A consent request's id, assigned in order by the shares pallet.
pub type ConsentRequestId = u64;

/// A share token's public key: the only trace of the token on chain.
pub type TokenKey = ed25519::Public;
/// A share token's signature of an [`AccessRequest`].
pub type TokenSignature = ed25519::Signature;

/// Why data is used: the HL7 v3 PurposeOfUse codes a share or an access may name.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum PurposeOfUse {
	/// TREAT: treatment.
	Treatment,
	/// ETREAT: emergency treatment.
	EmergencyTreatment,
	/// CAREMGT: care management.
	CareManagement,
	/// COC: coordination of care.
	CoordinationOfCare,
	/// PATRQT: at the patient's request.
	PatientRequested,
	/// HPAYMT: healthcare payment.
	Payment,
	/// HOPERAT: healthcare operations.
	Operations,
	/// HRESCH: healthcare research.
	Research,
	/// PUBHLTH: public health.
	PublicHealth,
	/// HLEGAL: legal.
	Legal,
}

impl PurposeOfUse {
	/// Every purpose, in declaration order.
	pub const ALL: [PurposeOfUse; 10] = [
		PurposeOfUse::Treatment,
		PurposeOfUse::EmergencyTreatment,
		PurposeOfUse::CareManagement,
		PurposeOfUse::CoordinationOfCare,
		PurposeOfUse::PatientRequested,
		PurposeOfUse::Payment,
		PurposeOfUse::Operations,
		PurposeOfUse::Research,
		PurposeOfUse::PublicHealth,
		PurposeOfUse::Legal,
	];

	/// The purpose with HL7 code `code` (e.g. `TREAT`).
	pub fn from_code(code: &str) -> Option<Self> {
		Self::ALL.into_iter().find(|purpose| purpose.code() == code)
	}

	/// The code in the HL7 v3 PurposeOfUse value set.
	pub fn code(self) -> &'static str {
		match self {
			PurposeOfUse::Treatment => "TREAT",
			PurposeOfUse::EmergencyTreatment => "ETREAT",
			PurposeOfUse::CareManagement => "CAREMGT",
			PurposeOfUse::CoordinationOfCare => "COC",
			PurposeOfUse::PatientRequested => "PATRQT",
			PurposeOfUse::Payment => "HPAYMT",
			PurposeOfUse::Operations => "HOPERAT",
			PurposeOfUse::Research => "HRESCH",
			PurposeOfUse::PublicHealth => "PUBHLTH",
			PurposeOfUse::Legal => "HLEGAL",
		}
	}
}

/// Which fields a grant discloses of each of its records.
#[derive(
	Clone,
	Copy,
	Debug,
	Default,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum FieldSelection {
	/// Every field but `notes`, whatever the record's type: the default.
	#[default]
	AllButNotes,
	/// Exactly these fields; the mask must fit every record of the grant.
	Only(FieldMask),
}

impl FieldSelection {
	/// The fields disclosed of a record of `record_type`.
	pub fn mask_for(self, record_type: RecordType) -> FieldMask {
		match self {
			FieldSelection::AllButNotes => FieldMask::without_notes(record_type),
			FieldSelection::Only(mask) => mask,
		}
	}

	/// Whether the selection names at least one field, and only fields `record_type` has.
	pub fn fits(self, record_type: RecordType) -> bool {
		let mask = self.mask_for(record_type);
		!mask.is_empty() && mask.fits(record_type)
	}
}

/// What a patient agrees to share. `Records` is a bounded vector on chain and a `Vec` off
/// chain; both encode the same.
#[derive(
	Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct GrantTerms<Records, BlockNumber> {
	/// The ids of the records shared.
	pub records: Records,
	/// Which fields of each record are disclosed.
	pub fields: FieldSelection,
	/// The one hospital that may use the grant; any active hospital holding the token if `None`.
	pub grantee: Option<HospitalId>,
	/// How long the grant lasts, in blocks from its creation.
	pub duration: BlockNumber,
	/// How many accesses it allows; unlimited if `None`.
	pub max_uses: Option<u32>,
	/// The one purpose accesses under the grant may state.
	pub purpose: PurposeOfUse,
	/// The public key of the share token (`crate::token`).
	pub token_key: TokenKey,
}

/// Who created a grant.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum Grantor {
	/// The patient, signing the extrinsic.
	Patient,
	/// The custodian hospital, submitting the patient's signed consent.
	Custodian(HospitalId),
	/// The patient, approving this hospital's consent request.
	ConsentRequest {
		/// The consent request approved.
		request: ConsentRequestId,
		/// The hospital that asked, and the grantee.
		requester: HospitalId,
	},
}

/// Whether a grant still holds.
#[derive(
	Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub enum GrantStatus<AccountId, BlockNumber> {
	/// Usable until it expires.
	Active,
	/// Revoked for good.
	Revoked {
		/// Block of the revocation.
		at: BlockNumber,
		/// The account that revoked it: the patient, or the granting custodian's operator.
		by: AccountId,
	},
}

/// A grant as stored on chain.
#[derive(
	Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct Grant<AccountId, BlockNumber, Records> {
	/// The patient whose records are shared.
	pub patient: AccountId,
	/// What is shared, with whom, for how long and why.
	pub terms: GrantTerms<Records, BlockNumber>,
	/// Who created the grant.
	pub grantor: Grantor,
	/// Block of creation.
	pub created_at: BlockNumber,
	/// The first block in which the grant no longer works.
	pub expires_at: BlockNumber,
	/// Accesses so far.
	pub uses: u32,
	/// Active or revoked.
	pub status: GrantStatus<AccountId, BlockNumber>,
}

impl<AccountId, BlockNumber: Copy + PartialOrd, Records: AsRef<[RecordId]>>
	Grant<AccountId, BlockNumber, Records>
{
	/// Why the grant can't open `record` for `accessor` and `purpose` at block `now`, if it
	/// can't: the one statement of these rules. The shares pallet applies it to every access;
	/// a node asks it first (`SharesApi::check_use`), so an access that would fail is never
	/// sent.
	pub fn use_refusal(
		&self,
		record: &RecordId,
		accessor: HospitalId,
		purpose: PurposeOfUse,
		now: BlockNumber,
	) -> Option<GrantRefusal> {
		let terms = &self.terms;
		if !matches!(self.status, GrantStatus::Active) {
			Some(GrantRefusal::GrantRevoked)
		} else if now >= self.expires_at {
			Some(GrantRefusal::GrantExpired)
		} else if terms.grantee.is_some_and(|grantee| grantee != accessor) {
			Some(GrantRefusal::WrongGrantee)
		} else if !terms.records.as_ref().contains(record) {
			Some(GrantRefusal::RecordNotInGrant)
		} else if terms.purpose != purpose {
			Some(GrantRefusal::PurposeMismatch)
		} else if terms.max_uses.is_some_and(|max| self.uses >= max) {
			Some(GrantRefusal::UsesExhausted)
		} else {
			None
		}
	}
}

/// A hospital's request for a patient's consent; approving it creates a grant to the requester.
#[derive(
	Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct ConsentRequest<BlockNumber, Records> {
	/// The hospital asking, the grant's grantee.
	pub requester: HospitalId,
	/// The ids of the records asked for.
	pub records: Records,
	/// Which fields of each record.
	pub fields: FieldSelection,
	/// How long the grant would last, in blocks from its approval.
	pub duration: BlockNumber,
	/// The purpose the grant would be for.
	pub purpose: PurposeOfUse,
	/// The first block in which the request can no longer be approved.
	pub expires_at: BlockNumber,
}

/// A token holder's request to use a grant once; the token signs [`Self::signing_payload`].
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct AccessRequest<BlockNumber> {
	/// The chain's genesis hash, so a signature works on one chain only.
	pub genesis_hash: [u8; 32],
	/// The grant to use.
	pub grant: GrantId,
	/// The record to read.
	pub record: RecordId,
	/// The hospital that reads.
	pub accessor: HospitalId,
	/// The purpose the access states.
	pub purpose: PurposeOfUse,
	/// The grant's use count when the request was signed.
	pub uses: u32,
	/// The last block in which the signature may be used.
	pub valid_until: BlockNumber,
}

impl<BlockNumber: Encode> AccessRequest<BlockNumber> {
	/// The message the token signs: `<Bytes>` ‖ `ACCESS_REQUEST_DOMAIN` ‖ SCALE(request) ‖
	/// `</Bytes>`.
	pub fn signing_payload(&self) -> Vec<u8> {
		let mut payload = ACCESS_REQUEST_DOMAIN.to_vec();
		self.encode_to(&mut payload);
		wrap_in_bytes_tags(&payload)
	}

	/// Whether `signature` is the signature of this request by the token with key `key`.
	pub fn is_signed_by(&self, key: &TokenKey, signature: &TokenSignature) -> bool {
		signature.verify(self.signing_payload().as_slice(), key)
	}
}

/// What a patient signs so that a custodian can create a grant on their behalf.
pub fn grant_consent_payload<AccountId: Encode, Records: Encode, BlockNumber: Encode>(
	genesis_hash: &[u8; 32],
	patient: &AccountId,
	terms: &GrantTerms<Records, BlockNumber>,
	nonce: u64,
	deadline: &BlockNumber,
) -> Vec<u8> {
	let mut payload = GRANT_CONSENT_DOMAIN.to_vec();
	(genesis_hash, patient, terms, nonce, deadline).encode_to(&mut payload);
	payload
}

/// The bytes a patient signs to consent: [`grant_consent_payload`] wrapped in `<Bytes>` tags.
pub fn grant_consent_message<AccountId: Encode, Records: Encode, BlockNumber: Encode>(
	genesis_hash: &[u8; 32],
	patient: &AccountId,
	terms: &GrantTerms<Records, BlockNumber>,
	nonce: u64,
	deadline: &BlockNumber,
) -> Vec<u8> {
	wrap_in_bytes_tags(&grant_consent_payload(genesis_hash, patient, terms, nonce, deadline))
}

/// A chain's 32-byte genesis hash from the runtime's hash type (its first 32 bytes,
/// zero-padded if shorter).
pub fn genesis_hash_bytes(hash: &[u8]) -> [u8; 32] {
	let mut bytes = [0u8; 32];
	for (byte, value) in bytes.iter_mut().zip(hash) {
		*byte = *value;
	}
	bytes
}

/// `payload` as polkadot.js `signRaw` signs it.
pub fn wrap_in_bytes_tags(payload: &[u8]) -> Vec<u8> {
	[BYTES_PREFIX, payload, BYTES_SUFFIX].concat()
}

/// A grant use the shares pallet allowed: whose record, and which fields it discloses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthorizedUse<AccountId> {
	/// The grant's patient.
	pub patient: AccountId,
	/// The fields the grant discloses.
	pub fields: FieldSelection,
}

/// Why a grant can't be used for an access request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum GrantRefusal {
	/// No grant has this id.
	GrantNotFound,
	/// The signature is not the grant's token's signature of this request.
	BadTokenSignature,
	/// The signature was made for an earlier use: it has been used already.
	SignatureReplayed,
	/// The signature claims more uses than the grant has had.
	UseCountMismatch,
	/// The request's `valid_until` block has passed.
	RequestExpired,
	/// The grant was revoked.
	GrantRevoked,
	/// The grant's duration is over.
	GrantExpired,
	/// The grant names another grantee hospital.
	WrongGrantee,
	/// The grant does not cover the record.
	RecordNotInGrant,
	/// The access names another purpose than the grant.
	PurposeMismatch,
	/// The grant's maximum number of uses is reached.
	UsesExhausted,
}

/// The shares pallet as the access log sees it.
pub trait ShareGrants<AccountId, BlockNumber> {
	/// Checks `request` and its token `signature` against the grant and, if all holds, counts
	/// one use of it (so the same signature can't be used again).
	fn use_grant(
		request: &AccessRequest<BlockNumber>,
		signature: &TokenSignature,
	) -> Result<AuthorizedUse<AccountId>, GrantRefusal>;
}
