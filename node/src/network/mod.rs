//! The node's place in the consortium's p2p network.
//!
//! - [`allowlist`]: only the nodes of active hospitals take part in gossip and sync;
//! - the release protocol, which carries a shared record's fields from its custodian's node to
//!   the requester's node, is `medchain_custodian::protocol`; the node registers it.

pub mod allowlist;
