//! Transactions the node signs with its hospital's operator key, from the keystore.
//!
//! Transactions are mortal (`medchain_runtime::transaction::MORTALITY` blocks), built and signed
//! as every signer's are (`medchain_runtime::transaction`). Nonces come from a local counter that never
//! goes below the chain's next nonce, so several transactions can wait in the pool at once, and
//! that skips every nonce the operator's transactions in the pool hold. A refused or dropped
//! transaction makes the next one count again from the chain's nonce: it fills the gap the lost
//! one left. A transaction the pool reports invalid before any block holds it is signed again,
//! with its own nonce, for the runtime of now (see [`OperatorSigner::submit_and_wait_finalized`]).
//! Nothing is signed while the chain's transaction version differs from the one this node was
//! built for: its calls would encode differently.

use std::sync::{Arc, Mutex};

use codec::Encode;
use futures::StreamExt;
use medchain_runtime::{
	transaction::{mortal_era, UnsignedTransaction},
	AccountId, BlockNumber, Nonce, RuntimeCall, VERSION,
};
use sp_core::{crypto::KeyTypeId, sr25519, H256};
use sp_keystore::KeystorePtr;
use sp_runtime::{
	traits::{BlakeTwo256, Hash},
	MultiSignature, OpaqueExtrinsic,
};

use crate::{
	pool::{Pool, Refusal, Refused, TransactionStatus},
	Chain,
};

/// The keystore key type of a hospital's operator key (sr25519).
pub const OPERATOR_KEY_TYPE: KeyTypeId = KeyTypeId(*b"mdop");

const LOG_TARGET: &str = "medchain::signer";

/// How long a transaction whose nonce the pool refused (another took it) waits before it is
/// signed again.
const RETRY_PAUSE: std::time::Duration = std::time::Duration::from_millis(200);

/// How many times a waited-for transaction the pool found invalid is signed again.
const SIGNINGS_AGAIN: u32 = 3;

/// Why a watched transaction is not final: the pool refused it, or it left the pool.
enum Unfinished {
	Refused(Refusal),
	Left {
		left: Left,
		/// Where it was last.
		latest: Watched,
	},
}

/// How a transaction left the pool.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Left {
	Invalid,
	Dropped,
	Usurped,
	FinalityTimeout,
	Unwatched,
}

impl Left {
	fn describe(self) -> &'static str {
		match self {
			Left::Invalid => "the transaction became invalid",
			Left::Dropped => "the pool dropped the transaction",
			Left::Usurped => "another transaction replaced it",
			Left::FinalityTimeout => "the pool stopped waiting for its finality",
			Left::Unwatched => "the pool stopped watching the transaction",
		}
	}
}

/// A waited-for transaction's nonce, kept from other transactions until dropped.
struct Reservation<'a> {
	signer: &'a OperatorSigner,
	nonce: Nonce,
}

impl<'a> Reservation<'a> {
	fn new(signer: &'a OperatorSigner, nonce: Nonce) -> Self {
		signer.reserve(nonce, |count| count.saturating_add(1));
		Self { signer, nonce }
	}
}

impl Drop for Reservation<'_> {
	fn drop(&mut self) {
		self.signer.reserve(self.nonce, |count| count.saturating_sub(1));
	}
}

/// Signs calls as the hospital's operator.
pub struct OperatorSigner {
	chain: Arc<dyn Chain>,
	pool: Arc<dyn Pool>,
	keystore: KeystorePtr,
	public: sr25519::Public,
	/// The nonce of the next transaction, or `None` to count again from the chain's.
	next_nonce: Mutex<Option<Nonce>>,
	/// The nonces of transactions being waited for, with how many waits hold each: kept from
	/// other transactions while one is out of the pool, about to be signed again with it.
	reserved: Mutex<std::collections::BTreeMap<Nonce, usize>>,
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
	/// The runtime's `(spec_version, transaction_version)` it is signed for.
	pub version: (u32, u32),
}

