//! # medchain primitives
//!
//! `no_std` types and traits that the runtime, the pallets, the node and clients share.
//!
//! - [`registry`]: who is a member hospital, and who is a registered patient. Pallets depend
//!   on these traits rather than on each other, so each can be tested with a mock.

#![cfg_attr(not(feature = "std"), no_std)]

pub mod registry;

pub use registry::{HospitalId, HospitalRegistry, HospitalRole, PatientRegistry};
