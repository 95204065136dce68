//! The node's JSON-RPC.
//!
//! - [`substrate`]: the standard Substrate RPC (`chain_*`, `state_*`, `author_*`, `system_*`,
//!   `grandpa_*`), served on the public RPC port.
//! - [`app`]: the medchain app RPC (`medchain_*`), served by the custodian on its own listener,
//!   with the bearer-token roles of [`auth`], the connection caps of [`connections`], the
//!   bounds of [`limits`], the latency metrics
//!   of [`timing`] and the TLS of [`tls`]; [`log_filter`] keeps request bodies out of the log.

pub mod app;
pub mod auth;
pub mod connections;
pub mod limits;
pub mod log_filter;
pub mod portal;
pub mod substrate;
pub mod tickets;
pub mod timing;
pub mod tls;

pub use substrate::{create_full, FullDeps, GrandpaDeps};
