//! Transactions the node signs with its hospital's operator key, from the keystore.
//!
//! Transactions are mortal ([`MORTALITY`] blocks). Nonces come from a local counter that never
//! goes below the chain's next nonce, so several transactions can wait in the pool at once; a
//! refused or dropped transaction resets it to the chain's.

use std::sync::{Arc, Mutex};

use codec::Encode;
use frame_system_rpc_runtime_api::AccountNonceApi;
use medchain_runtime::{AccountId, Nonce, RuntimeCall, SignedPayload, UncheckedExtrinsic};
use sc_client_api::{BlockBackend, HeaderBackend};
use sp_api::{Core, ProvideRuntimeApi};
use sp_core::{crypto::KeyTypeId, sr25519, H256};
use sp_keystore::KeystorePtr;
use sp_runtime::{generic::Era, MultiAddress, MultiSignature, OpaqueExtrinsic};

use crate::service::{FullClient, TransactionPoolHandle};
use sc_transaction_pool_api::{TransactionPool, TransactionSource};

/// The keystore key type of a hospital's operator key (sr25519).
pub const OPERATOR_KEY_TYPE: KeyTypeId = KeyTypeId(*b"mdop");

/// How many blocks a node-signed transaction stays valid.
pub const MORTALITY: u64 = 64;

/// Signs calls as the hospital's operator.
pub struct OperatorSigner {
	client: Arc<FullClient>,
	keystore: KeystorePtr,
	public: sr25519::Public,
	next_nonce: Mutex<Option<Nonce>>,
}

/// Where a watched transaction is when the wait ends.
#[derive(Clone, Copy, Debug)]
pub enum Watched {
	/// In `block` at `index`, final or not yet.
	Included {
		/// The block that holds it.
		block: H256,
		/// Its index among the block's extrinsics.
		index: u32,
		/// Whether the block is finalized.
		finalized: bool,
	},
	/// Still waiting in the pool: its hash.
	Pending(H256),
}

/// A signed transaction, ready for the pool.
pub struct Signed {
	/// The transaction.
	pub extrinsic: OpaqueExtrinsic,
	/// The nonce it uses.
	pub nonce: Nonce,
	/// The block it was built on.
	pub at: H256,
}

impl OperatorSigner {
	/// The signer for the one operator key in the keystore.
	pub fn from_keystore(client: Arc<FullClient>, keystore: KeystorePtr) -> Result<Self, String> {
		match keystore.sr25519_public_keys(OPERATOR_KEY_TYPE).as_slice() {
			[public] => Ok(Self { client, keystore, public: *public, next_nonce: Mutex::new(None) }),
			[] => Err(format!(
				"the custodian needs the hospital's operator key in the keystore: `medchain-node key insert \
				 --key-type {} --scheme sr25519 --suri <operator seed>` with this node's --base-path and --chain",
				String::from_utf8_lossy(&OPERATOR_KEY_TYPE.0)
			)),
			_ => Err("the keystore holds several operator (mdop) keys; keep exactly one".into()),
		}
	}

	/// The operator's account.
	pub fn account(&self) -> AccountId {
		self.public.into()
	}

