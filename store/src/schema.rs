//! What the store keeps, and in which redb tables.
//!
//! `records.redb` holds the records (anchor state, and sealed fields in pieces), the outbox and
//! pending shreds; `keys-<epoch>.redb` holds the data keys wrapped under that epoch's KEK. Keys live in
//! their own file so that a rotation can write a new one and delete the old: bytes that a
//! database frees stay in its file, and an erased record's wrapped key must not.

use codec::{Decode, Encode};
use medchain_primitives::{
	commitment::{Hash256, RecordId},
	RecordType,
};
use redb::TableDefinition;

/// Store-wide settings: the request-id secret, the custodian, the outbox counter.
pub const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
/// Record id → SCALE([`StoredRecord`]).
pub const RECORDS: TableDefinition<[u8; 32], &[u8]> = TableDefinition::new("records");
/// (record id, piece index) → a piece of the record's sealed bytes ([`crate::sealed`]).
pub const SEALED: TableDefinition<([u8; 32], u32), &[u8]> = TableDefinition::new("sealed");
/// Outbox position → record id, for records not yet anchored or failed.
pub const OUTBOX: TableDefinition<u64, [u8; 32]> = TableDefinition::new("outbox");
/// Record id → SCALE([`PendingShred`]): erasures decided but not yet finished.
pub const SHREDS: TableDefinition<[u8; 32], &[u8]> = TableDefinition::new("shreds");
/// Record id → the block from which its scheduled erasure may be completed.
pub const ERASE_DUE: TableDefinition<[u8; 32], u32> = TableDefinition::new("erase-due");
/// Access id → SCALE([`crate::releases::Release`]): releases claimed, until their receipt is
/// final on chain.
pub const RELEASES: TableDefinition<u64, &[u8]> = TableDefinition::new("releases");
/// Record id → SCALE([`medchain_primitives::prescription::PrescriptionRequest`]): the terms a
/// prescription is anchored with.
pub const PRESCRIPTIONS: TableDefinition<[u8; 32], &[u8]> = TableDefinition::new("prescriptions");
/// Record id → its data key wrapped under the file's epoch KEK.
pub const KEYS: TableDefinition<[u8; 32], &[u8]> = TableDefinition::new("keys");

/// Meta key of the secret that turns client request ids into anchor request ids.
pub const REQUEST_SECRET: &str = "request-secret";
/// Meta key of the custodian hospital id the store belongs to.
pub const CUSTODIAN: &str = "custodian";
/// Meta key of the next outbox position.
pub const NEXT_OUTBOX: &str = "next-outbox";
/// Meta key of the last finalized block whose events the node has applied to the store.
pub const CHAIN_CURSOR: &str = "chain-cursor";

/// Where a record's anchor stands, as the store remembers it across restarts. Submitted and
/// in-block states live in the node's memory: after a restart the chain says which it was.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub enum AnchorState {
	/// Stored and waiting in the outbox.
	Stored,
	/// Anchored in finalized block `block`.
	Anchored {
		/// The finalized block's number.
		block: u32,
	},
	/// The chain refused the anchor; the record stays stored but leaves the outbox.
	Failed {
		/// Why, as the chain said it.
		reason: String,
	},
}

/// Proof that a record's data key is gone.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct ShredReceipt {
	/// The erased record.
	pub record_id: RecordId,
	/// The destroyed data key's id (a hash of the key).
	pub key_id: [u8; 16],
	/// The KEK epoch that was destroyed with it.
	pub retired_epoch: u64,
}

/// An erasure between its decision and its end.
#[derive(Clone, Debug, Encode, Decode)]
pub struct PendingShred {
	/// The id of the data key to destroy.
	pub key_id: [u8; 16],
	/// The KEK epoch in force when the erasure was decided.
	pub epoch: u64,
}

/// One record as stored.
#[derive(Clone, Debug, Encode, Decode)]
pub struct StoredRecord {
	/// The patient pseudonym (an account id).
	pub patient: [u8; 32],
	/// The record's type.
	pub record_type: RecordType,
	/// The anchor's request id (a keyed hash of the submitter and its request id).
	pub request_id: Hash256,
	/// A digest of the submitted content keyed with the record's data key, to compare a retry
	/// with; zeroed on erasure (and useless once the key is destroyed).
	pub content_digest: Hash256,
	/// The Merkle root of the field leaves.
	pub field_root: Hash256,
	/// SHA-256 of `sealed`, as anchored.
	pub ciphertext_digest: Hash256,
	/// The length of its sealed field values and salts, kept in [`SEALED`] until it is erased.
	pub sealed_len: u32,
	/// The anchor's state.
	pub state: AnchorState,
	/// Set once the data key is destroyed.
	pub erased: Option<ShredReceipt>,
	/// The record's outbox position while it waits to be anchored.
	pub outbox: Option<u64>,
	/// When the store accepted it, in Unix milliseconds.
	pub stored_at: u64,
}
