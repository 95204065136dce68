//! Admitting a hospital: its node's session keys with proofs of possession, and the
//! `propose_hospital` call that carries them.

use codec::{Decode, Encode};
use jsonrpsee::rpc_params;
use medchain_runtime::{Runtime, SessionKeys};
use pallet_hospitals::{HospitalNode, NewHospital};
use serde_json::Value;
use sp_core::bytes::from_hex;
use sp_runtime::AccountId32;

use crate::rpc::Rpc;

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

/// Asks the (new hospital's own, localhost) node to generate session keys in its keystore,
/// proving possession over `owner`, the new hospital's admin account. An unsafe RPC method.
pub async fn generate_session_keys(rpc: &Rpc, owner: &AccountId32) -> crate::Result<GeneratedKeys> {
	let generated: Value =
		rpc.call("author_rotateKeysWithOwner", rpc_params![sp_core::Bytes(owner.encode())]).await?;
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

/// The hospital `propose_hospital` admits: its name, accounts, session keys and one node.
pub fn new_hospital(
	name: &str,
	admin: AccountId32,
	operator: AccountId32,
	keys: SessionKeys,
	peer_id: &str,
	address: &str,
) -> crate::Result<NewHospital<Runtime>> {
	let node = HospitalNode {
		peer_id: bounded(peer_id, "peer id")?,
		address: bounded(address, "address")?,
	};
	Ok(NewHospital {
		name: bounded(name, "name")?,
		admin,
		operator,
		aura: keys.aura,
		grandpa: keys.grandpa,
		nodes: vec![node].try_into().map_err(|_| "too many nodes")?,
	})
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
