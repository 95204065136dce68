//! The node as its hospital's record custodian: the encrypted record store
//! (`medchain-store`), the outbox that anchors it with the operator key, and what the app RPC
//! asks of them.

pub mod chain;
pub mod compaction;
pub mod erasure;
pub mod grants;
pub mod notifications;
pub mod outbox;
pub mod patient_read;
pub mod receipts;
pub mod release;
pub mod sharing;
pub mod signer;

use std::{path::PathBuf, sync::Arc};

use medchain_primitives::HospitalRole;
use medchain_store::Store;
use sc_client_api::HeaderBackend;
use sp_keystore::KeystorePtr;

use crate::service::{FullClient, TransactionPoolHandle};
pub use outbox::{Progress, Tracker};

/// Runs store work off the async threads (the store fsyncs), with its errors as text.
pub async fn blocking<T: Send + 'static>(
	work: impl FnOnce() -> medchain_store::Result<T> + Send + 'static,
) -> Result<T, String> {
	tokio::task::spawn_blocking(work).await.map_err(|e| e.to_string())?.map_err(|e| e.to_string())
}

/// The app's error for a failed read of the chain.
pub fn chain_error(error: String) -> jsonrpsee::types::ErrorObjectOwned {
	medchain_app_api::ErrorCode::StoreUnavailable.error(format!("reading the chain: {error}"))
}

/// How long the node waits for its transactions to be final before it answers an app with
/// `NotFinalYet`; finality normally follows inclusion by two or three blocks.
pub const FINALITY_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// The app's error for a transaction still not final after [`FINALITY_WAIT`]; `access` is the
/// access id it logged, if it is an access (an id from a block that is not final: a fork may
/// still change it).
pub fn not_final_yet(
	watched: signer::Watched,
	access: Option<medchain_primitives::access::AccessId>,
) -> jsonrpsee::types::ErrorObjectOwned {
	use medchain_app_api::types::to_hex;
	let wait = FINALITY_WAIT.as_secs();
	let (message, data) = match watched {
		signer::Watched::Included { block, index, .. } => {
			let block = to_hex(block.as_bytes());
			let retry = match access {
				Some(access) => format!("; retryAccess({access}) once it is"),
				None => String::new(),
			};
			(
				format!("the transaction is in block {block} but not final after {wait} s{retry}"),
				serde_json::json!({ "block": block, "index": index, "accessId": access }),
			)
		}
		signer::Watched::Pending(transaction) => {
			let transaction = to_hex(transaction.as_bytes());
			(
				format!("the transaction {transaction} is in no block after {wait} s; it stays in the pool: do not send it again"),
				serde_json::json!({ "transaction": transaction }),
			)
		}
	};
	medchain_app_api::ErrorCode::NotFinalYet.error_with_data(message, data)
}

/// Where the custodian keeps its files.
pub struct CustodianPaths {
	/// The record store's directory.
	pub store: PathBuf,
	/// The key-encryption key file, and the root key that seals it, if any.
	pub kek: medchain_store::kek::KekFile,
}

/// The custodian's state, shared by the outbox and the app RPC.
pub struct Custodian {
	/// The record store.
	pub store: Arc<Store>,
	/// Progress of anchors in flight.
	pub tracker: Arc<Tracker>,
	/// Wakes the outbox after a submission.
	pub wake: Arc<tokio::sync::Notify>,
	/// Sends erasures and follows them.
	pub erasures: erasure::Erasures,
	/// Challenges for patients' reads.
	pub challenges: patient_read::Challenges,
	/// Releases, claimed once, and their on-chain receipts.
	pub receipts: Arc<receipts::Receipts>,
	/// The chain and the operator, for reads and releases.
	pub client: Arc<FullClient>,
	/// Signs the node's transactions.
	pub signer: Arc<signer::OperatorSigner>,
	/// The transaction pool.
	pub pool: Arc<TransactionPoolHandle>,
	/// This node's hospital.
	pub hospital: medchain_primitives::HospitalId,
	/// The p2p network, for the release protocol.
	pub network: Arc<dyn sc_network::service::traits::NetworkService>,
	/// The chain's genesis hash (in the release protocol's name).
	pub genesis: sp_core::H256,
	/// The index of refused accesses, for auditors.
	pub refusals: Arc<medchain_store::refusals::RefusalLog>,
	/// medchain's metrics.
	pub metrics: Arc<crate::metrics::Metrics>,
	/// Room for app-triggered transactions (shares, revocations, accesses, erasures) waiting
	/// for their answer (see [`APP_TRANSACTIONS_IN_FLIGHT`]).
	pub app_transactions: tokio::sync::Semaphore,
	/// Grants whose revocation this node is sending.
	pub revoking: std::sync::Mutex<std::collections::HashSet<u64>>,
	/// Each finalized block's notifications, for `medchain_subscribe`.
	pub notifications: notifications::Feed,
	/// Erase transactions sent since the node started, until the chain schedules them.
	pub erase_requests: std::sync::Mutex<
		std::collections::HashMap<medchain_primitives::commitment::RecordId, sp_core::H256>,
	>,
}

