//! The release protocol: a requester's node asks a custodian's node for the fields of a
//! finalized access entry, over the consortium's p2p network (request-response).
//!
//! The protocol name carries the genesis hash, so nodes of different chains never talk. The
//! request is the access id; the answer is the released fields (each with its salt and Merkle
//! proof) or the reason for a refusal (the messages: `medchain_primitives::release`). The
//! custodian's side is `crate::release`; the node registers the protocol with these limits.
//! There is no RPC fallback: the fields leave the custodian's node only through this protocol.

use std::{sync::Arc, time::Duration};

use codec::Encode;
use futures::{future::BoxFuture, FutureExt};
pub use medchain_primitives::release::{
	Refusal, ReleaseRequest, ReleaseResponse, MAX_REQUEST_BYTES, MAX_RESPONSE_BYTES,
};
use medchain_primitives::{access::AccessId, commitment::DisclosedField};
use sc_network::{
	request_responses::{IfDisconnected, RequestFailure},
	service::traits::NetworkService,
	PeerId, ProtocolName,
};
use sp_core::H256;

/// How long a requester waits for one custodian node's answer.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
/// How many blocks after its own block an access entry can still be released. A requester
/// that could not reach the custodian may retry within this lifetime.
pub const RELEASE_LIFETIME_BLOCKS: u32 = 5 * medchain_runtime::MINUTES;

/// The protocol's name on chain `genesis`.
pub fn protocol_name(genesis: &H256) -> ProtocolName {
	format!("/{}/medchain/release/1", hex::encode(genesis)).into()
}

/// Why a fetch got no fields.
#[derive(Debug)]
pub enum FetchError {
	/// No node of the custodian answered: offline, unreachable or timed out.
	Unavailable(String),
	/// A node of the custodian refused.
	Refused(Refusal),
	/// A node of the custodian answered something that does not decode.
	Malformed,
}

/// The release protocol over the p2p network, as the requester uses it.
pub trait ReleaseNetwork: Send + Sync + 'static {
	/// Asks `peer` for the fields of entry `access`: its answer's bytes, or why there is none.
	fn request(&self, peer: PeerId, access: AccessId) -> BoxFuture<'_, Result<Vec<u8>, String>>;
	/// How many peers the node is connected to.
	fn connected_peers(&self) -> BoxFuture<'_, usize>;
}

/// [`ReleaseNetwork`] over the node's network service.
pub struct P2p {
	network: Arc<dyn NetworkService>,
	protocol: ProtocolName,
}

impl P2p {
	/// The release protocol of chain `genesis` over `network`.
	pub fn new(network: Arc<dyn NetworkService>, genesis: &H256) -> Self {
		Self { network, protocol: protocol_name(genesis) }
	}
}

impl ReleaseNetwork for P2p {
	fn request(&self, peer: PeerId, access: AccessId) -> BoxFuture<'_, Result<Vec<u8>, String>> {
		async move {
			let request = ReleaseRequest { access }.encode();
			let answer = self
				.network
				.request(peer, self.protocol.clone(), request, None, IfDisconnected::TryConnect)
				.await;
			answer.map(|(bytes, _)| bytes).map_err(|failure| describe(&failure))
		}
		.boxed()
	}

	fn connected_peers(&self) -> BoxFuture<'_, usize> {
		use sc_network::service::traits::NetworkStatusProvider;
		async move { self.network.status().await.map_or(0, |status| status.num_connected_peers) }
			.boxed()
	}
}

/// Asks the custodian's nodes `peers`, in turn, for the fields of entry `access`.
pub async fn fetch(
	network: &dyn ReleaseNetwork,
	peers: &[PeerId],
	access: AccessId,
) -> Result<Vec<DisclosedField>, FetchError> {
	let mut failures = Vec::new();
	for peer in peers {
		match network.request(*peer, access).await {
			Ok(bytes) => {
				return match ReleaseResponse::read(&bytes) {
					Some(ReleaseResponse::Released(fields)) => Ok(fields),
					Some(ReleaseResponse::Refused(refusal)) => Err(FetchError::Refused(refusal)),
					None => Err(FetchError::Malformed),
				}
			}
			Err(failure) => failures.push(format!("{peer}: {failure}")),
		}
	}
	if peers.is_empty() {
		failures.push("the custodian has no registered node".into());
	}
	Err(FetchError::Unavailable(failures.join("; ")))
}

fn describe(failure: &RequestFailure) -> String {
	match failure {
		RequestFailure::NotConnected => "not connected".into(),
		RequestFailure::Refused => "closed the stream without answering".into(),
		other => other.to_string(),
	}
}
