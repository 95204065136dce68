//! A hospital node as its records' custodian: the encrypted record store (`medchain-store`),
//! the outbox that anchors it with the operator key, shares and the accesses they open, the
//! release of fields to other hospitals, erasures, notifications and the audit service.
//!
//! The crate reads the chain through [`Chain`], sends transactions through [`Pool`] and fetches
//! released fields through [`ReleaseNetwork`]. It implements them for a node's client, pool and
//! network service ([`ClientChain`], [`SubstratePool`], [`protocol::P2p`]); the unit tests use
//! in-memory doubles. Its tasks learn of finalized blocks from a [`Follower`], which the caller
//! creates and runs (`Follower::run`; the node does, for its peer allowlist too). Every method
//! an app calls returns an [`Error`] carrying its app API error code; the node's RPC only parses
//! parameters and maps results.

pub mod audit;
pub mod chain;
mod client;
mod compaction;
mod consortium;
mod erasure;
mod error;
pub mod follower;
pub mod grants;
pub mod metrics;
pub mod notifications;
mod outbox;
pub mod patient_read;
pub mod pool;
mod prescriptions;
pub mod protocol;
mod receipts;
pub mod records;
mod release;
pub mod sharing;
pub mod signer;
#[cfg(test)]
mod testing;
mod token_turns;

use std::{collections::HashMap, collections::HashSet, path::PathBuf, sync::Arc, sync::Mutex};

use medchain_primitives::{commitment::RecordId, HospitalId, HospitalRole};
use medchain_store::Store;
use sc_network::request_responses::IncomingRequest;
use sp_core::H256;
use sp_keystore::KeystorePtr;

pub use chain::{Chain, ChainInfo};
pub use client::ClientChain;
pub use error::{Error, Result, FINALITY_WAIT};
pub use follower::Follower;
pub use outbox::{Progress, Tracker};
pub use pool::{Pool, SubstratePool};
pub use protocol::ReleaseNetwork;

/// Runs store work off the async threads (the store fsyncs), with its errors as text.
pub(crate) async fn blocking<T: Send + 'static>(
	work: impl FnOnce() -> medchain_store::Result<T> + Send + 'static,
) -> std::result::Result<T, String> {
	tokio::task::spawn_blocking(work).await.map_err(|e| e.to_string())?.map_err(|e| e.to_string())
}

/// Where the custodian keeps its files.
pub struct CustodianPaths {
	/// The record store's directory.
	pub store: PathBuf,
	/// The key-encryption key file, and the root key that seals it, if any.
	pub kek: medchain_store::kek::KekFile,
	/// Bytes the store leaves free for the chain database when they share a file system
	/// ([`Store::with_shared_reserve`]); 0 when they don't.
	pub shared_reserve: u64,
	/// The most records waiting to be anchored ([`Store::with_outbox_limit`]).
	pub outbox_limit: u64,
}

/// What the custodian works with: the node's chain and its follower, pool, keystore and
/// network, and the metrics it reports to.
pub struct Services {
	/// The chain.
	pub chain: Arc<dyn Chain>,
	/// The follower of the chain's finalized blocks (the node runs it).
	pub follower: Arc<Follower>,
	/// The transaction pool.
	pub pool: Arc<dyn Pool>,
	/// The keystore with the hospital's operator key.
	pub keystore: KeystorePtr,
	/// The release protocol, for fetching.
	pub network: Arc<dyn ReleaseNetwork>,
	/// medchain's metrics.
	pub metrics: Arc<metrics::Metrics>,
}

