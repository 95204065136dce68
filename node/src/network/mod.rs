//! The node's place in the consortium's p2p network.
//!
//! - [`allowlist`]: only the nodes of active hospitals take part in gossip and sync.
//!
//! The record exchange between custodian and requester nodes will live here too.

pub mod allowlist;