impl OperatorSigner {
	/// The signer for the one operator key in the keystore.
	pub fn from_keystore(
		chain: Arc<dyn Chain>,
		pool: Arc<dyn Pool>,
		keystore: KeystorePtr,
	) -> Result<Self, String> {
		match keystore.sr25519_public_keys(OPERATOR_KEY_TYPE).as_slice() {
			[public] => Ok(Self {
				chain,
				pool,
				keystore,
				public: *public,
				next_nonce: Mutex::new(None),
				reserved: Mutex::default(),
			}),
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
		self.sign_with(call, None)
	}

	/// `call`, signed with `nonce`, or the next one.
	fn sign_with(&self, call: RuntimeCall, nonce: Option<Nonce>) -> Result<Signed, String> {
		let info = self.chain.info();
		let best_hash = info.best_hash;
		let version = self.runtime_version(best_hash)?;
		if version.1 != VERSION.transaction_version {
			return Err(format!(
				"the chain's transaction version is {}, this node's {}: upgrade the node",
				version.1, VERSION.transaction_version
			));
		}
		let nonce = match nonce {
			Some(nonce) => nonce,
			None => self.next_nonce(best_hash)?,
		};
		let (era, birth) = mortal_era(info.finalized_number);
		let birth_hash = self.chain.hash(birth)?.ok_or(format!("no block #{birth}"))?;
		let unsigned =
			UnsignedTransaction::new(call, nonce, era, birth_hash, info.genesis_hash, version);
		let signature = self
			.keystore
			.sr25519_sign(OPERATOR_KEY_TYPE, &self.public, &unsigned.signing_bytes())
			.map_err(|error| format!("signing: {error}"))?
			.ok_or("the operator key left the keystore")?;
		let extrinsic = unsigned.signed(self.account(), MultiSignature::Sr25519(signature));
		let extrinsic = OpaqueExtrinsic::try_from_encoded_extrinsic(&extrinsic.encode())
			.map_err(|error| error.to_string())?;
		Ok(Signed { extrinsic, nonce, at: best_hash, version })
	}

	/// The next nonce: the local counter, or the chain's at `best_hash`, past the pool's.
	fn next_nonce(&self, best_hash: H256) -> Result<Nonce, String> {
		let chain_nonce = self
			.chain
			.account_nonce(best_hash, &self.account())
			.map_err(|error| format!("reading the operator's nonce: {error}"))?;
		let mut held = self.pool.nonces_held(&self.account());
		held.extend(self.reserved.lock().map_err(|_| "nonce lock poisoned")?.keys());
		let mut next = self.next_nonce.lock().map_err(|_| "nonce lock poisoned")?;
		let mut nonce = next.map_or(chain_nonce, |local| local.max(chain_nonce));
		// The pool refuses a nonce it holds as a replacement of equal priority. After a reset
		// this fills the gap a lost transaction left, then skips the ones waiting behind it.
		while held.contains(&nonce) {
			nonce = nonce.saturating_add(1);
		}
		*next = Some(nonce.saturating_add(1));
		Ok(nonce)
	}

	fn runtime_version(&self, at: H256) -> Result<(u32, u32), String> {
		let version = self.chain.runtime_version(at);
		version.map_err(|error| format!("reading the runtime version: {error}"))
	}

	/// Signs `call` and puts it in the pool; returns the transaction hash.
	pub async fn submit(&self, call: RuntimeCall) -> Result<H256, String> {
		let signed = self.sign(call)?;
		let submitted = self.pool.submit(signed.at, signed.extrinsic).await;
		submitted.map_err(|refusal| {
			self.reset_nonce();
			refusal.reason
		})
	}

	/// Signs `call`, puts it in the pool and waits until it is finalized, for `wait` at most.
	/// A transaction still not final by then is reported where it is, and stays in the pool.
	///
	/// The pool reports invalid not only a transaction the chain now refuses, but also every
	/// one of the signer's queued behind one it dropped, and after a runtime upgrade every one
	/// signed for the old version. So one reported invalid while in no block is signed again
	/// for the runtime of now, at most [`SIGNINGS_AGAIN`] times, with its own nonce: a copy of
	/// it still in other nodes' pools can then never apply beside it. If the chain has used that
	/// nonce meanwhile, the best chain's blocks since the first signing are searched for a copy:
	/// one found is the answer once final; with none, no copy can apply any more and it is
	/// signed with a fresh nonce. A call the chain itself now refuses is refused again, at the
	/// pool or in its block. One whose nonce another transaction in the pool holds is signed again with
	/// the first free nonce.
	pub async fn submit_and_wait_finalized(
		&self,
		call: RuntimeCall,
		wait: std::time::Duration,
	) -> Result<Watched, String> {
		let deadline = tokio::time::sleep(wait);
		tokio::pin!(deadline);
		let mut signings_again = 0;
		// The nonce of the transaction last reported invalid, signed again with it.
		let mut again: Option<Nonce> = None;
		let mut _reserved = None;
		// Every signed copy, and the best block when the first was signed.
		let (mut copies, since) = (Vec::new(), self.chain.info().best_number);
		loop {
			let signed = self.sign_with(call.clone(), again)?;
			let (version, nonce) = (signed.version, signed.nonce);
			_reserved = Some(Reservation::new(self, nonce));
			copies.push(self.pool.hash_of(&signed.extrinsic));
			match self.watch(signed, deadline.as_mut()).await {
				Ok(watched) => return Ok(watched),
				Err(Unfinished::Refused(refusal)) => match (refusal.of, again) {
					// The chain used the nonce: with a copy of this transaction, or another.
					(Refused::NonceUsed, Some(_)) => match self.find_on_chain(&copies, since)? {
						Some((block, number, index)) => {
							return Ok(self
								.wait_final(block, number, index, deadline.as_mut())
								.await)
						}
						// No copy can ever apply now: a fresh nonce is safe.
						None => again = None,
					},
					(Refused::NonceHeld | Refused::NonceUsed, _) => {
						log::debug!(target: LOG_TARGET, "nonce {nonce} taken: {refusal}; signing again");
						again = None;
						tokio::time::sleep(RETRY_PAUSE).await;
					}
					(Refused::Transaction, _) => return Err(refusal.reason),
				},
				Err(Unfinished::Left { left, latest }) => {
					// Its nonce may be left unused: the next transaction counts again.
					self.reset_nonce();
					let pending = matches!(latest, Watched::Pending(_));
					if !(left == Left::Invalid && pending && signings_again < SIGNINGS_AGAIN) {
						return Err(left.describe().into());
					}
					let now = self.runtime_version(self.chain.info().best_hash).ok();
					log::info!(
						target: LOG_TARGET,
						"a transaction signed for runtime {version:?} with nonce {nonce} left the pool as invalid before any block held it; signing it again for runtime {now:?}"
					);
					signings_again += 1;
					again = Some(nonce);
				}
			}
			if deadline.is_elapsed() {
				return Err(format!("not final within {wait:?}: the pool refused or dropped it"));
			}
		}
	}

	/// The block, its number and the index where one of `copies` is, on the best chain from
	/// block `since` on.
	fn find_on_chain(
		&self,
		copies: &[H256],
		since: BlockNumber,
	) -> Result<Option<(H256, BlockNumber, u32)>, String> {
		for number in since..=self.chain.info().best_number {
			let Some(block) = self.chain.hash(number)? else { continue };
			let Some(body) = self.chain.extrinsics(block)? else { continue };
			for (index, extrinsic) in body.iter().enumerate() {
				if copies.contains(&<BlakeTwo256 as Hash>::hash(extrinsic)) {
					let index = u32::try_from(index).map_err(|error| error.to_string())?;
					return Ok(Some((block, number, index)));
				}
			}
		}
		Ok(None)
	}

	/// Where the transaction at `index` of block `block` (number `number`) is once that height
	/// is finalized, or at `deadline`.
	async fn wait_final(
		&self,
		block: H256,
		number: BlockNumber,
		index: u32,
		mut deadline: std::pin::Pin<&mut tokio::time::Sleep>,
	) -> Watched {
		let included = |finalized| Watched::Included { block, index, finalized };
		loop {
			if self.chain.info().finalized_number >= number {
				return match self.chain.hash(number) {
					Ok(Some(finalized)) if finalized == block => included(true),
					// Finality took another fork: where the transaction is now, no one knows.
					_ => included(false),
				};
			}
			tokio::select! {
				() = &mut deadline => return included(false),
				() = tokio::time::sleep(RETRY_PAUSE) => {}
			}
		}
	}

	fn reserve(&self, nonce: Nonce, change: fn(usize) -> usize) {
		let mut reserved = self.reserved.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
		let count = change(reserved.get(&nonce).copied().unwrap_or(0));
		if count == 0 {
			reserved.remove(&nonce);
		} else {
			reserved.insert(nonce, count);
		}
	}

	/// Puts `signed` in the pool and follows it until it is finalized or `deadline`: where it is
	/// then, or why it did not get there.
	async fn watch(
		&self,
		signed: Signed,
		mut deadline: std::pin::Pin<&mut tokio::time::Sleep>,
	) -> Result<Watched, Unfinished> {
		let hash = self.pool.hash_of(&signed.extrinsic);
		let mut watcher =
			self.pool.submit_and_watch(signed.at, signed.extrinsic).await.map_err(|error| {
				self.reset_nonce();
				Unfinished::Refused(error)
			})?;
		let mut latest = Watched::Pending(hash);
		let left = loop {
			let status = tokio::select! {
				status = watcher.next() => status,
				() = &mut deadline => return Ok(latest),
			};
			let Some(status) = status else {
				break Left::Unwatched;
			};
			match status {
				TransactionStatus::InBlock((block, index)) => {
					let index = u32::try_from(index).map_err(|error| {
						Unfinished::Refused(Refusal::of_transaction(error.to_string()))
					})?;
					latest = Watched::Included { block, index, finalized: false };
				}
				TransactionStatus::Retracted(retracted) => {
					if matches!(latest, Watched::Included { block, .. } if block == retracted) {
						latest = Watched::Pending(hash);
					}
				}
				TransactionStatus::Finalized((block, index)) => {
					let index = u32::try_from(index).map_err(|error| {
						Unfinished::Refused(Refusal::of_transaction(error.to_string()))
					})?;
					return Ok(Watched::Included { block, index, finalized: true });
				}
				TransactionStatus::Invalid => break Left::Invalid,
				TransactionStatus::Dropped => break Left::Dropped,
				TransactionStatus::Usurped(_) => break Left::Usurped,
				TransactionStatus::FinalityTimeout(_) => break Left::FinalityTimeout,
				_ => {}
			}
		};
		Err(Unfinished::Left { left, latest })
	}

	/// Forgets the local nonce counter: the next transaction takes the first nonce from the
	/// chain's that no transaction in the pool holds.
	pub fn reset_nonce(&self) {
		if let Ok(mut next) = self.next_nonce.lock() {
			*next = None;
		}
	}
}

#[cfg(test)]
mod tests {
	use std::time::Duration;

