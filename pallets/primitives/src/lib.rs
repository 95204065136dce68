//! # medchain primitives
//!
//! `no_std` types and traits that the runtime, the pallets, the node and clients share.
//!
//! - [`registry`]: who is a member hospital, and who is a registered patient. Pallets depend
//!   on these traits rather than on each other, so each can be tested with a mock.
//! - [`validators`]: the validator set the registry decides, stall recovery, and the
//!   [`validators::ConsortiumApi`] runtime API the node's peer allowlist reads.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod registry;
pub mod validators;

pub use registry::{HospitalId, HospitalRegistry, HospitalRole, PatientRegistry};
pub use validators::{StalledSetRecovery, ValidatorRegistry};
