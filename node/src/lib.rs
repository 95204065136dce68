//! The parts of the node with unit tests of their own: the JSON-RPC servers ([`rpc`]: the app
//! RPC's roles, bounds, connection caps and TLS) and the peer allowlist ([`network`]). The
//! binary (`main.rs`) wires them into the Substrate service.

pub mod network;
pub mod rpc;