	use super::*;
	use crate::testing::{
		block_hash, custodian, spec_version_signed_for, InMemoryChain, RecordingPool,
	};

	fn remark() -> RuntimeCall {
		RuntimeCall::System(frame_system::Call::remark { remark: Vec::new() })
	}

	/// A test custodian's signer over an in-memory chain and pool; the operator's nonce on the
	/// chain is 5.
	struct Fixture {
		_dir: tempfile::TempDir,
		chain: Arc<InMemoryChain>,
		pool: Arc<RecordingPool>,
		signer: Arc<OperatorSigner>,
	}

	fn fixture() -> Fixture {
		let dir = tempfile::tempdir().unwrap();
		let (chain, pool) =
			(Arc::new(InMemoryChain::default()), Arc::new(RecordingPool::default()));
		let (custodian, _) = custodian(dir.path(), chain.clone(), pool.clone());
		let signer = custodian.signer.clone();
		chain.with(|state| state.nonces.insert(signer.account(), 5));
		Fixture { _dir: dir, chain, pool, signer }
	}

	#[tokio::test]
	async fn nonces_count_up_locally_and_after_a_lost_transaction_count_again_past_the_pool() {
		let Fixture { chain, pool, signer, .. } = &fixture();
		let operator = signer.account();

		// Several wait in the pool at once: each takes the next nonce.
		signer.submit(remark()).await.unwrap();
		signer.submit(remark()).await.unwrap();
		assert_eq!(pool.nonces(), vec![5, 6]);

		// A refused transaction leaves its nonce unused: the next counts again from the chain,
		// past the two still waiting (taking 5 again would be refused as a replacement).
		*pool.refuse_next.lock().unwrap() =
			Some(Refusal::of_transaction("Invalid Transaction: Future"));
		assert!(signer.submit(remark()).await.is_err());
		signer.submit(remark()).await.unwrap();
		assert_eq!(pool.nonces(), vec![5, 6, 7]);

		// The chain moved past the local counter (another node signed with this key): its
		// nonce wins.
		chain.with(|state| state.nonces.insert(operator.clone(), 9));
		signer.submit(remark()).await.unwrap();
		assert_eq!(pool.nonces(), vec![5, 6, 7, 9]);

		// A watched transaction the pool drops gives its nonce back; 9 still waits.
		let watched = {
			let signer = signer.clone();
			tokio::spawn(async move {
				signer.submit_and_wait_finalized(remark(), Duration::from_secs(10)).await
			})
		};
		wait_for_watchers(pool, 1).await;
		pool.report(0, TransactionStatus::Dropped);
		let error = watched.await.unwrap().unwrap_err();
		assert_eq!(error, "the pool dropped the transaction");
		signer.submit(remark()).await.unwrap();
		assert_eq!(pool.nonces(), vec![5, 6, 7, 9, 10, 10]);
	}

