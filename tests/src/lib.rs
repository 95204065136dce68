//! Harness for tests that drive real `medchain-node` processes on 127.0.0.1 (or in network
//! namespaces of their own, [`netns`]).
//!
//! - [`node`]: one node process: spawn, log to a file, SIGKILL, restart on the same base path,
//!   kill on drop.
//! - [`network`]: the four local hospitals wired together with fixed node keys.
//! - [`rpc`]: JSON-RPC and [`rpc::wait_until`], and [`medchain_client`] for typed chain reads
//!   and signed transactions (the same client hospitals use).
//! - [`custodian`]: a node as its hospital's record custodian, and medchain RPC clients.
//! - [`anchors`]: what finalized blocks anchored, and waiting until records are anchored once.
//! - [`load`]: apps writing records to every hospital during a drill, and the check that each
//!   acknowledged record is anchored once.
//! - [`metrics`]: reading a node's Prometheus endpoint.
//! - [`fhir`]: checking exported FHIR against the R5 models (`fhir/validate.py`).
//! - [`ports`]: free loopback ports.
//! - [`netns`]: two network namespaces and the link between them, for partition drills.
//! - [`rpc_docs`]: the JSON examples of `docs/rpc.md`, and the shape an answer must have.

pub mod anchors;
pub mod custodian;
pub mod fhir;
pub mod load;
pub mod metrics;
pub mod netns;
pub mod network;
pub mod node;
pub mod ports;
pub mod rpc_docs;
pub use medchain_client::{self as client, rpc};

/// Errors in the harness are reported as text: they end a test with a message.
pub use medchain_client::Result;

/// The environment variable that lets named checks skip where this machine can't run them: a
/// comma-separated list of names. CI sets nothing, so there a check that can't run fails.
pub const ALLOW_SKIP: &str = "MEDCHAIN_ALLOW_SKIP";

/// Starts step `name` of a long scenario: printed, so a failure shows the step it is in.
pub fn step(name: &str) {
	println!("==> step {name}");
}

/// Ends check `name`, which can't run here for `reason`: skipped (with the reason printed) if
/// [`ALLOW_SKIP`] names it, an error otherwise.
pub fn skip(name: &str, reason: &str) -> Result<()> {
	let allowed = std::env::var(ALLOW_SKIP).unwrap_or_default();
	if allowed.split(',').any(|allowed| allowed.trim() == name) {
		println!("skipped {name}: {reason}");
		return Ok(());
	}
	Err(format!("{name} can't run here: {reason}; set {ALLOW_SKIP}={name} to skip it"))
}
