//! The node's place in the consortium's p2p network.
//!
//! - [`allowlist`]: only the nodes of active hospitals take part in gossip and sync;
//! - [`release`]: the protocol that carries a shared record's fields from its custodian's node
//!   to the requester's node.

pub mod allowlist;
pub mod release;
