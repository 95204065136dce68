//! App load for the drills: every hospital's app submits records to its own node until told to
//! stop, and afterwards each acknowledged record must be anchored exactly once; one hospital's
//! app keeps opening a record another shares.

use std::{
	collections::BTreeMap,
	sync::{
		atomic::{AtomicBool, Ordering},
		Arc, Mutex,
	},
	time::Duration,
};

use jsonrpsee::{core::ClientError, http_client::HttpClient};
use medchain_app_api::{
	auth::Role, AccessShared, ErrorCode, Hash32, MedchainApiClient, RecordId, RetryAccess,
	SharedFields,
};
use medchain_runtime::local_network::LOCAL_HOSPITALS;
use sp_keyring::Sr25519Keyring;

use crate::{
	anchors::wait_anchored_once,
	custodian::{
		grant_record, logged_access_id, register_patient, vital_signs, wait_custodian_finalized,
	},
	network::{LocalNetwork, A, ALL, HOSPITAL_B},
};

/// Each hospital's patient, registered by that hospital ([`register_patients`]).
pub const PATIENTS: [Sr25519Keyring; 4] =
	[Sr25519Keyring::Eve, Sr25519Keyring::Ferdie, Sr25519Keyring::One, Sr25519Keyring::Two];
/// Records per call, and the pause between one hospital's calls.
const RECORDS_PER_CALL: usize = 5;
const PAUSE_BETWEEN_CALLS: Duration = Duration::from_millis(250);

/// What the hospitals acknowledged: client request id → (hospital index, record id, root).
pub type Acked = BTreeMap<String, (usize, RecordId, Hash32)>;

/// Registers each hospital's patient of [`PATIENTS`], once finalized.
pub async fn register_patients(chain: &crate::client::Chain) -> crate::Result<()> {
	for (hospital, patient) in PATIENTS.into_iter().enumerate() {
		register_patient(chain, LOCAL_HOSPITALS[hospital].operator, patient).await?;
	}
	Ok(())
}

