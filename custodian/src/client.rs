//! [`Chain`] over a Substrate client: any client with the storage, header, body, finality and
//! runtime APIs the custodian reads.

use std::{marker::PhantomData, sync::Arc};

use codec::Encode;
use frame_system_rpc_runtime_api::AccountNonceApi;
use futures::{stream::BoxStream, StreamExt};
use medchain_primitives::{
	access::{AccessId, AccessPage, AccessQuery},
	commitment::RecordId,
	prescription::{Fill, FillRefusal},
	shares::{GrantId, GrantRefusal, PurposeOfUse, TokenKey},
	HospitalId,
};
use medchain_runtime::{opaque::Block, AccountId, BlockNumber, Nonce};
use medchain_runtime_api::{AccessLogApi, ConsortiumApi, RecordsApi, SharesApi};
use sc_client_api::{Backend, BlockBackend, BlockchainEvents, HeaderBackend, StorageProvider};
use sp_api::{ApiExt, Core, ProvideRuntimeApi};
use sp_consensus_aura::{sr25519::AuthorityId as AuraId, AuraApi};
use sp_core::{storage::StorageKey, H256};

use crate::chain::{Anchor, Chain, ChainGrant, ChainInfo, Entry, Finalized, Prescription};

/// The chain read through `client`, whose state lives in a `B` backend.
pub struct ClientChain<C, B> {
	client: Arc<C>,
	backend: PhantomData<fn() -> B>,
}

impl<C, B> ClientChain<C, B> {
	/// The chain of `client`.
	pub fn new(client: Arc<C>) -> Self {
		Self { client, backend: PhantomData }
	}
}

fn describe(api: &str) -> impl Fn(sp_api::ApiError) -> String + '_ {
	move |error| format!("{api}: {error}")
}

