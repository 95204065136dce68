//! Admitting a hospital: its node's session keys with proofs of possession over the whole
//! admission, its node key's signature of the same admission, and the `propose_hospital` call
//! that carries them.

use codec::Decode;
use jsonrpsee::rpc_params;
use medchain_primitives::peer::{peer_id_of_ed25519_key, NodeSignature};
use medchain_runtime::{Runtime, SessionKeys};
use pallet_hospitals::{
	governance::{admission_message, node_admission_message, pharmacy_admission_message},
	HospitalNode, NewHospital, NewPharmacy,
};
use serde_json::Value;
use sp_core::{bytes::from_hex, ed25519, Pair, H256};
use sp_runtime::{traits::TrailingZeroInput, AccountId32};

use crate::chain::Chain;

/// Proofs of possession of the Aura and GRANDPA keys, in `SessionKeys` order.
pub type KeyProofs = (
	<Runtime as pallet_hospitals::Config>::AuraProof,
	<Runtime as pallet_hospitals::Config>::GrandpaProof,
);

/// Session keys a node generated, as hex (`keys`, `proof`) and decoded.
pub struct GeneratedKeys {
	pub keys_hex: String,
	pub proof_hex: String,
	pub keys: SessionKeys,
	pub proofs: KeyProofs,
}

/// What a new member asks to be admitted with, apart from a hospital's session keys: everything
/// its node key (and a hospital's session keys' proofs of possession) sign.
#[derive(Clone, Debug)]
pub struct Admission {
	pub name: String,
	pub admin: AccountId32,
	pub operator: AccountId32,
	pub peer_id: String,
	/// The node's public p2p multiaddr.
	pub address: String,
}

impl Admission {
	/// The hospital `propose_hospital` admits, with `keys`.
	pub fn hospital(&self, keys: SessionKeys) -> crate::Result<NewHospital<Runtime>> {
		Ok(NewHospital {
			name: bounded(&self.name, "name")?,
			admin: self.admin.clone(),
			operator: self.operator.clone(),
			aura: keys.aura,
			grandpa: keys.grandpa,
			nodes: self.nodes()?,
		})
	}

	/// The member's one node.
	fn nodes(
		&self,
	) -> crate::Result<
		frame_support::BoundedVec<
			HospitalNode<Runtime>,
			<Runtime as pallet_hospitals::Config>::MaxNodesPerHospital,
		>,
	> {
		let node = HospitalNode {
			peer_id: bounded(&self.peer_id, "peer id")?,
			address: bounded(&self.address, "address")?,
		};
		Ok(vec![node].try_into().map_err(|_| "too many nodes")?)
	}

	/// The message the session keys sign on the chain with `genesis_hash`
	/// (`pallet_hospitals::governance::admission_message`; keys are not part of it).
	pub fn message(&self, genesis_hash: &H256) -> crate::Result<Vec<u8>> {
		let no_keys = SessionKeys::decode(&mut TrailingZeroInput::zeroes())
			.map_err(|e| format!("placeholder keys: {e}"))?;
		Ok(admission_message::<Runtime>(genesis_hash, &self.hospital(no_keys)?))
	}

	/// The node key's signature of this admission with `keys`
	/// (`pallet_hospitals::governance::node_admission_message`): proves the hospital holds the
	/// key of the node it registers, and binds the session keys to it. Refuses a key whose peer
	/// id is not `peer_id`.
	pub fn sign_as_node(
		&self,
		genesis_hash: &H256,
		node_key: &[u8; 32],
		keys: &SessionKeys,
	) -> crate::Result<NodeSignature> {
		let pair = self.node_pair(node_key)?;
		let hospital = self.hospital(keys.clone())?;
		Ok(pair.sign(&node_admission_message::<Runtime>(genesis_hash, &hospital)))
	}

	/// The `propose_hospital` call admitting this hospital with `keys`, their `proofs` and its
	/// node's `node_proof`.
	pub fn propose_call(
		&self,
		keys: SessionKeys,
		(aura_proof, grandpa_proof): KeyProofs,
		node_proof: NodeSignature,
	) -> crate::Result<pallet_hospitals::Call<Runtime>> {
		Ok(pallet_hospitals::Call::propose_hospital {
			hospital: self.hospital(keys)?,
			aura_proof,
			grandpa_proof,
			node_proofs: vec![node_proof].try_into().map_err(|_| "one node at a time")?,
		})
	}
	/// The pharmacy `propose_pharmacy` admits: a member with no validator keys.
	pub fn pharmacy(&self) -> crate::Result<NewPharmacy<Runtime>> {
		Ok(NewPharmacy {
			name: bounded(&self.name, "name")?,
			admin: self.admin.clone(),
			operator: self.operator.clone(),
			nodes: self.nodes()?,
		})
	}

