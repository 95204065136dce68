//! The node's JSON-RPC.
//!
//! - [`substrate`]: the standard Substrate RPC (`chain_*`, `state_*`, `author_*`, `system_*`,
//!   `grandpa_*`), served on the public RPC port.
//!
//! The authenticated medchain app RPC, on its own listener, will live here too.

pub mod substrate;

pub use substrate::{create_full, FullDeps, GrandpaDeps};