	#[tokio::test]
	async fn a_lost_nonce_is_filled_and_the_nonces_waiting_behind_it_are_skipped() {
		let Fixture { pool, signer, .. } = &fixture();
		for _ in 0..4 {
			signer.submit(remark()).await.unwrap();
		}
		// 6 leaves the pool: 7 and 8 wait behind the gap.
		pool.forget(6);
		signer.reset_nonce();
		signer.submit(remark()).await.unwrap();
		signer.submit(remark()).await.unwrap();
		assert_eq!(pool.nonces(), vec![5, 6, 7, 8, 6, 9]);
	}

	#[tokio::test]
	async fn a_watched_transaction_is_reported_where_it_is_when_the_wait_ends() {
		let Fixture { pool, signer, .. } = &fixture();
		let wait = |wait| {
			let signer = signer.clone();
			tokio::spawn(async move { signer.submit_and_wait_finalized(remark(), wait).await })
		};
		let pending = wait(Duration::from_millis(100)).await.unwrap().unwrap();
		let hash = pool.hash_of(&pool.accepted.lock().unwrap()[0]);
		assert!(matches!(pending, Watched::Pending(tx) if tx == hash));

		let block = H256::repeat_byte(9);
		let included = wait(Duration::from_millis(300));
		wait_for_watchers(pool, 2).await;
		pool.report(1, TransactionStatus::InBlock((block, 3)));
		let included = included.await.unwrap().unwrap();
		assert!(
			matches!(included, Watched::Included { block: b, index: 3, finalized: false } if b == block)
		);

		let finalized = wait(Duration::from_secs(10));
		wait_for_watchers(pool, 3).await;
		pool.report(2, TransactionStatus::InBlock((block, 1)));
		pool.report(2, TransactionStatus::Retracted(block));
		pool.report(2, TransactionStatus::Finalized((H256::repeat_byte(8), 2)));
		let finalized = finalized.await.unwrap().unwrap();
		let expected = H256::repeat_byte(8);
		assert!(
			matches!(finalized, Watched::Included { block: b, index: 2, finalized: true } if b == expected)
		);
	}

