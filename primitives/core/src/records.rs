//! Anchored records: what the chain holds of each, and where it stands.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

use crate::RecordType;

/// Where a record stands.
#[derive(
	Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub enum RecordStatus<AccountId, BlockNumber> {
	/// The current version.
	Active,
	/// A newer version, `by`, replaced it.
	Amended {
		/// The newer version's id.
		by: crate::commitment::RecordId,
	},
	/// A tombstone: the hashes stay, with when and at whose request it was erased.
	Erased {
		/// Block of the erasure.
		at: BlockNumber,
		/// Time of the erasure, in Unix milliseconds.
		time: u64,
		/// The account that requested the erasure.
		by: AccountId,
	},
}

/// An anchored record, as stored on chain: hashes and pseudonyms only.
#[derive(
	Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct Record<AccountId, BlockNumber> {
	/// The patient's pseudonymous account.
	pub patient: AccountId,
	/// The hospital holding the encrypted record.
	pub custodian: crate::HospitalId,
	/// The record's type, which fixes its fields.
	pub record_type: RecordType,
	/// Merkle root of the field leaves (see [`crate::commitment`]).
	pub field_root: crate::commitment::Hash256,
	/// Digest of the ciphertext the custodian stores.
	pub ciphertext_digest: crate::commitment::Hash256,
	/// 1 for the first version; each amendment adds one.
	pub version: u32,
	/// The version this one amends.
	pub previous: Option<crate::commitment::RecordId>,
	/// Whether the record is current, amended or erased.
	pub status: RecordStatus<AccountId, BlockNumber>,
	/// Block of anchoring.
	pub block: BlockNumber,
	/// Time of anchoring, in Unix milliseconds.
	pub time: u64,
}

/// What `verify(record id, root)` answers about an anchored root.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct RootVerification<AccountId, BlockNumber> {
	/// The record's id.
	pub record_id: crate::commitment::RecordId,
	/// The record's status.
	pub status: RecordStatus<AccountId, BlockNumber>,
	/// The hospital holding the record.
	pub custodian: crate::HospitalId,
	/// Block of anchoring.
	pub block: BlockNumber,
	/// Time of anchoring, in Unix milliseconds.
	pub time: u64,
}

/// The records pallet as grants and the access log see it.
pub trait RecordLookup<AccountId, BlockNumber> {
	/// The record with id `id`, whatever its status, if any.
	fn record(id: &crate::commitment::RecordId) -> Option<Record<AccountId, BlockNumber>>;
}
