//! Test doubles for the custodian's unit tests: chain state in memory, a pool that records what
//! it is given and reports the statuses a test pushes, and a network that answers nothing.
//! The record store is the real one, in a temporary directory.

use std::{
	collections::HashMap,
	sync::{Arc, Mutex},
};

use codec::{Decode, Encode};
use futures::{
	channel::mpsc,
	future::BoxFuture,
	stream::{self, BoxStream},
	FutureExt, StreamExt,
};
use medchain_primitives::{
	access::{AccessId, AccessPage, AccessQuery},
	commitment::RecordId,
	prescription::{Fill, FillRefusal},
	shares::{GrantId, GrantRefusal, PurposeOfUse, TokenKey},
	HospitalId, HospitalRole,
};
use medchain_runtime::{AccountId, BlockNumber, Nonce, Runtime, RuntimeCall, UncheckedExtrinsic};
use sc_network::PeerId;
use sp_core::{sr25519, Pair, H256};
use sp_keystore::{testing::MemoryKeystore, Keystore};
use sp_runtime::OpaqueExtrinsic;

use crate::{
	chain::{Anchor, ChainGrant, ChainInfo, Entry, EventRecords, Finalized, Prescription},
	pool::{Refusal, Status, StatusStream},
	signer::OPERATOR_KEY_TYPE,
	Chain, Custodian, CustodianPaths, Pool, ReleaseNetwork, Services, Tasks,
};

/// The hospital the test custodian keeps records for.
pub const HOSPITAL: HospitalId = 0;

/// Chain state, the same at every block but for events, which belong to a block.
#[derive(Default)]
pub struct ChainState {
	pub info: ChainInfo,
	pub storage: HashMap<Vec<u8>, Vec<u8>>,
	pub events: HashMap<H256, EventRecords>,
	pub numbers: HashMap<H256, BlockNumber>,
	pub anchors: HashMap<RecordId, Anchor>,
	pub grants: HashMap<GrantId, ChainGrant>,
	pub tokens: HashMap<TokenKey, GrantId>,
	pub entries: HashMap<AccessId, Entry>,
	/// Entries in the best block only, not yet in the finalized one.
	pub unfinalized_entries: std::collections::HashSet<AccessId>,
	pub nonces: HashMap<AccountId, Nonce>,
	/// Added to the runtime's spec version (a runtime upgrade).
	pub spec_upgrades: u32,
	/// Added to the runtime's transaction version (an upgrade that changed call encodings).
	pub transaction_upgrades: u32,
	/// Blocks' encoded extrinsics, where a test set them.
	pub bodies: HashMap<H256, Vec<Vec<u8>>>,
	/// A best block whose state is gone (finality took another fork), and the chain once it
	/// is: a grant read at that block fails, and the chain moves on.
	pub abandoned: Option<(H256, ChainInfo)>,
	/// Prescriptions and their fills.
	pub prescriptions: HashMap<RecordId, (Prescription, Vec<Fill<BlockNumber>>)>,
	/// A refusal `check_fill` gives for a prescription, where a test set one.
	pub fill_refusals: HashMap<RecordId, FillRefusal>,
}

impl Default for ChainInfo {
	fn default() -> Self {
		Self {
			best_hash: block_hash(10),
			best_number: 10,
			finalized_hash: block_hash(8),
			finalized_number: 8,
			genesis_hash: block_hash(0),
		}
	}
}

/// The hash the test chain gives block `number`.
pub fn block_hash(number: BlockNumber) -> H256 {
	H256::repeat_byte(u8::try_from(number % 250).unwrap_or(0).saturating_add(1))
}

/// [`Chain`] over [`ChainState`].
#[derive(Default)]
pub struct InMemoryChain(pub Mutex<ChainState>);

impl InMemoryChain {
	/// Runs `change` on the state.
	pub fn with<T>(&self, change: impl FnOnce(&mut ChainState) -> T) -> T {
		change(&mut self.0.lock().unwrap())
	}

	/// Puts `value` under `key`.
	pub fn put(&self, key: Vec<u8>, value: impl Encode) {
		self.with(|state| state.storage.insert(key, value.encode()));
	}

	/// Makes `account` an account of `hospital` in `role`.
	pub fn set_role(&self, account: &AccountId, hospital: HospitalId, role: HospitalRole) {
		let key = pallet_hospitals::AccountRoles::<Runtime>::hashed_key_for(account);
		self.put(key, (hospital, role));
	}
}