	fn wait_finalized(
		signer: &Arc<OperatorSigner>,
	) -> tokio::task::JoinHandle<Result<Watched, String>> {
		let signer = signer.clone();
		tokio::spawn(async move {
			signer.submit_and_wait_finalized(remark(), Duration::from_secs(10)).await
		})
	}

	fn finalized_in(watched: Result<Watched, String>, expected: H256) -> bool {
		matches!(watched, Ok(Watched::Included { block, finalized: true, .. }) if block == expected)
	}

	#[tokio::test]
	async fn a_waiting_transaction_the_pool_finds_invalid_is_signed_again() {
		let Fixture { chain, pool, signer, .. } = &fixture();
		let block = H256::repeat_byte(7);
		let signed_for = || -> Vec<_> {
			let accepted = pool.accepted.lock().unwrap();
			accepted
				.iter()
				.map(|extrinsic| spec_version_signed_for(extrinsic, &[100, 101]))
				.collect()
		};

		// Invalid with the runtime unchanged (it queued behind one the pool dropped): signed
		// again, with nonce 5 again, which the pool no longer holds.
		let queued = wait_finalized(signer);
		wait_for_watchers(pool, 1).await;
		pool.report(0, TransactionStatus::Invalid);
		wait_for_watchers(pool, 2).await;
		pool.report(1, TransactionStatus::Finalized((block, 0)));
		assert!(finalized_in(queued.await.unwrap(), block));
		assert_eq!(pool.nonces(), vec![5, 5]);

		// Invalid because the chain now refuses the call: signed again, the pool refuses it,
		// and its reason is the answer.
		let refused = wait_finalized(signer);
		wait_for_watchers(pool, 3).await;
		let reason = "Invalid transaction validity: Custom(3)";
		*pool.refuse_next.lock().unwrap() = Some(Refusal::of_transaction(reason));
		pool.report(2, TransactionStatus::Invalid);
		assert_eq!(refused.await.unwrap().unwrap_err(), reason);

		// Invalid after an upgrade: signed again for the new version.
		let upgraded = wait_finalized(signer);
		wait_for_watchers(pool, 4).await;
		chain.with(|state| state.spec_upgrades = 1);
		pool.report(3, TransactionStatus::Invalid);
		wait_for_watchers(pool, 5).await;
		pool.report(4, TransactionStatus::Finalized((block, 0)));
		assert!(finalized_in(upgraded.await.unwrap(), block));
		assert_eq!(signed_for(), vec![Some(100), Some(100), Some(100), Some(100), Some(101)]);

		// Invalid once in a block: it may still be finalized there, so it is not signed again.
		let included = wait_finalized(signer);
		wait_for_watchers(pool, 6).await;
		pool.report(5, TransactionStatus::InBlock((block, 1)));
		pool.report(5, TransactionStatus::Invalid);
		assert_eq!(included.await.unwrap().unwrap_err(), Left::Invalid.describe());

		// Invalid again and again: signed again a bounded number of times.
		let hopeless = wait_finalized(signer);
		for signing in 0..=SIGNINGS_AGAIN as usize {
			wait_for_watchers(pool, 7 + signing).await;
			pool.report(6 + signing, TransactionStatus::Invalid);
		}
		assert_eq!(hopeless.await.unwrap().unwrap_err(), Left::Invalid.describe());
		assert_eq!(pool.watched(), 7 + SIGNINGS_AGAIN as usize);
	}