/// The custodian's background tasks, to be spawned.
pub struct Tasks {
	/// Anchors stored records.
	pub outbox: outbox::Outbox,
	/// Applies finalized erasures to the store.
	pub erasures: erasure::Erasures,
	/// Indexes refused accesses from finalized blocks.
	pub refusals: crate::audit::refusals::RefusalIndexer,
}

/// Most app-triggered transactions the node works on at once. They share the operator's nonce
/// sequence with the node's own anchors, releases and erasures, so the pool can't put those
/// first; bounding the app's share instead keeps the node's own transactions at most this
/// many places behind. Beyond it an app call is refused with `Busy`, before anything is signed.
pub const APP_TRANSACTIONS_IN_FLIGHT: usize = 16;

impl Custodian {
	/// A place for one app-triggered transaction, or `Busy`; held until the call answers.
	pub fn app_transaction_permit(
		&self,
	) -> Result<tokio::sync::SemaphorePermit<'_>, jsonrpsee::types::ErrorObjectOwned> {
		self.app_transactions.try_acquire().map_err(|_| {
			medchain_app_api::ErrorCode::Busy.error(format!(
				"{APP_TRANSACTIONS_IN_FLIGHT} app-triggered transactions are waiting for the chain; retry shortly"
			))
		})
	}

	/// Opens the store for the hospital whose operator key is in the keystore, and returns the
	/// custodian with its outbox task (to be spawned).
	pub fn start(
		paths: CustodianPaths,
		client: Arc<FullClient>,
		pool: Arc<TransactionPoolHandle>,
		keystore: KeystorePtr,
		network: Arc<dyn sc_network::service::traits::NetworkService>,
		metrics: Arc<crate::metrics::Metrics>,
	) -> Result<(Arc<Self>, Tasks), String> {
		let signer = signer::OperatorSigner::from_keystore(client.clone(), keystore)?;
		let best = client.info().best_hash;
		let genesis = client.info().genesis_hash;
		let hospital = match chain::role_of(&client, best, &signer.account())? {
			Some((hospital, HospitalRole::Operator)) => hospital,
			_ => {
				return Err(format!(
					"the keystore's operator key {} is not a hospital operator on this chain",
					signer.account()
				))
			}
		};
		let kek_path = paths.kek.path.display().to_string();
		let sealed =
			if paths.kek.root.is_some() { ", sealed under the --kek-fd root key" } else { "" };
		let store = Arc::new(
			Store::open_with(&paths.store, paths.kek, hospital)
				.map_err(|error| error.to_string())?,
		);
		log::info!(
			target: "medchain::custodian",
			"record store {} for hospital {hospital}; KEK {kek_path}{sealed} (back it up with the \
			 store: without it the records are lost)",
			paths.store.display(),
		);
		let refusals_path = paths.store.join("refusals.redb");
		let refusals = Arc::new(
			medchain_store::refusals::RefusalLog::open(&refusals_path)
				.map_err(|error| error.to_string())?,
		);
		let signer = Arc::new(signer);
		let erasures = erasure::Erasures {
			store: store.clone(),
			signer: signer.clone(),
			client: client.clone(),
			pool: pool.clone(),
		};
		let custodian = Arc::new(Self {
			store: store.clone(),
			tracker: Arc::default(),
			wake: Arc::default(),
			erasures: erasures.clone(),
			app_transactions: tokio::sync::Semaphore::new(APP_TRANSACTIONS_IN_FLIGHT),
			notifications: Default::default(),
			revoking: Default::default(),
			erase_requests: Default::default(),
			challenges: Default::default(),
			receipts: Arc::new(receipts::Receipts {
				store: store.clone(),
				signer: signer.clone(),
				client: client.clone(),
				pool: pool.clone(),
				sent_at: Default::default(),
			}),
			client: client.clone(),
			signer: signer.clone(),
			pool: pool.clone(),
			hospital,
			network,
			genesis,
			refusals: refusals.clone(),
			metrics: metrics.clone(),
		});
		let outbox = outbox::Outbox {
			store,
			signer,
			client,
			pool,
			tracker: custodian.tracker.clone(),
			wake: custodian.wake.clone(),
			metrics,
		};
		let refusals = crate::audit::refusals::RefusalIndexer {
			client: custodian.client.clone(),
			log: refusals,
		};
		Ok((custodian, Tasks { outbox, erasures, refusals }))
	}
}
