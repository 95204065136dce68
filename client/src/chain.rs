//! One node's view of the chain, typed: headers and block hashes (`H256`), runtime API calls
//! ([`crate::runtime_api`]), storage, events, block authors, and submitting extrinsics. The
//! only module that turns JSON-RPC answers into chain types.

use codec::{Decode, Encode};
use frame_support::traits::PalletInfoAccess;
use jsonrpsee::rpc_params;
use medchain_primitives::HospitalId;
use medchain_runtime::{Header, Runtime, RuntimeEvent};
use serde_json::Value;
use sp_core::{
	bytes::{from_hex, to_hex},
	crypto::Ss58Codec,
	sr25519, H256,
};
use sp_runtime::{traits::Header as _, DigestItem};
use sp_version::RuntimeVersion;

use crate::{
	rpc::Rpc,
	runtime_api::{self, Method},
};

/// An Aura (block-authoring) public key.
pub type AuraId = sr25519::Public;

/// An event with the phase (which extrinsic) it belongs to.
pub type EventRecord = frame_system::EventRecord<RuntimeEvent, H256>;

/// One node's view of the chain.
#[derive(Clone)]
pub struct Chain {
	/// The node's JSON-RPC endpoint, for methods this type does not wrap.
	pub rpc: Rpc,
}

impl Chain {
	/// The chain as the node behind `rpc` sees it.
	pub fn new(rpc: Rpc) -> Self {
		Self { rpc }
	}

	/// The chain as the node at `url` sees it.
	pub fn connect(url: &str) -> crate::Result<Self> {
		Ok(Self::new(Rpc::new(url)?))
	}

	/// The header of block `at`, or of the best block.
	pub async fn header(&self, at: Option<H256>) -> crate::Result<Header> {
		let header: Value = self.rpc.call("chain_getHeader", rpc_params![at]).await?;
		serde_json::from_value(header.clone()).map_err(|e| format!("header {header}: {e}"))
	}

	/// The best block's number.
	pub async fn best_number(&self) -> crate::Result<u32> {
		Ok(self.header(None).await?.number)
	}

	/// Hash and number of the node's finalized head.
	pub async fn finalized_head(&self) -> crate::Result<(H256, u32)> {
		let hash: H256 = self.rpc.call("chain_getFinalizedHead", rpc_params![]).await?;
		Ok((hash, self.header(Some(hash)).await?.number))
	}

	/// The number of the node's finalized head.
	pub async fn finalized_number(&self) -> crate::Result<u32> {
		Ok(self.finalized_head().await?.1)
	}

	/// The canonical block hash at `number`, if the node has it.
	pub async fn block_hash(&self, number: u32) -> crate::Result<Option<H256>> {
		self.rpc.call("chain_getBlockHash", rpc_params![number]).await
	}

	/// Hashes of blocks `1..=up_to`; an error if the node lacks any of them.
	pub async fn block_hashes(&self, up_to: u32) -> crate::Result<Vec<H256>> {
		let mut hashes = Vec::new();
		for number in 1..=up_to {
			hashes.push(self.block_hash(number).await?.ok_or(format!("no block #{number}"))?);
		}
		Ok(hashes)
	}

	/// The hash of the genesis block: the chain's identity.
	pub async fn genesis_hash(&self) -> crate::Result<H256> {
		Ok(self.block_hash(0).await?.ok_or("the node has no genesis block")?)
	}

	/// The version of the runtime at the best block.
	pub async fn runtime_version(&self) -> crate::Result<RuntimeVersion> {
		self.call(runtime_api::VERSION, (), None).await
	}

	/// The nonce `account`'s next transaction needs, counting its transactions in the pool.
	pub async fn next_nonce(&self, account: &sr25519::Public) -> crate::Result<u32> {
		self.rpc.call("system_accountNextIndex", rpc_params![account.to_ss58check()]).await
	}

	/// Calls runtime API `method` with `args` at block `at` (the best block if `None`).
	pub async fn call<Args: Encode, Output: Decode>(
		&self,
		method: Method<Args, Output>,
		args: Args,
		at: Option<H256>,
	) -> crate::Result<Output> {
		let data = to_hex(&args.encode(), false);
		let result: String =
			self.rpc.call("state_call", rpc_params![method.name, data, at]).await?;
		decode_hex(&result, method.name)
	}