	/// The node key's signature of this admission as a pharmacy on the chain with
	/// `genesis_hash` (`pallet_hospitals::governance::pharmacy_admission_message`). Refuses a
	/// key whose peer id is not `peer_id`.
	pub fn sign_pharmacy_as_node(
		&self,
		genesis_hash: &H256,
		node_key: &[u8; 32],
	) -> crate::Result<NodeSignature> {
		let pair = self.node_pair(node_key)?;
		Ok(pair.sign(&pharmacy_admission_message::<Runtime>(genesis_hash, &self.pharmacy()?)))
	}

	/// The `propose_pharmacy` call admitting this as a pharmacy, with its node's `node_proof`.
	pub fn propose_pharmacy_call(
		&self,
		node_proof: NodeSignature,
	) -> crate::Result<pallet_hospitals::Call<Runtime>> {
		Ok(pallet_hospitals::Call::propose_pharmacy {
			pharmacy: self.pharmacy()?,
			node_proofs: vec![node_proof].try_into().map_err(|_| "one node at a time")?,
		})
	}

	/// The node key `node_key`, refused unless its peer id is `peer_id`.
	fn node_pair(&self, node_key: &[u8; 32]) -> crate::Result<ed25519::Pair> {
		let pair = ed25519::Pair::from_seed(node_key);
		let peer_id = peer_id_of_ed25519_key(&pair.public());
		if peer_id != self.peer_id {
			return Err(format!("the node key is {peer_id}'s, not {}'s", self.peer_id));
		}
		Ok(pair)
	}
}

/// Where the new hospital's node and its node key are both at hand (one operator, or a test):
/// generates session keys on the new hospital's `node`, signs with `node_key`, and returns the
/// `propose_hospital` call with the keys.
pub async fn propose_from_node(
	node: &Chain,
	admission: &Admission,
	node_key: &[u8; 32],
) -> crate::Result<(pallet_hospitals::Call<Runtime>, SessionKeys)> {
	let generated = generate_session_keys(node, admission).await?;
	let node_proof =
		admission.sign_as_node(&node.genesis_hash().await?, node_key, &generated.keys)?;
	let call = admission.propose_call(generated.keys.clone(), generated.proofs, node_proof)?;
	Ok((call, generated.keys))
}

/// A node key as `--node-key-file` takes it: 64 hex characters, or 32 raw bytes.
pub fn read_node_key(path: &std::path::Path) -> crate::Result<[u8; 32]> {
	let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
	let text = String::from_utf8_lossy(&bytes);
	let secret = match from_hex(text.trim()) {
		Ok(decoded) if decoded.len() == 32 => decoded,
		_ => bytes,
	};
	<[u8; 32]>::try_from(secret.as_slice())
		.map_err(|_| format!("{} holds no 32-byte node key", path.display()))
}

/// Asks the (new hospital's own, localhost) node to generate session keys in its keystore,
/// proving possession over `admission` on the chain the node follows. An unsafe RPC method.
pub async fn generate_session_keys(
	node: &Chain,
	admission: &Admission,
) -> crate::Result<GeneratedKeys> {
	rotate_keys_with_owner(node, admission.message(&node.genesis_hash().await?)?).await
}

/// New session keys in the (localhost) node's keystore, with proofs of possession over
/// `owner` (`author_rotateKeysWithOwner`, an unsafe RPC method).
pub async fn rotate_keys_with_owner(node: &Chain, owner: Vec<u8>) -> crate::Result<GeneratedKeys> {
	let owner = sp_core::Bytes(owner);
	let generated: Value = node.rpc.call("author_rotateKeysWithOwner", rpc_params![owner]).await?;
	let field = |name: &str| {
		generated[name]
			.as_str()
			.map(str::to_string)
			.ok_or_else(|| format!("no {name} in {generated}"))
	};
	let (keys_hex, proof_hex) = (field("keys")?, field("proof")?);
	let (keys, proofs) = decode_session_keys(&keys_hex, &proof_hex)?;
	Ok(GeneratedKeys { keys_hex, proof_hex, keys, proofs })
}

