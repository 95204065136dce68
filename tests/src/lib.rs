//! Harness for tests that drive real `medchain-node` processes on 127.0.0.1.
//!
//! - [`node`]: one node process: spawn, log to a file, SIGKILL, restart on the same base path,
//!   kill on drop.
//! - [`network`]: the four local hospitals wired together with fixed node keys.
//! - [`rpc`]: JSON-RPC and [`rpc::wait_until`], and [`medchain_client`] for typed chain reads
//!   and signed transactions (the same client hospitals use).
//! - [`custodian`]: a node as its hospital's record custodian, and medchain RPC clients.
//! - [`metrics`]: reading a node's Prometheus endpoint.
//! - [`ports`]: free loopback ports.

pub mod custodian;
pub mod metrics;
pub mod network;
pub mod node;
pub mod ports;
pub use medchain_client::{self as client, rpc};

/// Errors in the harness are reported as text: they end a test with a message.
pub use medchain_client::Result;