impl<C, B> Chain for ClientChain<C, B>
where
	B: Backend<Block> + 'static,
	C: ProvideRuntimeApi<Block>
		+ StorageProvider<Block, B>
		+ HeaderBackend<Block>
		+ BlockBackend<Block>
		+ BlockchainEvents<Block>
		+ Send
		+ Sync
		+ 'static,
	C::Api: RecordsApi<Block, AccountId, BlockNumber>
		+ SharesApi<Block, AccountId, BlockNumber>
		+ AccessLogApi<Block, AccountId, BlockNumber>
		+ ConsortiumApi<Block>
		+ AccountNonceApi<Block, AccountId, Nonce>
		+ AuraApi<Block, AuraId>
		+ Core<Block>,
{
	fn info(&self) -> ChainInfo {
		let info = self.client.info();
		ChainInfo {
			best_hash: info.best_hash,
			best_number: info.best_number,
			finalized_hash: info.finalized_hash,
			finalized_number: info.finalized_number,
			genesis_hash: info.genesis_hash,
		}
	}

	fn hash(&self, number: BlockNumber) -> Result<Option<H256>, String> {
		self.client.hash(number).map_err(|error| error.to_string())
	}

	fn number(&self, hash: H256) -> Result<Option<BlockNumber>, String> {
		self.client.number(hash).map_err(|error| error.to_string())
	}

	fn finality_stream(&self) -> BoxStream<'static, Finalized> {
		self.client
			.finality_notification_stream()
			.map(|notification| {
				let mut blocks = notification.tree_route.to_vec();
				blocks.push(notification.hash);
				Finalized { blocks }
			})
			.boxed()
	}

	fn storage(&self, at: H256, key: &[u8]) -> Result<Option<Vec<u8>>, String> {
		let data = self.client.storage(at, &StorageKey(key.to_vec()));
		Ok(data.map_err(|error| error.to_string())?.map(|data| data.0))
	}

	fn extrinsics(&self, at: H256) -> Result<Option<Vec<Vec<u8>>>, String> {
		let body = self.client.block_body(at).map_err(|error| error.to_string())?;
		Ok(body.map(|body| body.iter().map(Encode::encode).collect()))
	}

	fn slot_millis(&self, at: H256) -> Result<u64, String> {
		let slot = self.client.runtime_api().slot_duration(at);
		slot.map(|slot| slot.as_millis()).map_err(describe("AuraApi::slot_duration"))
	}

	fn account_nonce(&self, at: H256, account: &AccountId) -> Result<Nonce, String> {
		let nonce = self.client.runtime_api().account_nonce(at, account.clone());
		nonce.map_err(describe("AccountNonceApi::account_nonce"))
	}

	fn runtime_version(&self, at: H256) -> Result<(u32, u32), String> {
		let version = self.client.runtime_api().version(at).map_err(describe("Core::version"))?;
		Ok((version.spec_version, version.transaction_version))
	}

	fn anchor(&self, at: H256, record: RecordId) -> Result<Option<Anchor>, String> {
		self.client.runtime_api().record(at, record).map_err(describe("RecordsApi::record"))
	}

	fn grant(&self, at: H256, id: GrantId) -> Result<Option<ChainGrant>, String> {
		self.client.runtime_api().grant(at, id).map_err(describe("SharesApi::grant"))
	}

	fn grant_by_token(&self, at: H256, token_key: TokenKey) -> Result<Option<GrantId>, String> {
		let grant = self.client.runtime_api().grant_by_token(at, token_key);
		grant.map_err(describe("SharesApi::grant_by_token"))
	}

	fn check_use(
		&self,
		at: H256,
		grant: GrantId,
		record: RecordId,
		accessor: HospitalId,
		purpose: PurposeOfUse,
	) -> Result<Result<(), GrantRefusal>, String> {
		let api = self.client.runtime_api();
		let version = api
			.api_version::<dyn SharesApi<Block, AccountId, BlockNumber>>(at)
			.map_err(describe("SharesApi version"))?;
		if version.unwrap_or_default() >= 4 {
			let checked = api.check_use(at, grant, record, accessor, purpose);
			return checked.map_err(describe("SharesApi::check_use"));
		}
		// A runtime from before `check_use` (a node upgraded ahead of the chain): the same rules,
		// from the same function, applied to the grant it returns.
		let Some(grant) = self.grant(at, grant)? else {
			return Ok(Err(GrantRefusal::GrantNotFound));
		};
		let now = self.number(at)?.ok_or_else(|| format!("no block {at:?}"))?;
		Ok(grant.use_refusal(&record, accessor, purpose, now).map_or(Ok(()), Err))
	}

	fn grants_of_patient(
		&self,
		at: H256,
		patient: AccountId,
		after: Option<GrantId>,
		limit: u32,
	) -> Result<Vec<GrantId>, String> {
		let grants = self.client.runtime_api().grants_of_patient(at, patient, after, limit);
		grants.map_err(describe("SharesApi::grants_of_patient"))
	}

	fn access_entry(&self, at: H256, id: AccessId) -> Result<Option<Entry>, String> {
		self.client.runtime_api().entry(at, id).map_err(describe("AccessLogApi::entry"))
	}

	fn access_entries(
		&self,
		at: H256,
		query: AccessQuery<AccountId>,
		(from_time, to_time): (u64, u64),
		cursor: u32,
		limit: u32,
	) -> Result<AccessPage<AccountId, BlockNumber>, String> {
		let page = self.client.runtime_api().entries(at, query, from_time, to_time, cursor, limit);
		page.map_err(describe("AccessLogApi::entries"))
	}

	fn validators(&self, at: H256) -> Result<Vec<HospitalId>, String> {
		self.client.runtime_api().validators(at).map_err(describe("ConsortiumApi::validators"))
	}

	fn prescription(&self, at: H256, id: RecordId) -> Result<Option<Prescription>, String> {
		let prescription = self.client.runtime_api().prescription(at, id);
		prescription.map_err(describe("RecordsApi::prescription"))
	}

	fn fills(
		&self,
		at: H256,
		id: RecordId,
		start: u32,
		limit: u32,
	) -> Result<Vec<Fill<BlockNumber>>, String> {
		let fills = self.client.runtime_api().fills(at, id, start, limit);
		fills.map_err(describe("RecordsApi::fills"))
	}

	fn check_fill(
		&self,
		at: H256,
		id: RecordId,
		pharmacy: HospitalId,
	) -> Result<Option<FillRefusal>, String> {
		let refusal = self.client.runtime_api().check_fill(at, id, pharmacy);
		refusal.map_err(describe("RecordsApi::check_fill"))
	}
}