impl Chain for InMemoryChain {
	fn info(&self) -> ChainInfo {
		self.with(|state| state.info)
	}

	fn hash(&self, number: BlockNumber) -> Result<Option<H256>, String> {
		Ok(Some(block_hash(number)))
	}

	fn number(&self, hash: H256) -> Result<Option<BlockNumber>, String> {
		Ok(self.with(|state| state.numbers.get(&hash).copied()))
	}

	fn finality_stream(&self) -> BoxStream<'static, Finalized> {
		stream::pending().boxed()
	}

	fn storage(&self, at: H256, key: &[u8]) -> Result<Option<Vec<u8>>, String> {
		let events = frame_support::storage::storage_prefix(b"System", b"Events");
		if key == events {
			return Ok(self.with(|state| state.events.get(&at).map(Encode::encode)));
		}
		Ok(self.with(|state| state.storage.get(key).cloned()))
	}

	fn extrinsics(&self, at: H256) -> Result<Option<Vec<Vec<u8>>>, String> {
		Ok(Some(self.with(|state| state.bodies.get(&at).cloned().unwrap_or_default())))
	}

	fn slot_millis(&self, _at: H256) -> Result<u64, String> {
		Ok(6_000)
	}

	fn account_nonce(&self, _at: H256, account: &AccountId) -> Result<Nonce, String> {
		Ok(self.with(|state| state.nonces.get(account).copied().unwrap_or_default()))
	}

	fn runtime_version(&self, _at: H256) -> Result<(u32, u32), String> {
		let transaction_version = medchain_runtime::VERSION.transaction_version;
		Ok(self.with(|state| {
			(100 + state.spec_upgrades, transaction_version + state.transaction_upgrades)
		}))
	}

	fn anchor(&self, _at: H256, record: RecordId) -> Result<Option<Anchor>, String> {
		Ok(self.with(|state| state.anchors.get(&record).cloned()))
	}

	fn grant(&self, _at: H256, id: GrantId) -> Result<Option<ChainGrant>, String> {
		Ok(self.with(|state| state.grants.get(&id).cloned()))
	}

	fn grant_by_token(&self, at: H256, token_key: TokenKey) -> Result<Option<GrantId>, String> {
		self.with(|state| match state.abandoned.take() {
			Some((gone, moved_on)) if gone == at => {
				state.info = moved_on;
				Err(format!("State already discarded for {at:?}"))
			}
			abandoned => {
				state.abandoned = abandoned;
				Ok(state.tokens.get(&token_key).copied())
			}
		})
	}

	fn check_use(
		&self,
		_at: H256,
		grant: GrantId,
		record: RecordId,
		accessor: HospitalId,
		purpose: PurposeOfUse,
	) -> Result<Result<(), GrantRefusal>, String> {
		Ok(self.with(|state| {
			let grant = state.grants.get(&grant).ok_or(GrantRefusal::GrantNotFound)?;
			let now = state.info.best_number;
			grant.use_refusal(&record, accessor, purpose, now).map_or(Ok(()), Err)
		}))
	}

	fn grants_of_patient(
		&self,
		_at: H256,
		patient: AccountId,
		after: Option<GrantId>,
		limit: u32,
	) -> Result<Vec<GrantId>, String> {
		let mut ids: Vec<GrantId> = self.with(|state| {
			state
				.grants
				.iter()
				.filter(|(_, grant)| grant.patient == patient)
				.map(|(id, _)| *id)
				.collect()
		});
		ids.sort_unstable();
		let after = after.map_or(0, |after| after.saturating_add(1));
		Ok(ids.into_iter().filter(|id| *id >= after).take(limit as usize).collect())
	}

	fn access_entry(&self, at: H256, id: AccessId) -> Result<Option<Entry>, String> {
		Ok(self.with(|state| {
			let unfinalized =
				at == state.info.finalized_hash && state.unfinalized_entries.contains(&id);
			state.entries.get(&id).filter(|_| !unfinalized).cloned()
		}))
	}

	fn access_entries(
		&self,
		_at: H256,
		_query: AccessQuery<AccountId>,
		_range: (u64, u64),
		_cursor: u32,
		_limit: u32,
	) -> Result<AccessPage<AccountId, BlockNumber>, String> {
		Ok(AccessPage { entries: Vec::new(), next_cursor: None })
	}

	fn validators(&self, _at: H256) -> Result<Vec<HospitalId>, String> {
		Ok(vec![HOSPITAL])
	}

	fn prescription(&self, _at: H256, id: RecordId) -> Result<Option<Prescription>, String> {
		Ok(self.with(|state| {
			state.prescriptions.get(&id).map(|(prescription, _)| prescription.clone())
		}))
	}

	fn fills(
		&self,
		_at: H256,
		id: RecordId,
		start: u32,
		limit: u32,
	) -> Result<Vec<Fill<BlockNumber>>, String> {
		Ok(self.with(|state| {
			let fills = state.prescriptions.get(&id).map(|(_, fills)| fills.clone());
			fills
				.unwrap_or_default()
				.into_iter()
				.skip(start as usize)
				.take(limit as usize)
				.collect()
		}))
	}

	fn check_fill(
		&self,
		_at: H256,
		id: RecordId,
		_pharmacy: HospitalId,
	) -> Result<Option<FillRefusal>, String> {
		Ok(self.with(|state| match state.prescriptions.get(&id) {
			None => Some(FillRefusal::RecordNotFound),
			Some((prescription, _)) => state
				.fill_refusals
				.get(&id)
				.copied()
				.or((prescription.fills_left() == 0).then_some(FillRefusal::NoFillsLeft)),
		}))
	}
}

