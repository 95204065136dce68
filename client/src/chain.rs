//! Typed reads of a node's chain: runtime API calls, storage, events and block authors.

use codec::{Decode, Encode};
use jsonrpsee::rpc_params;
use medchain_primitives::HospitalId;
use medchain_runtime::{Header, Runtime, RuntimeEvent};
use serde_json::Value;
use sp_core::{
	bytes::{from_hex, to_hex},
	H256,
};
use sp_runtime::{traits::Header as _, DigestItem};

use crate::rpc::{BlockHash, Rpc};

/// An Aura (block-authoring) public key.
pub type AuraId = sp_core::sr25519::Public;

/// An event with the phase (which extrinsic) it belongs to.
pub type EventRecord = frame_system::EventRecord<RuntimeEvent, H256>;

/// One node's view of the chain.
#[derive(Clone)]
pub struct Chain {
	pub rpc: Rpc,
}

impl Chain {
	pub fn new(rpc: Rpc) -> Self {
		Self { rpc }
	}

	pub fn connect(url: &str) -> crate::Result<Self> {
		Ok(Self::new(Rpc::new(url)?))
	}

	/// Calls runtime API `method` (`Trait_method`) with SCALE `args` at block `at` (best if
	/// `None`), and decodes the result.
	pub async fn runtime_call<R: Decode>(
		&self,
		method: &str,
		args: impl Encode,
		at: Option<&str>,
	) -> crate::Result<R> {
		let data = to_hex(&args.encode(), false);
		let result: String = self.rpc.call("state_call", rpc_params![method, data, at]).await?;
		decode_hex(&result, method)
	}

	/// The SCALE value stored under `key` at block `at`, if any.
	pub async fn storage<R: Decode>(
		&self,
		key: &[u8],
		at: Option<&str>,
	) -> crate::Result<Option<R>> {
		let key = to_hex(key, false);
		let value: Option<String> =
			self.rpc.call("state_getStorage", rpc_params![key.clone(), at]).await?;
		value.map(|value| decode_hex(&value, &key)).transpose()
	}

	pub async fn aura_authorities(&self, at: Option<&str>) -> crate::Result<Vec<AuraId>> {
		self.runtime_call("AuraApi_authorities", (), at).await
	}

	pub async fn grandpa_set_id(&self, at: Option<&str>) -> crate::Result<u64> {
		self.runtime_call("GrandpaApi_current_set_id", (), at).await
	}

	/// GRANDPA authorities at `at` as the runtime has enacted them.
	pub async fn grandpa_authorities(
		&self,
		at: Option<&str>,
	) -> crate::Result<Vec<(sp_core::ed25519::Public, u64)>> {
		self.runtime_call("GrandpaApi_grandpa_authorities", (), at).await
	}

	/// The hospitals of the current validator set, in authority order.
	pub async fn validators(&self, at: Option<&str>) -> crate::Result<Vec<HospitalId>> {
		self.runtime_call("ConsortiumApi_validators", (), at).await
	}

	pub async fn hospital(
		&self,
		id: HospitalId,
		at: Option<&str>,
	) -> crate::Result<Option<pallet_hospitals::Hospital<Runtime>>> {
		self.storage(&pallet_hospitals::Hospitals::<Runtime>::hashed_key_for(id), at).await
	}

	/// Every event of block `at`.
	pub async fn events(&self, at: &str) -> crate::Result<Vec<EventRecord>> {
		let key =
			[sp_io::hashing::twox_128(b"System"), sp_io::hashing::twox_128(b"Events")].concat();
		Ok(self.storage(&key, Some(at)).await?.unwrap_or_default())
	}

	pub async fn header(&self, at: &str) -> crate::Result<Header> {
		let header: Value = self.rpc.call("chain_getHeader", rpc_params![at]).await?;
		serde_json::from_value(header.clone()).map_err(|e| format!("header {header}: {e}"))
	}

	/// The hex SCALE extrinsics of block `at`.
	pub async fn extrinsics(&self, at: &str) -> crate::Result<Vec<String>> {
		let block: Value = self.rpc.call("chain_getBlock", rpc_params![at]).await?;
		serde_json::from_value(block["block"]["extrinsics"].clone())
			.map_err(|e| format!("block {at}: {e}"))
	}

	/// The Aura key that authored block `at`: the authority of its slot among the authorities
	/// of its parent.
	pub async fn block_author(&self, at: &str) -> crate::Result<AuraId> {
		let header = self.header(at).await?;
		let slot = header
			.digest()
			.logs()
			.iter()
			.find_map(|item| match item {
				DigestItem::PreRuntime(engine, data) if *engine == *b"aura" => {
					u64::decode(&mut &data[..]).ok()
				}
				_ => None,
			})
			.ok_or_else(|| format!("block {at} has no Aura pre-digest"))?;
		let parent: BlockHash = format!("{:?}", header.parent_hash());
		let authorities = self.aura_authorities(Some(&parent)).await?;
		let count = u64::try_from(authorities.len()).map_err(|e| e.to_string())?;
		let index = slot.checked_rem(count).ok_or("no Aura authorities")?;
		authorities
			.get(usize::try_from(index).map_err(|e| e.to_string())?)
			.copied()
			.ok_or_else(|| format!("no authority {index}"))
	}
}

pub(crate) fn decode_hex<R: Decode>(text: &str, what: &str) -> crate::Result<R> {
	let bytes = from_hex(text).map_err(|e| format!("{what}: not hex: {e}"))?;
	R::decode(&mut &bytes[..]).map_err(|e| format!("{what}: cannot decode: {e}"))
}