	#[tokio::test]
	async fn a_transaction_whose_nonce_another_holds_is_signed_again_with_a_free_one() {
		let Fixture { pool, signer, .. } = &fixture();
		let block = H256::repeat_byte(7);
		let held = Refusal { reason: "Too low priority (1 > 1)".into(), of: Refused::NonceHeld };
		*pool.refuse_next.lock().unwrap() = Some(held);
		let taken = wait_finalized(signer);
		wait_for_watchers(pool, 1).await;
		pool.report(0, TransactionStatus::Finalized((block, 0)));
		assert!(finalized_in(taken.await.unwrap(), block));

		// A refusal of the transaction itself is the answer at once.
		*pool.refuse_next.lock().unwrap() = Some(Refusal::of_transaction("Custom(3)"));
		assert_eq!(wait_finalized(signer).await.unwrap().unwrap_err(), "Custom(3)");
		assert_eq!(pool.watched(), 1);
	}

	#[tokio::test]
	async fn a_waited_for_transaction_keeps_its_nonce_from_others_while_out_of_the_pool() {
		let Fixture { pool, signer, .. } = &fixture();
		let waited = wait_finalized(signer);
		wait_for_watchers(pool, 1).await;
		// It leaves the pool (about to be signed again): others must not take nonce 5 meanwhile.
		pool.forget(5);
		signer.reset_nonce();
		signer.submit(remark()).await.unwrap();
		assert_eq!(pool.nonces(), vec![5, 6]);
		pool.report(0, TransactionStatus::Finalized((H256::repeat_byte(7), 0)));
		waited.await.unwrap().unwrap();
		// Its wait over, the nonce is free again.
		signer.reset_nonce();
		signer.submit(remark()).await.unwrap();
		assert_eq!(pool.nonces(), vec![5, 6, 5]);
	}

