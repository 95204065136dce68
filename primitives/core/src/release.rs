//! The release protocol's messages: a requester's node asks a custodian's node for the fields of
//! a finalized access entry, and the custodian answers with the fields (each with its salt and
//! Merkle proof) or a refusal. Both sides read the other's bytes with [`ReleaseRequest::read`]
//! and [`ReleaseResponse::read`], and the requester checks the fields with [`verify_release`].
//! The transport (p2p request-response) is the custodian's (`custodian/src/protocol.rs`).

use alloc::vec::Vec;
use codec::{Decode, DecodeAll, Encode};

use crate::{
	access::AccessId,
	commitment::{verify_field, DisclosedField, Hash256, RecordId},
	fields::{FieldMask, RecordType},
};

/// The largest request: an access id, with room to spare.
pub const MAX_REQUEST_BYTES: u64 = 64;
/// The largest answer: a maximal record (1 MiB of values) with its salts and proofs.
pub const MAX_RESPONSE_BYTES: u64 = 2 << 20;

/// Asks for the fields of access entry `access`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub struct ReleaseRequest {
	/// The finalized access entry.
	pub access: AccessId,
}

impl ReleaseRequest {
	/// The request `bytes` encode exactly, or `None`.
	pub fn read(bytes: &[u8]) -> Option<Self> {
		Self::decode_all(&mut &bytes[..]).ok()
	}
}

/// The custodian's answer.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub enum ReleaseResponse {
	/// The entry's fields, each with its salt and proof.
	Released(Vec<DisclosedField>),
	/// Why the custodian does not release them.
	Refused(Refusal),
}

impl ReleaseResponse {
	/// The answer `bytes` encode exactly, or `None`.
	pub fn read(bytes: &[u8]) -> Option<Self> {
		Self::decode_all(&mut &bytes[..]).ok()
	}
}

/// Why a custodian refuses a release, one reason each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub enum Refusal {
	/// No finalized access entry has this id (it may not be finalized yet).
	EntryNotFinalized,
	/// The entry names another hospital as custodian.
	NotCustodian,
	/// The entry is not a grant access (break-glass and patient reads are served otherwise).
	NotGrantAccess,
	/// The requesting node is not a node of the entry's accessor hospital, or that hospital
	/// is not active.
	NotAccessorNode,
	/// The entry was served already.
	AlreadyServed,
	/// The entry is older than the release lifetime
	/// (`medchain_custodian::protocol::RELEASE_LIFETIME_BLOCKS`).
	EntryExpired,
	/// The grant was revoked, expired or pruned since the access.
	GrantNoLongerValid,
	/// The record was erased (or is being erased) since the access.
	RecordErased,
	/// The custodian can't serve now (its store or its release transaction failed); retry.
	Unavailable,
}

impl Refusal {
	/// What the refusal means, for the requester's error message.
	pub fn describe(self) -> &'static str {
		match self {
			Refusal::EntryNotFinalized => {
				"the custodian sees no finalized access entry with this id"
			}
			Refusal::NotCustodian => "the entry names another custodian",
			Refusal::NotGrantAccess => "the entry is not a share access",
			Refusal::NotAccessorNode => "this node is not a node of the entry's accessor hospital",
			Refusal::AlreadyServed => "the entry was served already",
			Refusal::EntryExpired => "the entry is older than the release lifetime",
			Refusal::GrantNoLongerValid => "the grant was revoked or expired since the access",
			Refusal::RecordErased => "the record was erased",
			Refusal::Unavailable => "the custodian can't serve now; retry",
		}
	}
}

/// Whether `released` is exactly the fields of `mask`, once each, of the record `record_id` of
/// type `record_type` whose anchored root is `root`.
pub fn verify_release(
	root: &Hash256,
	record_id: &RecordId,
	record_type: RecordType,
	mask: FieldMask,
	released: &[DisclosedField],
) -> bool {
	let mut indices: Vec<u8> = released.iter().map(|field| field.index).collect();
	indices.sort_unstable();
	// The mask's indices are ascending and distinct: a repeated or missing field differs.
	let exact = indices.into_iter().eq(mask.indices());
	exact && released.iter().all(|field| verify_field(root, record_id, record_type, field))
}
