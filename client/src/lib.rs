//! A Rust client for a medchain node, built on the runtime's own types.
//!
//! - [`chain`]: the one typed path to a node: headers and `H256` block hashes, runtime API
//!   calls, storage, events, block authors, submission.
//! - [`runtime_api`]: the runtime API methods the client calls, typed and checked against the
//!   runtime's metadata.
//! - [`tx`]: signed transactions, submitted and followed until finalized.
//! - [`governance`]: proposals and the votes that pass them.
//! - [`admission`]: a new hospital's session keys with proofs, and the hospital to propose.
//! - [`rpc`]: the JSON-RPC transport, and [`rpc::wait_until`] for polling with a deadline.
//!
//! The `medchain` command line (crate `medchain-cli`) is built on it.

pub mod admission;
pub mod chain;
pub mod governance;
pub mod rpc;
pub mod runtime_api;
pub mod tx;

pub use chain::Chain;
pub use rpc::{wait_until, Rpc};

/// Errors are reported as text: they end a command or a test with a message.
pub type Result<T> = std::result::Result<T, String>;