	/// The SCALE value stored under `key` at block `at` (best if `None`), if any.
	pub async fn storage<R: Decode>(
		&self,
		key: &[u8],
		at: Option<H256>,
	) -> crate::Result<Option<R>> {
		let key = to_hex(key, false);
		let value: Option<String> =
			self.rpc.call("state_getStorage", rpc_params![key.clone(), at]).await?;
		value.map(|value| decode_hex(&value, &key)).transpose()
	}

	/// Every event of block `at`.
	pub async fn events(&self, at: H256) -> crate::Result<Vec<EventRecord>> {
		// `frame_system` keeps `Events` private: its key is the runtime's name for the System
		// pallet and the item's name.
		let pallet = <frame_system::Pallet<Runtime> as PalletInfoAccess>::name();
		let key = frame_support::storage::storage_prefix(pallet.as_bytes(), b"Events");
		Ok(self.storage(&key, Some(at)).await?.unwrap_or_default())
	}

	/// The SCALE-encoded extrinsics of block `at`.
	pub async fn extrinsics(&self, at: H256) -> crate::Result<Vec<Vec<u8>>> {
		let block: Value = self.rpc.call("chain_getBlock", rpc_params![at]).await?;
		let hex: Vec<String> = serde_json::from_value(block["block"]["extrinsics"].clone())
			.map_err(|e| format!("block {at:?}: {e}"))?;
		hex.iter()
			.map(|extrinsic| from_hex(extrinsic).map_err(|e| format!("block {at:?}: {e}")))
			.collect()
	}

	/// Hands a signed extrinsic to the node's pool; its hash, or the pool's refusal.
	pub async fn submit(&self, extrinsic: &[u8]) -> crate::Result<H256> {
		self.rpc.call("author_submitExtrinsic", rpc_params![to_hex(extrinsic, false)]).await
	}

	/// The Aura authorities at `at` (best if `None`), in slot order.
	pub async fn aura_authorities(&self, at: Option<H256>) -> crate::Result<Vec<AuraId>> {
		self.call(runtime_api::AURA_AUTHORITIES, (), at).await
	}

	/// The GRANDPA set id the runtime has counted at `at`.
	pub async fn grandpa_set_id(&self, at: Option<H256>) -> crate::Result<u64> {
		self.call(runtime_api::GRANDPA_SET_ID, (), at).await
	}

	/// GRANDPA authorities at `at` as the runtime has enacted them.
	pub async fn grandpa_authorities(
		&self,
		at: Option<H256>,
	) -> crate::Result<Vec<(sp_core::ed25519::Public, u64)>> {
		self.call(runtime_api::GRANDPA_AUTHORITIES, (), at).await
	}

	/// The hospitals of the current validator set, in authority order.
	pub async fn validators(&self, at: Option<H256>) -> crate::Result<Vec<HospitalId>> {
		self.call(runtime_api::VALIDATORS, (), at).await
	}

	/// Hospital `id` as the registry holds it at `at`.
	pub async fn hospital(
		&self,
		id: HospitalId,
		at: Option<H256>,
	) -> crate::Result<Option<pallet_hospitals::Hospital<Runtime>>> {
		self.storage(&pallet_hospitals::Hospitals::<Runtime>::hashed_key_for(id), at).await
	}

	/// The Aura key that authored block `at`: the authority of its slot among the authorities
	/// of its parent.
	pub async fn block_author(&self, at: H256) -> crate::Result<AuraId> {
		let header = self.header(Some(at)).await?;
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
			.ok_or_else(|| format!("block {at:?} has no Aura pre-digest"))?;
		let authorities = self.aura_authorities(Some(*header.parent_hash())).await?;
		let count = u64::try_from(authorities.len()).map_err(|e| e.to_string())?;
		let index = slot.checked_rem(count).ok_or("no Aura authorities")?;
		authorities
			.get(usize::try_from(index).map_err(|e| e.to_string())?)
			.copied()
			.ok_or_else(|| format!("no authority {index}"))
	}
}

fn decode_hex<R: Decode>(text: &str, what: &str) -> crate::Result<R> {
	let bytes = from_hex(text).map_err(|e| format!("{what}: not hex: {e}"))?;
	R::decode(&mut &bytes[..]).map_err(|e| format!("{what}: cannot decode: {e}"))
}
