//! The medchain runtime one spec version later (`medchain_runtime::VERSION` + 1), as wasm: what
//! the runtime-upgrade drill installs by governance while records and accesses flow.
//!
//! In the wasm build this crate is the runtime itself; natively it holds only the wasm's bytes.

#![cfg_attr(not(feature = "std"), no_std)]

#[cfg(not(feature = "std"))]
pub use medchain_runtime::*;

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));