/// One app writer per hospital, each submitting records to its own node.
pub struct Writers {
	acked: Arc<Mutex<Acked>>,
	/// The calls a node refused or did not answer (while it is down, say).
	failures: Arc<Mutex<Vec<String>>>,
	stop: Arc<AtomicBool>,
	tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Writers {
	/// Starts a writer for each of the four hospitals of `net`.
	pub fn start(net: &LocalNetwork) -> crate::Result<Self> {
		let acked = Arc::new(Mutex::new(Acked::new()));
		let failures = Arc::new(Mutex::new(Vec::new()));
		let stop = Arc::new(AtomicBool::new(false));
		let mut tasks = Vec::new();
		for hospital in ALL {
			let app = net.nodes[hospital].app_rpc(Role::App)?;
			let (acked, failures, stop) = (acked.clone(), failures.clone(), stop.clone());
			tasks.push(tokio::spawn(write(app, hospital, acked, failures, stop)));
		}
		Ok(Self { acked, failures, stop, tasks })
	}

	/// How many records `hospital` has acknowledged so far.
	pub fn acknowledged_by(&self, hospital: usize) -> usize {
		let acked = self.acked.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
		acked.values().filter(|(h, ..)| *h == hospital).count()
	}

	/// The calls refused or unanswered so far, each as `hospital: error`.
	pub fn failures(&self) -> Vec<String> {
		self.failures.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
	}

	/// Stops the writers and returns what the hospitals acknowledged.
	pub async fn stop(self) -> crate::Result<Acked> {
		self.stop.store(true, Ordering::Relaxed);
		for task in self.tasks {
			task.await.map_err(|error| error.to_string())?;
		}
		let acked = self.acked.lock().map_err(|error| error.to_string())?.clone();
		for hospital in ALL {
			let count = acked.values().filter(|(h, ..)| *h == hospital).count();
			println!("hospital {hospital}: {count} records acknowledged");
		}
		Ok(acked)
	}
}

/// Submits records to `hospital`'s node until `stop` is set; a call the node refuses or does not
/// answer (it is down) is noted in `failures`, and the next call has new ids.
async fn write(
	app: HttpClient,
	hospital: usize,
	acked: Arc<Mutex<Acked>>,
	failures: Arc<Mutex<Vec<String>>>,
	stop: Arc<AtomicBool>,
) {
	let mut call = 0;
	while !stop.load(Ordering::Relaxed) {
		let ids: Vec<String> =
			(0..RECORDS_PER_CALL).map(|i| format!("h{hospital}-{call}-{i}")).collect();
		call += 1;
		let records = ids.iter().map(|id| vital_signs(PATIENTS[hospital], id)).collect();
		match app.submit_records(records).await {
			Ok(submitted) => {
				let mut acked = acked.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
				for (id, submitted) in ids.into_iter().zip(submitted) {
					acked.insert(id, (hospital, submitted.record_id, submitted.field_root));
				}
			}
			Err(error) => failures
				.lock()
				.unwrap_or_else(|poisoned| poisoned.into_inner())
				.push(format!("{hospital}: {error}")),
		}
		tokio::time::sleep(PAUSE_BETWEEN_CALLS).await;
	}
}

/// Hospital A stores a record of its patient and shares it with Hospital B, under a grant per
/// token of `tokens` (one per reader): the record, once its custodian reports it finalized, and
/// the tokens.
pub async fn share_a_record_with_b(
	net: &LocalNetwork,
	tokens: usize,
	timeout: Duration,
) -> crate::Result<(RecordId, Vec<String>)> {
	let (chain, app_a) = (net.nodes[A].chain()?, net.nodes[A].app_rpc(Role::App)?);
	let shared = app_a.submit_records(vec![vital_signs(PATIENTS[A], "shared")]).await;
	let shared = shared.map_err(|error| error.to_string())?;
	let record_id = shared.first().ok_or("no record")?.record_id;
	wait_custodian_finalized(&app_a, &[record_id], timeout).await?;
	let mut granted = Vec::new();
	for _ in 0..tokens {
		let (token, _) = grant_record(&chain, PATIENTS[A], record_id.0, HOSPITAL_B, 10_000).await?;
		granted.push(token.as_str().to_owned());
	}
	Ok((record_id, granted))
}

/// Readers at one hospital's app, each opening one shared record with its own token, over and
/// over until stopped (the node would take turns with one token: the readers would not run at
/// once).
pub struct Readers {
	reads: Arc<Mutex<Reads>>,
	stop: Arc<AtomicBool>,
	tasks: Vec<tokio::task::JoinHandle<()>>,
}

/// What the readers saw.
#[derive(Clone, Default)]
pub struct Reads {
	/// How long each access that opened the record took, retries included.
	pub opened: Vec<Duration>,
	/// How many of those were logged but not opened at first (`NotFinalYet`,
	/// `CustodianUnavailable`) and opened with `retryAccess`.
	pub retried: usize,
	/// How many accesses were in no block within the node's wait (`NotFinalYet` with no
	/// `accessId`: the transaction stays in the pool) and were opened again later, as the docs
	/// tell an app to, with the replay of a pending use's count that may follow.
	pub reopened: usize,
	/// Every failed access, with its error.
	pub failures: Vec<String>,
}

/// How long a reader retries an access that was logged but not opened: as long as the drills
/// wait for finality to resume (`slow_link`'s bad link stalled it past 120 s in CI of
/// `4d991ef`, and two logged accesses were then counted failed, not late).
const RETRY_FOR: Duration = Duration::from_secs(300);
/// The errors of an access logged but not opened (yet), which `retryAccess` may open.
const RETRIED: [ErrorCode; 2] = [ErrorCode::NotFinalYet, ErrorCode::CustodianUnavailable];

fn retried(code: i32) -> bool {
	RETRIED.iter().any(|retried| retried.code() == code)
}

impl Readers {
	/// A reader at `app` for each of `tokens`, opening `record_id`.
	pub fn start(app: &HttpClient, tokens: &[String], record_id: RecordId) -> Self {
		let (reads, stop) =
			(Arc::new(Mutex::new(Reads::default())), Arc::new(AtomicBool::new(false)));
		let tasks = tokens
			.iter()
			.map(|token| {
				let (app, reads, stop) = (app.clone(), reads.clone(), stop.clone());
				tokio::spawn(read(app, token.clone(), record_id, reads, stop))
			})
			.collect();
		Self { reads, stop, tasks }
	}

	/// How many accesses opened the record so far.
	pub fn opened(&self) -> usize {
		self.reads.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).opened.len()
	}

	/// Stops the readers and returns what they saw.
	pub async fn stop(self) -> crate::Result<Reads> {
		self.stop.store(true, Ordering::Relaxed);
		for task in self.tasks {
			task.await.map_err(|error| error.to_string())?;
		}
		let reads = self.reads.lock().map_err(|error| error.to_string())?;
		Ok(reads.clone())
	}
}

