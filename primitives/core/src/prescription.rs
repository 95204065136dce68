//! Prescriptions: the terms a `PRESCRIPTION` record is anchored with, its fills, and the one
//! statement of when a pharmacy may fill it.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

use crate::{commitment::RecordId, HospitalId};

/// The most refills a prescription may allow: a year of a monthly repeat.
pub const MAX_REFILLS: u32 = 11;

/// The longest a prescription is valid, in milliseconds: a year.
pub const MAX_VALIDITY_MILLIS: u64 = 365 * 24 * 60 * 60 * 1000;

/// What the prescriber asks for when anchoring a prescription.
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
pub struct PrescriptionRequest {
	/// Fills allowed after the first.
	pub refills: u32,
	/// Expiry in Unix milliseconds; `None`, or a later time, means the chain's maximum validity.
	pub expires_at: Option<u64>,
}

/// A prescription's terms as anchored: shared by every version of the record.
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
pub struct PrescriptionTerms {
	/// The first version's id: fills are counted against it, so an amendment can't reset them.
	pub root: RecordId,
	/// Fills allowed in all: refills + 1.
	pub fills: u32,
	/// Expiry in Unix milliseconds.
	pub expires_at: u64,
}

/// One dispensing of a prescription.
#[derive(
	Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct Fill<BlockNumber> {
	/// The pharmacy that dispensed.
	pub pharmacy: HospitalId,
	/// The version filled.
	pub prescription: RecordId,
	/// How much was dispensed, in the prescription's units.
	pub quantity: u32,
	/// Block of the fill.
	pub block: BlockNumber,
	/// Time of the fill, in Unix milliseconds.
	pub time: u64,
}

/// Why a pharmacy may not fill a prescription now, in the order the chain checks.
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
pub enum FillRefusal {
	/// No record has this id.
	RecordNotFound,
	/// The record is not a prescription.
	NotAPrescription,
	/// The prescription was erased.
	PrescriptionErased,
	/// A newer version replaced this one; only the latest fills.
	PrescriptionAmended,
	/// The prescription's expiry has passed.
	PrescriptionExpired,
	/// Every allowed fill is used.
	NoFillsLeft,
	/// The pharmacy holds no access entry for this version that a fill has not spent.
	NoAccessEntry,
}

/// A prescription's state for a pharmacy or a verifier.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct PrescriptionState<AccountId, BlockNumber> {
	/// The anchored record.
	pub record: crate::records::Record<AccountId, BlockNumber>,
	/// Its terms.
	pub terms: PrescriptionTerms,
	/// Fills used so far, over every version.
	pub fills_used: u32,
}

impl<AccountId, BlockNumber> PrescriptionState<AccountId, BlockNumber> {
	/// Fills still allowed.
	pub fn fills_left(&self) -> u32 {
		self.terms.fills.saturating_sub(self.fills_used)
	}
}

/// The access log as `fill` sees it: a pharmacy's accesses to a prescription, each good for
/// one fill, so that every fill follows an opening with the patient's share token.
pub trait AccessLookup {
	/// The latest access entry by pharmacy `accessor` for exactly the record `record` that no
	/// fill has spent.
	fn accessed_by(record: &RecordId, accessor: HospitalId) -> Option<crate::access::AccessId>;

	/// Spends that entry for a fill: the next fill needs another access.
	fn spend_access(record: &RecordId, accessor: HospitalId) -> Option<crate::access::AccessId>;
}
