//! Access entries: every disclosure of a record, and the auditors' runtime API over them.

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

use crate::{
	commitment::{Hash256, RecordId},
	shares::{GrantId, PurposeOfUse},
	FieldMask, HospitalId,
};

/// An access entry's id, assigned in order by the access log.
pub type AccessId = u64;

/// Why a hospital breaks the glass. A code, never free text: free text would be a channel for
/// health information.
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
pub enum BreakGlassReason {
	/// The patient is unconscious or otherwise unable to consent.
	PatientUnableToConsent,
	/// Delay would endanger the patient's life.
	LifeThreatening,
	/// A declared public-health emergency.
	PublicHealthEmergency,
}

/// How an access was authorized.
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
pub enum AccessKind {
	/// A hospital presenting a share token.
	Normal {
		/// The grant used.
		grant: GrantId,
	},
	/// Break-glass: no grant, a justification.
	Emergency {
		/// The justification code.
		reason: BreakGlassReason,
	},
	/// The patient reading their own record.
	Patient,
}

/// Who reads.
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
pub enum Accessor {
	/// This hospital or pharmacy (its operator).
	Hospital(HospitalId),
	/// The record's patient.
	Patient,
}

/// The custodian's receipt for what it actually sent.
#[derive(
	Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct ReleaseReceipt<BlockNumber> {
	/// Hash of the response the custodian sent.
	pub response_hash: Hash256,
	/// Block of the confirmation.
	pub block: BlockNumber,
	/// Time of the confirmation, in Unix milliseconds.
	pub time: u64,
}

/// One disclosure, as the chain records it.
#[derive(
	Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct AccessEntry<AccountId, BlockNumber> {
	/// How the access was authorized.
	pub kind: AccessKind,
	/// The record read.
	pub record: RecordId,
	/// The record's patient.
	pub patient: AccountId,
	/// Who read it.
	pub accessor: Accessor,
	/// The hospital holding the record.
	pub custodian: HospitalId,
	/// Exactly the fields the custodian may release.
	pub fields: FieldMask,
	/// The stated purpose of use.
	pub purpose: PurposeOfUse,
	/// Block of the access.
	pub block: BlockNumber,
	/// Time of the access, in Unix milliseconds.
	pub time: u64,
	/// Set once the custodian confirms the release.
	pub release: Option<ReleaseReceipt<BlockNumber>>,
}

/// Which entries an auditor asks for (also the key of the access log's indices).
#[derive(
	Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub enum AccessQuery<AccountId> {
	/// Entries of this patient's records.
	Patient(AccountId),
	/// Entries where this hospital read (normal and emergency accesses).
	Accessor(HospitalId),
	/// Entries of the records this hospital holds.
	Custodian(HospitalId),
	/// Entries of this record.
	Record(RecordId),
}

/// One page of entries, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct AccessPage<AccountId, BlockNumber> {
	/// The entries, with their ids.
	pub entries: Vec<(AccessId, AccessEntry<AccountId, BlockNumber>)>,
	/// Pass as `cursor` to get the next page; `None` when the range is exhausted.
	pub next_cursor: Option<u32>,
}

/// A refused access: an access extrinsic that was included but failed at dispatch. A failed
/// call writes no state, so this is not chain state: nodes index refusals from finalized
/// blocks and their events, for auditors.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct RefusedAccess<AccountId, BlockNumber> {
	/// Block that holds the extrinsic.
	pub block: BlockNumber,
	/// The extrinsic's index in the block.
	pub index: u32,
	/// Time of the block, in Unix milliseconds.
	pub time: u64,
	/// Who signed it.
	pub signer: AccountId,
	/// The signer's hospital at that block, if the signer was a hospital's account.
	pub hospital: Option<HospitalId>,
	/// What was attempted: a share access (with its grant), a break-glass or a patient read.
	pub kind: AccessKind,
	/// The record asked for.
	pub record: RecordId,
	/// The record's patient and custodian, if the record is anchored.
	pub patient: Option<AccountId>,
	/// The hospital holding the record, if it is anchored.
	pub custodian: Option<HospitalId>,
	/// The stated purpose of use (a break-glass is for emergency treatment, a patient read at
	/// the patient's request).
	pub purpose: PurposeOfUse,
	/// The runtime's error, by name (e.g. `GrantRevoked`).
	pub reason: Vec<u8>,
}

impl<AccountId: PartialEq, BlockNumber> RefusedAccess<AccountId, BlockNumber> {
	/// Whether an auditor's `query` covers this refusal.
	pub fn matches(&self, query: &AccessQuery<AccountId>) -> bool {
		match query {
			AccessQuery::Patient(patient) => self.patient.as_ref() == Some(patient),
			AccessQuery::Accessor(hospital) => self.hospital == Some(*hospital),
			AccessQuery::Custodian(hospital) => self.custodian == Some(*hospital),
			AccessQuery::Record(record) => self.record == *record,
		}
	}
}