/// A pool that keeps what it is given; a test reports each watched transaction's statuses
/// through [`RecordingPool::report`]. An accepted transaction waits in it until it is
/// reported dropped, invalid, usurped or timed out.
#[derive(Default)]
pub struct RecordingPool {
	/// Every transaction accepted, in order.
	pub accepted: Mutex<Vec<OpaqueExtrinsic>>,
	/// The next submission is refused with this reason.
	pub refuse_next: Mutex<Option<Refusal>>,
	/// The nonces of the accepted transactions that still wait.
	waiting: Mutex<std::collections::BTreeSet<Nonce>>,
	/// Each watched transaction's status channel and nonce.
	watchers: Mutex<Vec<(mpsc::UnboundedSender<Status>, Nonce)>>,
}

impl RecordingPool {
	/// The calls of the accepted transactions, in order.
	pub fn calls(&self) -> Vec<RuntimeCall> {
		self.accepted.lock().unwrap().iter().map(|opaque| decoded(opaque).function).collect()
	}

	/// The nonces of the accepted transactions, in order.
	pub fn nonces(&self) -> Vec<Nonce> {
		self.accepted.lock().unwrap().iter().map(nonce_of).collect()
	}

	/// How many transactions were submitted to be watched.
	pub fn watched(&self) -> usize {
		self.watchers.lock().unwrap().len()
	}

	/// Reports `status` for the `index`th watched transaction.
	pub fn report(&self, index: usize, status: Status) {
		let (watcher, nonce) = self.watchers.lock().unwrap()[index].clone();
		if matches!(
			status,
			Status::Dropped | Status::Invalid | Status::Usurped(_) | Status::FinalityTimeout(_)
		) {
			self.waiting.lock().unwrap().remove(&nonce);
		}
		watcher.unbounded_send(status).unwrap();
	}

	/// The transaction with `nonce` leaves the pool unreported (dropped, say).
	pub fn forget(&self, nonce: Nonce) {
		self.waiting.lock().unwrap().remove(&nonce);
	}

	fn accept(&self, extrinsic: OpaqueExtrinsic) -> Result<(H256, Nonce), Refusal> {
		if let Some(reason) = self.refuse_next.lock().unwrap().take() {
			return Err(reason);
		}
		let (hash, nonce) = (self.hash_of(&extrinsic), nonce_of(&extrinsic));
		self.waiting.lock().unwrap().insert(nonce);
		self.accepted.lock().unwrap().push(extrinsic);
		Ok((hash, nonce))
	}
}

/// `opaque` as the runtime's transaction.
fn decoded(opaque: &OpaqueExtrinsic) -> UncheckedExtrinsic {
	UncheckedExtrinsic::decode(&mut opaque.encode().as_slice()).unwrap()
}

/// The nonce of a signed transaction.
fn nonce_of(opaque: &OpaqueExtrinsic) -> Nonce {
	let extrinsic = decoded(opaque);
	let sp_runtime::generic::Preamble::Signed(_, _, extension) = extrinsic.preamble else {
		panic!("an unsigned transaction");
	};
	extension.6 .0
}