/// How long a reader waits before opening again an access still in no block: "do not send it
/// again at once".
const REOPEN_AFTER: Duration = Duration::from_secs(5);

/// Whether `error` says the access's transaction is in no block yet (it stays in the pool).
fn in_no_block(error: &jsonrpsee::types::ErrorObjectOwned) -> bool {
	error.code() == ErrorCode::NotFinalYet.code() && logged_access_id(error).is_none()
}

/// Whether `error` is the chain's refusal of a use whose count a pending use signed too.
fn replayed(error: &jsonrpsee::types::ErrorObjectOwned) -> bool {
	error.code() == ErrorCode::AccessRefused.code() && error.message().contains("SignatureReplayed")
}

/// Opens `record_id` with `token` at `app` until `stop` is set. An access logged but not opened
/// (in a block not final within the node's wait, or the custodian's answer lost on the way:
/// an error with the `accessId`) is retried with `retryAccess`, as an app does. One in no block
/// yet is opened again after [`REOPEN_AFTER`]; the pending use may then take the count the next
/// one signed (`SignatureReplayed`), and that one is opened again too.
async fn read(
	app: HttpClient,
	token: String,
	record_id: RecordId,
	reads: Arc<Mutex<Reads>>,
	stop: Arc<AtomicBool>,
) {
	let mut pending_use = false;
	while !stop.load(Ordering::Relaxed) {
		let request =
			AccessShared { share_token: token.clone(), record_id, purpose: "TREAT".into() };
		let started = std::time::Instant::now();
		let mut outcome = app.access_shared(request).await;
		let logged = match &outcome {
			Err(ClientError::Call(error)) if retried(error.code()) => logged_access_id(error),
			_ => None,
		};
		if let Some(access_id) = logged {
			let request = RetryAccess { share_token: token.clone(), access_id };
			outcome = retry_until_final(&app, request).await;
		}
		if let Err(ClientError::Call(error)) = &outcome {
			if in_no_block(error) || (pending_use && replayed(error)) {
				pending_use = true;
				reads.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).reopened += 1;
				tokio::time::sleep(REOPEN_AFTER).await;
				continue;
			}
		}
		pending_use = false;
		let mut reads = reads.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
		reads.retried += usize::from(logged.is_some() && outcome.is_ok());
		match outcome {
			Ok(shared) if !shared.fields.is_empty() => reads.opened.push(started.elapsed()),
			Ok(_) => reads.failures.push("an access with no fields".into()),
			Err(ClientError::Call(error)) => {
				reads.failures.push(format!("{} {}", error.code(), error.message()))
			}
			Err(error) => reads.failures.push(error.to_string()),
		}
	}
}

/// `retryAccess` with `request` until it answers otherwise than [`RETRIED`], for [`RETRY_FOR`]
/// at most.
async fn retry_until_final(
	app: &HttpClient,
	request: RetryAccess,
) -> Result<SharedFields, ClientError> {
	let deadline = std::time::Instant::now() + RETRY_FOR;
	loop {
		let outcome = app.retry_access(request.clone()).await;
		match &outcome {
			Err(ClientError::Call(error))
				if retried(error.code()) && std::time::Instant::now() < deadline =>
			{
				tokio::time::sleep(Duration::from_secs(1)).await
			}
			_ => return outcome,
		}
	}
}

/// Checks that every record of `acked` reaches a block finalized from `first_block` on exactly
/// once, by its custodian, with the root it was acknowledged with, and that its custodian
/// reports it finalized; `timeout` for each wait.
pub async fn check_anchored_once(
	net: &LocalNetwork,
	acked: &Acked,
	first_block: u32,
	timeout: Duration,
) -> crate::Result<()> {
	let chain = net.nodes[0].chain()?;
	let expected = acked.values().map(|(_, id, root)| (id.0, root.0)).collect();
	let anchored = wait_anchored_once(&chain, first_block, &expected, timeout)
		.await
		.map_err(|error| net.with_log_tails(error))?;
	for (request, (hospital, id, _)) in acked {
		let custodian = anchored[&id.0].custodian;
		if Ok(custodian) != u32::try_from(*hospital) {
			return Err(format!("record {request}: anchored by {custodian}, not {hospital}"));
		}
	}
	for hospital in ALL {
		let ids: Vec<RecordId> =
			acked.values().filter(|(h, ..)| *h == hospital).map(|(_, id, _)| *id).collect();
		let app = net.nodes[hospital].app_rpc(Role::App)?;
		wait_custodian_finalized(&app, &ids, timeout).await?;
	}
	Ok(())
}