/// The custodian's state, shared by its tasks and the app RPC.
pub struct Custodian {
	pub(crate) store: Arc<Store>,
	pub(crate) tracker: Arc<Tracker>,
	/// Wakes the outbox after a submission.
	pub(crate) wake: Arc<tokio::sync::Notify>,
	pub(crate) erasures: erasure::Erasures,
	pub(crate) challenges: patient_read::Challenges,
	pub(crate) receipts: Arc<receipts::Receipts>,
	pub(crate) chain: Arc<dyn Chain>,
	pub(crate) follower: Arc<Follower>,
	pub(crate) signer: Arc<signer::OperatorSigner>,
	pub(crate) hospital: HospitalId,
	pub(crate) network: Arc<dyn ReleaseNetwork>,
	pub(crate) refusals: Arc<medchain_store::refusals::RefusalLog>,
	pub(crate) metrics: Arc<metrics::Metrics>,
	/// Room for app-triggered transactions (shares, revocations, accesses, erasures) waiting
	/// for their answer (see [`APP_TRANSACTIONS_IN_FLIGHT`]).
	pub(crate) app_transactions: tokio::sync::Semaphore,
	/// Grants whose revocation this node is sending.
	pub(crate) revoking: Mutex<HashSet<u64>>,
	/// Share tokens an access is using on this node: one access per token at a time.
	pub(crate) token_turns: token_turns::TokenTurns,
	/// Each finalized block's notifications, for `medchain_subscribe`.
	pub(crate) notifications: notifications::Feed,
	/// Erase transactions sent since the node started, until the chain schedules them.
	pub(crate) erase_requests: Mutex<HashMap<RecordId, H256>>,
	/// Audit queries run at most [`AUDITS_AT_ONCE`] at a time; the others wait their turn.
	pub(crate) audits: tokio::sync::Semaphore,
}

/// The custodian's background tasks, to be spawned.
pub struct Tasks {
	outbox: outbox::Outbox,
	erasures: erasure::Erasures,
	refusals: audit::refusals::RefusalIndexer,
}

/// Most app-triggered transactions the node works on at once. They share the operator's nonce
/// sequence with the node's own anchors, releases and erasures, so the pool can't put those
/// first; bounding the app's share instead keeps the node's own transactions at most this
/// many places behind. Beyond it an app call is refused with `Busy`, before anything is signed.
pub const APP_TRANSACTIONS_IN_FLIGHT: usize = 16;

/// How many `accessLog` and `exportFhir` calls the node works on at once: each reads up to a
/// page of entries and scans up to 10,000 indexed refusals.
pub const AUDITS_AT_ONCE: usize = 2;

impl Custodian {
	/// This node's hospital.
	pub fn hospital(&self) -> HospitalId {
		self.hospital
	}

	/// medchain's metrics.
	pub fn metrics(&self) -> &Arc<metrics::Metrics> {
		&self.metrics
	}

	/// Sends the app-triggered `call` (`what` it is, for errors) and waits for its finality,
	/// within the app transactions' budget: the node's own transactions (anchors, releases,
	/// erasures) never queue behind more than [`APP_TRANSACTIONS_IN_FLIGHT`] of them.
	pub(crate) async fn send_app_transaction(
		&self,
		call: medchain_runtime::RuntimeCall,
		what: &str,
	) -> Result<signer::Watched> {
		let _permit = self.app_transaction_permit()?;
		self.signer.submit_and_wait_finalized(call, FINALITY_WAIT).await.map_err(|error| {
			medchain_app_api::ErrorCode::TransactionRefused.error(format!("{what}: {error}"))
		})
	}

