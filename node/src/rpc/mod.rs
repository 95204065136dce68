//! The node's JSON-RPC.
//!
//! - [`substrate`]: the standard Substrate RPC (`chain_*`, `state_*`, `author_*`, `system_*`,
//!   `grandpa_*`), served on the public RPC port.
//! - [`app`]: the medchain app RPC (`medchain_*`), served by the custodian on its own listener,
//!   with the bearer-token roles of [`auth`] and the latency metrics of [`timing`].

pub mod app;
pub mod auth;
pub mod substrate;
pub mod timing;

pub use substrate::{create_full, FullDeps, GrandpaDeps};
