//! The peer allowlist: only nodes of active members (hospitals and pharmacies) take part in
//! gossip and sync.
//!
//! At start-up and on every finalized block (from the node's one follower) this task reads the
//! active members' nodes from the registry (`ConsortiumApi::authorized_nodes`) and makes them
//! the node's reserved peers, in reserved-only mode. A suspended or removed member's node leaves
//! the set and is
//! disconnected; a newly admitted one is dialled at its registered address. Finalized state
//! only: a fork can't open the network to a peer the consortium never admitted.
//!
//! Reserved-only governs the block-announce protocol (and GRANDPA and transactions, which
//! follow it); it does not gate raw connections or the sync request handlers, so the p2p port
//! must also be firewalled to the consortium's addresses (`docs/network.md`).

use std::{collections::HashSet, str::FromStr, sync::Arc};

use medchain_custodian::follower::{next_head, FinalizedBlock};
use medchain_runtime_api::ConsortiumApi;
use sc_client_api::HeaderBackend;
use sc_network::{multiaddr::Protocol, service::traits::NetworkService, Multiaddr, PeerId};
use sp_api::ProvideRuntimeApi;
use sp_core::H256;
use sp_runtime::traits::Block as BlockT;
use tokio::sync::broadcast;

const LOG_TARGET: &str = "medchain::peers";

/// An active hospital's node: its peer id and, if it parses, its registered address.
struct AllowedPeer {
	peer: PeerId,
	address: Option<Multiaddr>,
}

/// Applies the finalized registry's allowlist now and at every finalized head `blocks`
/// announces (the blocks finalized together are looked at once, at the newest).
pub async fn follow_registry<Block, Client>(
	client: Arc<Client>,
	network: Arc<dyn NetworkService>,
	mut blocks: broadcast::Receiver<Arc<FinalizedBlock>>,
) where
	Block: BlockT<Hash = H256>,
	Client: ProvideRuntimeApi<Block> + HeaderBackend<Block>,
	Client::Api: ConsortiumApi<Block>,
{
	network.set_authorized_only(true);
	let mut applied = None;
	apply(&*client, &*network, client.info().finalized_hash, &mut applied);
	loop {
		let Some(newest) = next_head(&mut blocks, IDLE).await else { continue };
		apply(&*client, &*network, newest.hash, &mut applied);
	}
}

/// How long the task waits for a finalized block before it looks again.
const IDLE: std::time::Duration = std::time::Duration::from_secs(60);

fn apply<Block, Client>(
	client: &Client,
	network: &dyn NetworkService,
	at: Block::Hash,
	applied: &mut Option<HashSet<PeerId>>,
) where
	Block: BlockT,
	Client: ProvideRuntimeApi<Block>,
	Client::Api: ConsortiumApi<Block>,
{
	let nodes = match authorized_nodes(client, at) {
		Ok(nodes) => nodes,
		Err(error) => {
			log::warn!(target: LOG_TARGET, "peer allowlist unchanged: {error}");
			return;
		}
	};
	let local = network.local_peer_id();
	let peers: HashSet<PeerId> =
		nodes.iter().map(|node| node.peer).filter(|peer| *peer != local).collect();
	if applied.as_ref() == Some(&peers) {
		return;
	}
	for node in &nodes {
		if let Some(address) = &node.address {
			network.add_known_address(node.peer, address.clone());
		}
	}
	let previous = applied.take().unwrap_or_default();
	let added: Vec<_> = peers.difference(&previous).map(ToString::to_string).collect();
	let removed: Vec<_> = previous.difference(&peers).map(ToString::to_string).collect();
	log::info!(
		target: LOG_TARGET,
		"peer allowlist: {} peers of active hospitals; added {added:?}, removed {removed:?}",
		peers.len(),
	);
	network.set_authorized_peers(peers.clone());
	*applied = Some(peers);
}

/// The registry's nodes at block `at`. An entry whose peer id does not parse is skipped (and
/// logged): the registry stores what governance approved, and one bad entry must not close the
/// network to every other hospital.
fn authorized_nodes<Block, Client>(
	client: &Client,
	at: Block::Hash,
) -> Result<Vec<AllowedPeer>, String>
where
	Block: BlockT,
	Client: ProvideRuntimeApi<Block>,
	Client::Api: ConsortiumApi<Block>,
{
	let entries = client
		.runtime_api()
		.authorized_nodes(at)
		.map_err(|error| format!("reading the registry at {at:?}: {error}"))?;
	Ok(entries
		.into_iter()
		.filter_map(|node| {
			let peer_id = String::from_utf8_lossy(&node.peer_id).into_owned();
			let Ok(peer) = PeerId::from_str(&peer_id) else {
				log::warn!(target: LOG_TARGET, "registry peer id {peer_id:?} is not a peer id");
				return None;
			};
			Some(AllowedPeer { peer, address: dialable(&node.address) })
		})
		.collect())
}

/// A registered multiaddr without its trailing `/p2p/<peer id>`, if it has one.
fn dialable(address: &[u8]) -> Option<Multiaddr> {
	let mut address = Multiaddr::from_str(std::str::from_utf8(address).ok()?).ok()?;
	if matches!(address.iter().last(), Some(Protocol::P2p(_))) {
		address.pop();
	}
	Some(address)
}

#[cfg(test)]
mod tests {
	use super::dialable;

	#[test]
	fn a_registered_address_is_dialable_with_or_without_its_peer_id() {
		let plain = "/ip4/10.0.0.5/tcp/30333";
		let with_peer =
			"/ip4/10.0.0.5/tcp/30333/p2p/12D3KooWK99VoVxNE7XzyBwXEzW7xhK7Gpv85r9F3V3fyKSUKPH5";
		assert_eq!(dialable(plain.as_bytes()).map(|a| a.to_string()), Some(plain.to_string()));
		assert_eq!(dialable(with_peer.as_bytes()).map(|a| a.to_string()), Some(plain.to_string()));
		assert_eq!(dialable(b"not an address"), None);
	}
}
