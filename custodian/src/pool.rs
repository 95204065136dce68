//! The transaction pool as the custodian uses it: the [`Pool`] trait, and its implementation
//! over a Substrate pool ([`SubstratePool`]).

use std::{collections::BTreeSet, sync::Arc};

use codec::Decode;
use futures::{future::BoxFuture, stream::BoxStream, FutureExt, StreamExt};
use medchain_runtime::{opaque::Block, AccountId, Nonce};
use sc_transaction_pool_api::{
	error::{Error as PoolError, IntoPoolError},
	InPoolTransaction, TransactionPool, TransactionSource,
};
use sp_core::H256;
use sp_runtime::{transaction_validity::InvalidTransaction, OpaqueExtrinsic};

pub use sc_transaction_pool_api::TransactionStatus;

/// A watched transaction's progress.
pub type Status = TransactionStatus<H256, H256>;
/// The statuses of one watched transaction, until it is finalized or gone.
pub type StatusStream = BoxStream<'static, Status>;

/// Why the pool refused a transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
	/// The pool's reason.
	pub reason: String,
	/// What it refused.
	pub of: Refused,
}

/// What the pool refused of a transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
	/// The transaction itself.
	Transaction,
	/// Its nonce, which another transaction in the pool holds (`TooLowPriority`).
	NonceHeld,
	/// Its nonce, which the chain has used (`Stale`).
	NonceUsed,
}

impl Refusal {
	/// The transaction itself refused.
	pub fn of_transaction(reason: impl Into<String>) -> Self {
		Self { reason: reason.into(), of: Refused::Transaction }
	}

	fn from_pool<E: IntoPoolError>(error: E) -> Self {
		let reason = error.to_string();
		let of = match error.into_pool_error() {
			Ok(PoolError::TooLowPriority { .. }) => Refused::NonceHeld,
			Ok(PoolError::InvalidTransaction(InvalidTransaction::Stale)) => Refused::NonceUsed,
			_ => Refused::Transaction,
		};
		Self { reason, of }
	}
}

impl std::fmt::Display for Refusal {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		f.write_str(&self.reason)
	}
}

/// Where the custodian's transactions go.
pub trait Pool: Send + Sync + 'static {
	/// The hash of `extrinsic`.
	fn hash_of(&self, extrinsic: &OpaqueExtrinsic) -> H256;
	/// Puts `extrinsic`, built on block `at`, in the pool; its hash.
	fn submit(&self, at: H256, extrinsic: OpaqueExtrinsic) -> BoxFuture<'_, Result<H256, Refusal>>;
	/// Puts `extrinsic`, built on block `at`, in the pool, and follows it.
	fn submit_and_watch(
		&self,
		at: H256,
		extrinsic: OpaqueExtrinsic,
	) -> BoxFuture<'_, Result<StatusStream, Refusal>>;
	/// The nonces of `account`'s transactions in the pool, ready or waiting for an earlier one.
	fn nonces_held(&self, account: &AccountId) -> BTreeSet<Nonce>;
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

	fn submit(&self, at: H256, extrinsic: OpaqueExtrinsic) -> BoxFuture<'_, Result<H256, Refusal>> {
		async move {
			let submitted = self.0.submit_one(at, TransactionSource::Local, extrinsic).await;
			submitted.map_err(Refusal::from_pool)
		}
		.boxed()
	}

	fn submit_and_watch(
		&self,
		at: H256,
		extrinsic: OpaqueExtrinsic,
	) -> BoxFuture<'_, Result<StatusStream, Refusal>> {
		async move {
			let watched = self.0.submit_and_watch(at, TransactionSource::Local, extrinsic).await;
			watched.map(|statuses| statuses.boxed()).map_err(Refusal::from_pool)
		}
		.boxed()
	}

	fn nonces_held(&self, account: &AccountId) -> BTreeSet<Nonce> {
		// `CheckNonce` tags a transaction as providing `(account, nonce)`.
		let ready = self.0.ready().map(|transaction| transaction.provides().to_vec());
		let future =
			self.0.futures().into_iter().map(|transaction| transaction.provides().to_vec());
		ready
			.chain(future)
			.flatten()
			.filter_map(|tag| <(AccountId, Nonce)>::decode(&mut tag.as_slice()).ok())
			.filter_map(|(signer, nonce)| (signer == *account).then_some(nonce))
			.collect()
	}
}