/// Decodes `keys` and `proof` as `author_rotateKeysWithOwner` returns them.
pub fn decode_session_keys(keys: &str, proof: &str) -> crate::Result<(SessionKeys, KeyProofs)> {
	Ok((decode(keys, "keys")?, decode(proof, "proof")?))
}

/// Decodes a node key's signature given as hex (`nodeProof` of `session-keys`).
pub fn decode_node_proof(text: &str) -> crate::Result<NodeSignature> {
	let bytes = from_hex(text).map_err(|e| format!("node proof is not hex: {e}"))?;
	let raw = <[u8; 64]>::try_from(bytes.as_slice()).map_err(|_| "node proof is not 64 bytes")?;
	Ok(NodeSignature::from_raw(raw))
}

fn decode<T: Decode>(text: &str, what: &str) -> crate::Result<T> {
	let bytes = from_hex(text).map_err(|e| format!("{what} is not hex: {e}"))?;
	T::decode(&mut &bytes[..]).map_err(|e| format!("{what} does not decode: {e}"))
}

fn bounded<S: frame_support::traits::Get<u32>>(
	text: &str,
	what: &str,
) -> crate::Result<frame_support::BoundedVec<u8, S>> {
	text.as_bytes().to_vec().try_into().map_err(|_| format!("{what} is too long"))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_admission_message_binds_chain_accounts_and_node_but_not_the_keys() {
		let admission = Admission {
			name: "Hospital E".into(),
			admin: AccountId32::new([1; 32]),
			operator: AccountId32::new([2; 32]),
			peer_id: "12D3KooWExample".into(),
			address: "/ip4/127.0.0.1/tcp/30337".into(),
		};
		let genesis = H256::repeat_byte(1);
		let message = admission.message(&genesis).expect("fits the bounds");
		assert!(message.starts_with(pallet_hospitals::governance::ADMISSION_DOMAIN));
		assert_ne!(admission.message(&H256::repeat_byte(2)).expect("fits"), message);
		let other_operator = Admission { operator: AccountId32::new([3; 32]), ..admission.clone() };
		assert_ne!(other_operator.message(&genesis).expect("fits"), message);
		let other_node = Admission { peer_id: "12D3KooWOther".into(), ..admission.clone() };
		assert_ne!(other_node.message(&genesis).expect("fits"), message);
		let too_long = Admission { name: "x".repeat(65), ..admission };
		assert!(too_long.message(&genesis).is_err());
	}

	#[test]
	fn only_the_registered_nodes_key_signs_its_admission() {
		let node_key = [1; 32];
		let admission = Admission {
			name: "Hospital A".into(),
			admin: AccountId32::new([1; 32]),
			operator: AccountId32::new([2; 32]),
			// `medchain-node key inspect-node-key` of 0x0101…01.
			peer_id: "12D3KooWK99VoVxNE7XzyBwXEzW7xhK7Gpv85r9F3V3fyKSUKPH5".into(),
			address: "/ip4/127.0.0.1/tcp/30333".into(),
		};
		let genesis = H256::repeat_byte(1);
		let keys = SessionKeys::decode(&mut TrailingZeroInput::zeroes()).expect("placeholder");
		let signature = admission.sign_as_node(&genesis, &node_key, &keys).expect("A's key");
		let message = node_admission_message::<Runtime>(
			&genesis,
			&admission.hospital(keys.clone()).expect("fits"),
		);
		assert!(medchain_primitives::peer::is_signed_by_node(
			admission.peer_id.as_bytes(),
			&message,
			&signature
		));
		let error = admission.sign_as_node(&genesis, &[2; 32], &keys).expect_err("not A's key");
		assert!(error.to_string().contains("not 12D3KooWK99"), "{error}");
	}

	#[test]
	fn a_node_key_file_holds_hex_or_raw_bytes() {
		let dir = std::env::temp_dir().join(format!("medchain-node-key-{}", std::process::id()));
		std::fs::create_dir_all(&dir).expect("temp dir");
		let (hex, raw, short) = (dir.join("hex"), dir.join("raw"), dir.join("short"));
		std::fs::write(&hex, format!("{}\n", "01".repeat(32))).expect("writes");
		std::fs::write(&raw, [7u8; 32]).expect("writes");
		std::fs::write(&short, [7u8; 31]).expect("writes");
		assert_eq!(read_node_key(&hex).expect("hex"), [1; 32]);
		assert_eq!(read_node_key(&raw).expect("raw"), [7; 32]);
		assert!(read_node_key(&short).is_err());
		std::fs::remove_dir_all(&dir).expect("cleans up");
	}
}