/// The spec version, of `candidates`, that the operator's signature on `opaque` is for (signed
/// on [`InMemoryChain`] as its state is by default).
pub fn spec_version_signed_for(opaque: &OpaqueExtrinsic, candidates: &[u32]) -> Option<u32> {
	use sp_runtime::traits::Verify;
	let extrinsic = decoded(opaque);
	let sp_runtime::generic::Preamble::Signed(sp_runtime::MultiAddress::Id(signer), signature, _) =
		extrinsic.preamble
	else {
		panic!("not signed by an account id");
	};
	let info = ChainInfo::default();
	let (era, birth) = medchain_runtime::transaction::mortal_era(info.finalized_number);
	let nonce = nonce_of(opaque);
	candidates.iter().copied().find(|spec| {
		let unsigned = medchain_runtime::transaction::UnsignedTransaction::new(
			extrinsic.function.clone(),
			nonce,
			era,
			block_hash(birth),
			info.genesis_hash,
			(*spec, medchain_runtime::VERSION.transaction_version),
		);
		signature.verify(unsigned.signing_bytes().as_slice(), &signer)
	})
}

impl Pool for RecordingPool {
	fn hash_of(&self, extrinsic: &OpaqueExtrinsic) -> H256 {
		sp_io::hashing::blake2_256(&extrinsic.encode()).into()
	}

	fn submit(
		&self,
		_at: H256,
		extrinsic: OpaqueExtrinsic,
	) -> BoxFuture<'_, Result<H256, Refusal>> {
		std::future::ready(self.accept(extrinsic).map(|(hash, _)| hash)).boxed()
	}

	fn submit_and_watch(
		&self,
		_at: H256,
		extrinsic: OpaqueExtrinsic,
	) -> BoxFuture<'_, Result<StatusStream, Refusal>> {
		let watched = self.accept(extrinsic).map(|(_, nonce)| {
			let (sender, receiver) = mpsc::unbounded();
			self.watchers.lock().unwrap().push((sender, nonce));
			receiver.boxed()
		});
		std::future::ready(watched).boxed()
	}

	/// Its transactions are all the operator's.
	fn nonces_held(&self, _account: &AccountId) -> std::collections::BTreeSet<Nonce> {
		self.waiting.lock().unwrap().clone()
	}
}

/// A network on which no custodian answers.
pub struct Unreachable;

impl ReleaseNetwork for Unreachable {
	fn request(&self, _peer: PeerId, _access: AccessId) -> BoxFuture<'_, Result<Vec<u8>, String>> {
		std::future::ready(Err("not connected".to_owned())).boxed()
	}

	fn connected_peers(&self) -> BoxFuture<'_, usize> {
		std::future::ready(0).boxed()
	}
}

/// A custodian of hospital [`HOSPITAL`] over `chain` and `pool`, its store in `dir`, and its
/// tasks (not started).
pub fn custodian(
	dir: &std::path::Path,
	chain: Arc<InMemoryChain>,
	pool: Arc<RecordingPool>,
) -> (Arc<Custodian>, Tasks) {
	let keystore = MemoryKeystore::new();
	let operator = keystore.sr25519_generate_new(OPERATOR_KEY_TYPE, Some("//Operator")).unwrap();
	chain.set_role(&operator.into(), HOSPITAL, HospitalRole::Operator);
	let paths = CustodianPaths {
		store: dir.join("store"),
		kek: medchain_store::kek::KekFile { path: dir.join("kek"), root: None },
		shared_reserve: 0,
		outbox_limit: medchain_store::DEFAULT_OUTBOX_LIMIT,
	};
	let services = Services {
		follower: crate::Follower::new(chain.clone()),
		chain,
		pool,
		keystore: Arc::new(keystore),
		network: Arc::new(Unreachable),
		metrics: crate::metrics::Metrics::new(None).unwrap(),
	};
	Custodian::open(paths, services).unwrap()
}

/// `event` of extrinsic `index`, as a block's events hold it.
pub fn applied(index: u32, event: medchain_runtime::RuntimeEvent) -> EventRecords {
	vec![frame_system::EventRecord {
		phase: frame_system::Phase::ApplyExtrinsic(index),
		event,
		topics: Vec::new(),
	}]
}

/// A patient pseudonym.
pub fn patient(seed: &str) -> AccountId {
	sr25519::Pair::from_string(&format!("//{seed}"), None).unwrap().public().into()
}
