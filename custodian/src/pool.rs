//! The transaction pool as the custodian uses it: the [`Pool`] trait, and its implementation
//! over a Substrate pool ([`SubstratePool`]).

use std::sync::Arc;

use codec::Encode;
use futures::{future::BoxFuture, stream::BoxStream, FutureExt, StreamExt};
use medchain_runtime::{opaque::Block, AccountId, Nonce};
use sc_transaction_pool_api::{InPoolTransaction, TransactionPool, TransactionSource};
use sp_core::H256;
use sp_runtime::OpaqueExtrinsic;

pub use sc_transaction_pool_api::TransactionStatus;

/// A watched transaction's progress.
pub type Status = TransactionStatus<H256, H256>;
/// The statuses of one watched transaction, until it is finalized or gone.
pub type StatusStream = BoxStream<'static, Status>;

/// Where the custodian's transactions go.
pub trait Pool: Send + Sync + 'static {
	/// The hash of `extrinsic`.
	fn hash_of(&self, extrinsic: &OpaqueExtrinsic) -> H256;
	/// Puts `extrinsic`, built on block `at`, in the pool; its hash.
	fn submit(&self, at: H256, extrinsic: OpaqueExtrinsic) -> BoxFuture<'_, Result<H256, String>>;
	/// Puts `extrinsic`, built on block `at`, in the pool, and follows it.
	fn submit_and_watch(
		&self,
		at: H256,
		extrinsic: OpaqueExtrinsic,
	) -> BoxFuture<'_, Result<StatusStream, String>>;
	/// The nonce after `account`'s transactions that wait ready in the pool, counting from
	/// `chain_nonce`, its next nonce on chain.
	fn next_nonce(&self, account: &AccountId, chain_nonce: Nonce) -> Nonce;
}

/// [`Pool`] over a Substrate transaction pool.
pub struct SubstratePool<P>(pub Arc<P>);

impl<P> Pool for SubstratePool<P>
where
	P: TransactionPool<Block = Block, Hash = H256> + 'static,
{
	fn hash_of(&self, extrinsic: &OpaqueExtrinsic) -> H256 {
		self.0.hash_of(extrinsic)
	}

	fn submit(&self, at: H256, extrinsic: OpaqueExtrinsic) -> BoxFuture<'_, Result<H256, String>> {
		async move {
			let submitted = self.0.submit_one(at, TransactionSource::Local, extrinsic).await;
			submitted.map_err(|error| error.to_string())
		}
		.boxed()
	}

	fn submit_and_watch(
		&self,
		at: H256,
		extrinsic: OpaqueExtrinsic,
	) -> BoxFuture<'_, Result<StatusStream, String>> {
		async move {
			let watched = self.0.submit_and_watch(at, TransactionSource::Local, extrinsic).await;
			watched.map(|statuses| statuses.boxed()).map_err(|error| error.to_string())
		}
		.boxed()
	}

	fn next_nonce(&self, account: &AccountId, chain_nonce: Nonce) -> Nonce {
		// `CheckNonce` tags a transaction as providing `(account, nonce)`; the ready ones come
		// in nonce order, so one pass finds the run that starts at the chain's nonce.
		let mut next = chain_nonce;
		for transaction in self.0.ready() {
			if transaction.provides().contains(&(account, next).encode()) {
				next = next.saturating_add(1);
			}
		}
		next
	}
}
