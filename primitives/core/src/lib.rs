//! # medchain primitives
//!
//! `no_std` types and traits that the runtime, the pallets, the node and clients share. The
//! runtime APIs are declared in `medchain-runtime-api`, share tokens in `medchain-token`, and
//! the pallets' test fixture in `medchain-pallet-testing`.
//!
//! - [`registry`]: who is a member hospital, and who is a registered patient. Pallets depend
//!   on these traits rather than on each other, so each can be tested with a mock.
//! - [`validators`]: the validator set the registry decides, stall recovery, and the nodes it
//!   admits to the network.
//! - [`fields`]: record types, their fields, and field masks.
//! - [`records`]: anchored records and their status.
//! - [`prescription`]: a prescription's terms, its fills, and when a pharmacy may fill it.
//! - [`commitment`]: the field-level commitment of a record (leaf hash, Merkle root, single-field
//!   proofs), the same code on chain and off.
//! - [`shares`]: grants, consent requests, the messages patients and share tokens sign, and
//!   the [`shares::ShareGrants`] trait the access log spends grants through.
//! - [`peer`]: node peer ids and the node-key signatures that prove them.
//! - [`quota`]: rolling-window quotas for permanent writes on a feeless chain.
//! - [`access`]: access entries and the queries auditors page through.
//! - [`release`]: the release protocol's messages, and the requester's check of released fields.

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]
#![cfg_attr(test, allow(clippy::arithmetic_side_effects, reason = "tests compute expected values"))]

extern crate alloc;

pub mod access;
pub mod commitment;
pub mod fields;
pub mod peer;
pub mod prescription;
pub mod quota;
pub mod records;
pub mod registry;
pub mod release;
pub mod shares;
pub mod validators;

pub use fields::{FieldMask, RecordType};
pub use quota::RollingQuota;
pub use records::RecordLookup;
pub use registry::{HospitalId, HospitalRegistry, HospitalRole, PatientRegistry};
pub use validators::{StalledSetRecovery, ValidatorRegistry};