	/// `call`, signed with the next nonce (at the best block), mortal from the finalized one.
	pub fn sign(&self, call: RuntimeCall) -> Result<Signed, String> {
		let info = self.client.info();
		let best_hash = info.best_hash;
		let chain_nonce = self
			.client
			.runtime_api()
			.account_nonce(best_hash, self.account())
			.map_err(|error| format!("reading the operator's nonce: {error}"))?;
		let nonce = {
			let mut next = self.next_nonce.lock().map_err(|_| "nonce lock poisoned")?;
			let nonce = next.map_or(chain_nonce, |local| local.max(chain_nonce));
			*next = Some(nonce.saturating_add(1));
			nonce
		};
		let version = self
			.client
			.runtime_api()
			.version(best_hash)
			.map_err(|error| format!("reading the runtime version: {error}"))?;
		// Mortal from the finalized head, so a reorganization can't take the birth block away.
		let finalized = info.finalized_number;
		let era = Era::mortal(MORTALITY, u64::from(finalized));
		let birth =
			u32::try_from(era.birth(u64::from(finalized))).map_err(|error| error.to_string())?;
		let birth_hash = self
			.client
			.block_hash(birth)
			.map_err(|error| error.to_string())?
			.ok_or(format!("no block #{birth}"))?;
		let extension = medchain_runtime::tx_extension(era, nonce);
		let implicit = (
			(),
			version.spec_version,
			version.transaction_version,
			info.genesis_hash,
			birth_hash,
			(),
			(),
			(),
			(),
		);
		let payload = SignedPayload::from_raw(call.clone(), extension.clone(), implicit);
		let signature = payload
			.using_encoded(|bytes| {
				self.keystore.sr25519_sign(OPERATOR_KEY_TYPE, &self.public, bytes)
			})
			.map_err(|error| format!("signing: {error}"))?
			.ok_or("the operator key left the keystore")?;
		let extrinsic = UncheckedExtrinsic::new_signed(
			call,
			MultiAddress::Id(self.account()),
			MultiSignature::Sr25519(signature),
			extension,
		);
		let extrinsic = OpaqueExtrinsic::try_from_encoded_extrinsic(&extrinsic.encode())
			.map_err(|error| error.to_string())?;
		Ok(Signed { extrinsic, nonce, at: best_hash })
	}

	/// Signs `call` and puts it in `pool`; returns the transaction hash.
	pub async fn submit(
		&self,
		pool: &TransactionPoolHandle,
		call: RuntimeCall,
	) -> Result<H256, String> {
		let signed = self.sign(call)?;
		pool.submit_one(signed.at, TransactionSource::Local, signed.extrinsic).await.map_err(
			|error| {
				self.reset_nonce();
				error.to_string()
			},
		)
	}

	/// Signs `call`, puts it in `pool` and waits until it is finalized, for `wait` at most.
	/// A transaction still not final by then is reported where it is, and stays in the pool.
	pub async fn submit_and_wait_finalized(
		&self,
		pool: &TransactionPoolHandle,
		call: RuntimeCall,
		wait: std::time::Duration,
	) -> Result<Watched, String> {
		use futures::StreamExt;
		use sc_transaction_pool_api::TransactionStatus;
		use sp_runtime::traits::Hash;
		let signed = self.sign(call)?;
		let hash = sp_runtime::traits::BlakeTwo256::hash_of(&signed.extrinsic);
		let mut watcher = pool
			.submit_and_watch(signed.at, TransactionSource::Local, signed.extrinsic)
			.await
			.map_err(|error| {
				self.reset_nonce();
				error.to_string()
			})?;
		let deadline = tokio::time::sleep(wait);
		tokio::pin!(deadline);
		let mut latest = Watched::Pending(hash);
		let failure = loop {
			let status = tokio::select! {
				status = watcher.next() => status,
				() = &mut deadline => return Ok(latest),
			};
			let Some(status) = status else {
				break "the pool stopped watching the transaction";
			};
			match status {
				TransactionStatus::InBlock((block, index)) => {
					let index = u32::try_from(index).map_err(|error| error.to_string())?;
					latest = Watched::Included { block, index, finalized: false };
				}
				TransactionStatus::Retracted(retracted) => {
					if matches!(latest, Watched::Included { block, .. } if block == retracted) {
						latest = Watched::Pending(hash);
					}
				}
				TransactionStatus::Finalized((block, index)) => {
					let index = u32::try_from(index).map_err(|error| error.to_string())?;
					return Ok(Watched::Included { block, index, finalized: true });
				}
				TransactionStatus::Invalid => break "the transaction became invalid",
				TransactionStatus::Dropped => break "the pool dropped the transaction",
				TransactionStatus::Usurped(_) => break "another transaction replaced it",
				TransactionStatus::FinalityTimeout(_) => {
					break "the pool stopped waiting for its finality"
				}
				_ => {}
			}
		};
		// Its nonce may be left unused: the next transaction takes the chain's nonce again.
		self.reset_nonce();
		Err(failure.into())
	}

	/// Forgets the local nonce counter: the next transaction takes the chain's nonce.
	pub fn reset_nonce(&self) {
		if let Ok(mut next) = self.next_nonce.lock() {
			*next = None;
		}
	}
}
