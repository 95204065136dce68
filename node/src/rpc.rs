//! The node's JSON-RPC methods beyond Substrate's built-in ones (`chain_*`, `state_*`,
//! `author_*`, `system_*` are added by the service).

use std::sync::Arc;

use jsonrpsee::RpcModule;
use medchain_runtime::{opaque::Block, AccountId, Nonce};
use sc_transaction_pool_api::TransactionPool;
use sp_api::ProvideRuntimeApi;
use sp_block_builder::BlockBuilder;
use sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata};

/// What the RPC methods need from the node.
pub struct FullDeps<C, P> {
	pub client: Arc<C>,
	pub pool: Arc<P>,
}

/// Builds the RPC module: `system_accountNextIndex` and `system_dryRun`, which wallets use to
/// pick the next nonce and to test a transaction.
pub fn create_full<C, P>(
	deps: FullDeps<C, P>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
	C: ProvideRuntimeApi<Block>
		+ HeaderBackend<Block>
		+ HeaderMetadata<Block, Error = BlockChainError>
		+ Send
		+ Sync
		+ 'static,
	C::Api: substrate_frame_rpc_system::AccountNonceApi<Block, AccountId, Nonce>,
	C::Api: BlockBuilder<Block>,
	P: TransactionPool + 'static,
{
	use substrate_frame_rpc_system::{System, SystemApiServer};

	let mut module = RpcModule::new(());
	let FullDeps { client, pool } = deps;
	module.merge(System::new(client, pool).into_rpc())?;
	Ok(module)
}