	/// A place for one app-triggered transaction, or `Busy`; held until the call answers.
	pub(crate) fn app_transaction_permit(&self) -> Result<tokio::sync::SemaphorePermit<'_>> {
		self.app_transactions.try_acquire().map_err(|_| {
			medchain_app_api::ErrorCode::Busy.error(format!(
				"{APP_TRANSACTIONS_IN_FLIGHT} app-triggered transactions are waiting for the chain; retry shortly"
			))
		})
	}

	/// Opens the store for the hospital whose operator key is in the keystore, starts its tasks
	/// on `task_manager`, and answers `release_requests` if the node registered the release
	/// protocol. Those that anchor and serve are essential: a custodian that can't stops the
	/// node rather than idle. The follower in `services` must be running.
	pub fn spawn(
		paths: CustodianPaths,
		services: Services,
		task_manager: &sc_service::TaskManager,
		release_requests: Option<async_channel::Receiver<IncomingRequest>>,
	) -> std::result::Result<Arc<Self>, String> {
		let (custodian, tasks) = Self::open(paths, services)?;
		let essential = task_manager.spawn_essential_handle();
		let group = Some("medchain");
		essential.spawn("medchain-outbox", group, tasks.outbox.run());
		essential.spawn("medchain-erasures", group, tasks.erasures.run());
		essential.spawn("medchain-refusals", group, tasks.refusals.run());
		essential.spawn("medchain-receipts", group, custodian.receipts.clone().run());
		essential.spawn("medchain-notifications", group, notifications::follow(custodian.clone()));
		let spawn = task_manager.spawn_handle();
		let (metrics, store) = (custodian.metrics.clone(), custodian.store.clone());
		spawn.spawn("medchain-metrics", group, metrics.sample(store));
		spawn.spawn("medchain-compaction", group, compaction::run(custodian.store.clone()));
		if let Some(requests) = release_requests {
			essential.spawn("medchain-release", group, release::serve(custodian.clone(), requests));
		}
		Ok(custodian)
	}

	/// Opens the store for the hospital whose operator key is in the keystore; the custodian
	/// and its tasks, not started.
	pub fn open(
		paths: CustodianPaths,
		services: Services,
	) -> std::result::Result<(Arc<Self>, Tasks), String> {
		let Services { chain, follower, pool, keystore, network, metrics } = services;
		let signer = signer::OperatorSigner::from_keystore(chain.clone(), pool.clone(), keystore)?;
		let best = chain.info().best_hash;
		let hospital = match chain.role_of(best, &signer.account())? {
			Some((hospital, HospitalRole::Operator)) => hospital,
			_ => {
				return Err(format!(
					"the keystore's operator key {} is no active hospital's or pharmacy's operator on this chain",
					signer.account()
				))
			}
		};
		let kek_path = paths.kek.path.display().to_string();
		let sealed =
			if paths.kek.root.is_some() { ", sealed under the --kek-fd root key" } else { "" };
		let store = Arc::new(
			Store::open_with(&paths.store, paths.kek, hospital)
				.map_err(|error| error.to_string())?
				.with_shared_reserve(paths.shared_reserve)
				.with_outbox_limit(paths.outbox_limit),
		);
		log::info!(
			target: "medchain::custodian",
			"record store {} for hospital {hospital}; KEK {kek_path}{sealed} (back it up with the \
			 store: without it the records are lost)",
			paths.store.display(),
		);
		if paths.shared_reserve > 0 {
			log::info!(
				target: "medchain::custodian",
				"the record store refuses records while fewer than {} MiB beyond its own reserve \
				 would stay free, for the chain database (--db-storage-threshold)",
				paths.shared_reserve >> 20,
			);
		}
		let refusals = Arc::new(
			medchain_store::refusals::RefusalLog::open(&paths.store.join("refusals.redb"))
				.map_err(|error| error.to_string())?,
		);
		let signer = Arc::new(signer);
		let erasures = erasure::Erasures {
			store: store.clone(),
			signer: signer.clone(),
			chain: chain.clone(),
			follower: follower.clone(),
		};
		let custodian = Arc::new(Self {
			store: store.clone(),
			tracker: Arc::default(),
			wake: Arc::default(),
			erasures: erasures.clone(),
			app_transactions: tokio::sync::Semaphore::new(APP_TRANSACTIONS_IN_FLIGHT),
			audits: tokio::sync::Semaphore::new(AUDITS_AT_ONCE),
			notifications: Default::default(),
			revoking: Default::default(),
			token_turns: Default::default(),
			erase_requests: Default::default(),
			challenges: Default::default(),
			receipts: Arc::new(receipts::Receipts {
				store: store.clone(),
				signer: signer.clone(),
				chain: chain.clone(),
				follower: follower.clone(),
				sent_at: Default::default(),
			}),
			chain: chain.clone(),
			follower: follower.clone(),
			signer: signer.clone(),
			hospital,
			network,
			refusals: refusals.clone(),
			metrics: metrics.clone(),
		});
		let outbox = outbox::Outbox {
			store,
			signer,
			chain: chain.clone(),
			follower: follower.clone(),
			pool,
			tracker: custodian.tracker.clone(),
			wake: custodian.wake.clone(),
			metrics,
		};
		let refusals = audit::refusals::RefusalIndexer { chain, follower, log: refusals };
		Ok((custodian, Tasks { outbox, erasures, refusals }))
	}
}
