//! # medchain pallet support
//!
//! FRAME building blocks that more than one medchain pallet needs, written once:
//!
//! - [`origin`]: "an active hospital's operator", "an active hospital's admin" and "an active
//!   pharmacy's operator" as
//!   [`EnsureOrigin`](frame_support::traits::EnsureOrigin)s, plugged into each pallet's `Config`.
//! - [`chain`]: the chain's genesis hash and the wall-clock time in milliseconds.
//! - [`migrations`]: the no-op translation of a storage version that only adds storage.
//! - [`index`]: an append-only `(key, position) → value` index with its length, paged reads and
//!   a consistency check for `try_state`.

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]
#![cfg_attr(test, allow(clippy::arithmetic_side_effects, reason = "tests compute expected values"))]

extern crate alloc;

pub mod chain;
pub mod index;
pub mod migrations;
pub mod origin;

pub use index::AppendOnlyIndex;
pub use origin::{EnsureHospitalAdmin, EnsureHospitalOperator, EnsurePharmacyOperator};
