//! libp2p peer ids of hospital nodes, and the node-key signatures that prove a node is the
//! hospital's own.
//!
//! A node's peer id is the base58 text of an identity multihash of its ed25519 public key
//! (`12D3KooW…`), so the chain can recover the key from the id alone and check that the node's
//! key (`--node-key`) signed an admission. Nobody can register another operator's node.

use alloc::string::String;
use sp_core::ed25519;
use sp_runtime::traits::Verify;

/// A node key's signature.
pub type NodeSignature = ed25519::Signature;
/// A node's public key, as its peer id holds it.
pub type NodeKey = ed25519::Public;

/// An identity multihash (0x00) of 36 bytes holding the protobuf `PublicKey { Type: Ed25519,
/// Data: <32 bytes> }`.
const ED25519_PEER_ID_PREFIX: [u8; 6] = [0x00, 0x24, 0x08, 0x01, 0x12, 0x20];

/// The ed25519 key inside a peer id's base58 text, if it is an ed25519 peer id.
pub fn ed25519_key_of_peer_id(peer_id: &[u8]) -> Option<ed25519::Public> {
	let bytes = bs58::decode(peer_id).into_vec().ok()?;
	let key = bytes.strip_prefix(&ED25519_PEER_ID_PREFIX[..])?;
	Some(ed25519::Public::from_raw(<[u8; 32]>::try_from(key).ok()?))
}

/// The peer id text of the node with ed25519 key `key`.
pub fn peer_id_of_ed25519_key(key: &ed25519::Public) -> String {
	let mut bytes = ED25519_PEER_ID_PREFIX.to_vec();
	bytes.extend_from_slice(key.as_ref());
	bs58::encode(bytes).into_string()
}

/// Whether the node with peer id `peer_id` signed `message` with its node key.
pub fn is_signed_by_node(peer_id: &[u8], message: &[u8], signature: &NodeSignature) -> bool {
	ed25519_key_of_peer_id(peer_id).is_some_and(|key| signature.verify(message, &key))
}

#[cfg(test)]
mod tests {
	use super::*;
	use sp_core::Pair;

	/// Hospital A's node key on the local chain (`scripts/start-network.sh`) and the peer id
	/// `medchain-node key inspect-node-key` prints for it.
	const NODE_KEY: [u8; 32] = [1; 32];
	const PEER_ID: &str = "12D3KooWK99VoVxNE7XzyBwXEzW7xhK7Gpv85r9F3V3fyKSUKPH5";

	#[test]
	fn the_key_of_a_peer_id_is_the_node_keys_public_key() {
		let node = ed25519::Pair::from_seed(&NODE_KEY);
		assert_eq!(ed25519_key_of_peer_id(PEER_ID.as_bytes()), Some(node.public()));
		assert_eq!(peer_id_of_ed25519_key(&node.public()), PEER_ID);
	}

	#[test]
	fn only_the_node_key_signs_for_its_peer_id() {
		let message = b"medchain/admission/v1 example";
		let node = ed25519::Pair::from_seed(&NODE_KEY);
		let other = ed25519::Pair::from_seed(&[2; 32]);
		assert!(is_signed_by_node(PEER_ID.as_bytes(), message, &node.sign(message)));
		assert!(!is_signed_by_node(PEER_ID.as_bytes(), message, &other.sign(message)));
		assert!(!is_signed_by_node(PEER_ID.as_bytes(), b"another message", &node.sign(message)));
	}

	#[test]
	fn text_that_is_no_ed25519_peer_id_has_no_key() {
		for text in
			["", "not base58: 0OIl", "12D3KooW", "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N"]
		{
			assert_eq!(ed25519_key_of_peer_id(text.as_bytes()), None, "{text}");
		}
	}
}