	#[tokio::test]
	async fn a_transaction_whose_nonce_the_chain_used_is_found_there_or_signed_with_a_fresh_one() {
		let Fixture { chain, pool, signer, .. } = &fixture();
		let used = || Refusal { reason: "Transaction is outdated".into(), of: Refused::NonceUsed };
		let finalized_block = |number| {
			chain.with(|state| {
				state.info.best_number = number;
				state.info.finalized_number = number;
			})
		};

		// Reported invalid, but a copy of it (in another node's pool, say) took nonce 5 in
		// block #12: that copy is the answer, once final.
		let copied = wait_finalized(signer);
		wait_for_watchers(pool, 1).await;
		let copy = pool.accepted.lock().unwrap()[0].encode();
		chain.with(|state| state.bodies.insert(block_hash(12), vec![Vec::new(), copy]));
		finalized_block(12);
		*pool.refuse_next.lock().unwrap() = Some(used());
		pool.report(0, TransactionStatus::Invalid);
		let watched = copied.await.unwrap().unwrap();
		assert!(
			matches!(
				watched,
				Watched::Included { block, index: 1, finalized: true } if block == block_hash(12)
			),
			"{watched:?}"
		);
		assert_eq!(pool.nonces(), vec![5]);

		// Another transaction took nonce 6: no copy can apply now, and a fresh nonce is safe.
		chain.with(|state| state.nonces.insert(signer.account(), 6));
		let fresh = wait_finalized(signer);
		wait_for_watchers(pool, 2).await;
		chain.with(|state| state.nonces.insert(signer.account(), 7));
		*pool.refuse_next.lock().unwrap() = Some(used());
		pool.report(1, TransactionStatus::Invalid);
		wait_for_watchers(pool, 3).await;
		pool.report(2, TransactionStatus::Finalized((H256::repeat_byte(7), 0)));
		assert!(finalized_in(fresh.await.unwrap(), H256::repeat_byte(7)));
		assert_eq!(pool.nonces(), vec![5, 6, 7]);
	}

	#[tokio::test]
	async fn nothing_is_signed_for_a_transaction_version_this_node_was_not_built_for() {
		let Fixture { chain, pool, signer, .. } = &fixture();
		chain.with(|state| state.transaction_upgrades = 1);
		let error = signer.submit(remark()).await.unwrap_err();
		assert!(error.contains("upgrade the node"), "{error}");
		assert_eq!(pool.watched() + pool.accepted.lock().unwrap().len(), 0);
	}

	/// Waits until `count` transactions were submitted to be watched.
	async fn wait_for_watchers(pool: &RecordingPool, count: usize) {
		for _ in 0..1_000 {
			if pool.watched() >= count {
				return;
			}
			tokio::time::sleep(Duration::from_millis(5)).await;
		}
		panic!("nothing was submitted");
	}
}
