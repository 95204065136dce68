//! A Rust client for a medchain node, built on the runtime's own types.
//!
//! - [`admission`]: a new hospital's session keys with proofs, and the hospital to propose.
//! - [`rpc`]: JSON-RPC over HTTP, and [`rpc::wait_until`] for polling with a deadline.
//! - [`chain`]: typed reads: runtime APIs, events, the registry, block authors.
//! - [`tx`]: signed transactions, submitted and followed until finalized.
//!
//! The `medchain-admin` binary puts governance (admitting, suspending hospitals, voting) on the
//! command line for hospital operators.

pub mod admission;
pub mod chain;
pub mod rpc;
pub mod tx;

pub use chain::Chain;
pub use rpc::{wait_until, Rpc};

/// Errors are reported as text: they end a command or a test with a message.
pub type Result<T> = std::result::Result<T, String>;
