//! The record store's integration tests, one test binary with a module per concern: the store
//! through its public API, on real files in temporary directories.

mod common;
mod compaction;
mod crash;
mod erasure;
mod forensics;
mod permissions;
mod refusals;
mod store;
