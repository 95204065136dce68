//! bench-access: how long `medchain_accessShared` takes, from the call to verified fields, with
//! 1, 8 and 32 requesters at once, beside the block time and the finality lag measured in the
//! same run (issue 26). `scripts/bench-access.sh` runs it. Figures only; never a test.
//!
//! `bench-access [--accesses-per-level N] [--levels 1,8,32]`: on its own four-hospital network,
//! Hospital A keeps a DIAGNOSIS record of each of four patients. A grant serves one access at a
//! time (the use count the token signs must match at dispatch), so every requester has a grant
//! of its own, to its hospital, without a use limit: requester `i` reads at Hospital B, C or D
//! (`i` mod 3) the record of patient `i` mod 4. A level of N requesters runs the first N, started
//! staggered over one slot, each making its accesses back to back (the next one a slot after
//! an error, which is counted and printed). Accesses per level: `--accesses-per-level` for every
//! level, or by default 60 with one requester and 30 per requester above that.
//!
//! Hospital B's node reports every new best block and every finalized head over a WebSocket
//! (`chain_subscribeNewHeads`, `chain_subscribeFinalizedHeads`): the block time, the empty slots
//! and the finality lag come from their arrival times. The slot duration is read from the chain.

use std::{
	collections::BTreeMap,
	time::{Duration, Instant},
};

use codec::Decode;
use futures::channel::oneshot;
use jsonrpsee::{
	core::client::{Subscription, SubscriptionClientT},
	http_client::HttpClient,
	rpc_params,
	ws_client::{WsClient, WsClientBuilder},
};
use medchain_app_api::{
	auth::Role,
	types::{AnchorStatus, SubmitRecord},
	AccessShared, MedchainApiClient, RecordId,
};
use medchain_primitives::shares::{FieldSelection, GrantTerms, PurposeOfUse, TokenKey};
use medchain_runtime::{Header, Runtime, RuntimeCall};
use medchain_tests::{
	client::{rpc::wait_until, runtime_api, tx, Chain},
	custodian::{pseudonym_of, register_patient},
	network::{LocalNetwork, A, ALL, B, C, D, FIRST_FINALITY, HOSPITAL_B, HOSPITAL_C, HOSPITAL_D},
	Result,
};
use medchain_token::ShareToken;
use serde_json::json;
use sp_keyring::Sr25519Keyring;
use sp_runtime::{BoundedVec, DigestItem};

const USAGE: &str = "bench-access [--accesses-per-level N] [--levels 1,8,32]";
const DEFAULT_LEVELS: [usize; 3] = [1, 8, 32];
/// Accesses of a level with one requester, by default.
const DEFAULT_ACCESSES_ALONE: usize = 60;
/// Accesses per requester of a level with more, by default.
const DEFAULT_ACCESSES_PER_REQUESTER: usize = 30;

/// Hospital A's patients whose records are shared (dev accounts that are no hospital's).
const PATIENTS: [Sr25519Keyring; 4] =
	[Sr25519Keyring::Ferdie, Sr25519Keyring::Eve, Sr25519Keyring::One, Sr25519Keyring::Two];
/// The requesting hospitals, in turn: node index, hospital id, name.
const REQUESTING: [(usize, u32, &str); 3] =
	[(B, HOSPITAL_B, "B"), (C, HOSPITAL_C, "C"), (D, HOSPITAL_D, "D")];

/// How long a grant lasts: longer than any run.
const GRANT_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);
/// How long the records' anchors, and then the grants, may take to be final.
const SETUP_FINALITY: Duration = Duration::from_secs(180);
/// How long to wait after the last level for its blocks' finality.
const SETTLE: Duration = Duration::from_secs(60);
/// Errors printed in full per level; the rest are counted.
const ERRORS_SHOWN: usize = 50;

/// Runs it; `args`: `[--accesses-per-level N] [--levels 1,8,32]`.
pub async fn run(args: &[String]) -> Result<()> {
	let options = Options::parse(args)?;
	let most = options.most_requesters();
	let setup = Instant::now();
	let net = LocalNetwork::start_custodians()?;
	net.wait_finalized(&ALL, 1, FIRST_FINALITY).await?;
	let chain_a = net.nodes[A].chain()?;
	let slot_millis = chain_a.call(runtime_api::SLOT_DURATION, (), None).await?;
	let slot = Duration::from_millis(slot_millis);

	for patient in PATIENTS {
		register_patient(&chain_a, Sr25519Keyring::AliceStash, patient).await?;
	}
	let records = anchor_records(&net.nodes[A].app_rpc(Role::App)?).await?;
	let shares: Vec<Share> = (0..most)
		.map(|index| {
			let (patient, record) = records[index % records.len()];
			let requester = REQUESTING[index % REQUESTING.len()];
			Share { patient, record, requester, token: ShareToken::generate() }
		})
		.collect();
	create_grants(&chain_a, &shares, grant_duration(slot_millis)?).await?;
	wait_grants_final(&net, &shares).await?;
	let requesters = shares
		.iter()
		.enumerate()
		.map(|(number, share)| {
			let (node, _, hospital) = share.requester;
			Ok(Requester {
				number,
				hospital,
				app: net.nodes[node].app_rpc(Role::App)?,
				request: AccessShared {
					share_token: share.token.as_str().to_owned(),
					record_id: share.record,
					purpose: "TREAT".into(),
				},
			})
		})
		.collect::<Result<Vec<_>>>()?;
	println!(
		"bench-access: medchain_accessShared, call → verified fields. Hospital A keeps a \
		 DIAGNOSIS record of each of {} patients; {most} requesters, in turn at Hospitals B, C \
		 and D, each with a grant of its own; slot {:.2} s (AuraApi_slot_duration); set up in \
		 {:.0} s.",
		PATIENTS.len(),
		slot.as_secs_f64(),
		setup.elapsed().as_secs_f64(),
	);

	let clock = Instant::now();
	let follower = ChainFollower::start(net.nodes[B].rpc_port, clock).await?;
	let mut levels = Vec::with_capacity(options.levels.len());
	for &count in &options.levels {
		let at_level = requesters.get(..count).ok_or("fewer requesters than the level")?;
		let level = run_level(at_level, options.accesses(count), slot, clock).await;
		println!(
			"{} requesters: {} verified accesses and {} errors in {:.1} s",
			level.requesters,
			level.latencies.len(),
			level.errors.len(),
			level.wall.as_secs_f64(),
		);
		levels.push(level);
	}
	if let Err(error) = wait_best_final(&net.nodes[B].chain()?).await {
		println!("note: {error}");
	}
	let log = follower.finish().await?;
	print_report(&levels, &log, slot);
	Ok(())
}

/// The command line: the levels, in the order they run, and the accesses of each.
struct Options {
	levels: Vec<usize>,
	accesses_per_level: Option<usize>,
}

impl Options {
	fn parse(args: &[String]) -> Result<Self> {
		let mut levels = DEFAULT_LEVELS.to_vec();
		let mut accesses_per_level = None;
		let mut args = args.iter();
		while let Some(flag) = args.next() {
			match flag.as_str() {
				"--levels" => levels = parse_levels(value_of(flag, args.next())?)?,
				"--accesses-per-level" => {
					let value = value_of(flag, args.next())?;
					let count = value
						.parse::<usize>()
						.map_err(|error| format!("{flag} {value}: {error}"))?;
					accesses_per_level = Some(count);
				}
				_ => return Err(format!("unknown argument {flag:?}: {USAGE}")),
			}
		}
		let options = Self { levels, accesses_per_level };
		let allowed = most_requesters_allowed();
		for &level in &options.levels {
			if level == 0 || level > allowed {
				return Err(format!(
					"--levels: {level} requesters; from 1 to {allowed} (a grant each, at most {} \
					 per patient, {} patients)",
					allowed / PATIENTS.len(),
					PATIENTS.len(),
				));
			}
			let accesses = options.accesses(level);
			if accesses < level {
				return Err(format!(
					"{accesses} accesses for {level} requesters: at least one each"
				));
			}
		}
		Ok(options)
	}

	/// The accesses of a level of `requesters`.
	fn accesses(&self, requesters: usize) -> usize {
		let default = (DEFAULT_ACCESSES_PER_REQUESTER * requesters).max(DEFAULT_ACCESSES_ALONE);
		self.accesses_per_level.unwrap_or(default)
	}

	/// The requesters of the largest level: one grant each.
	fn most_requesters(&self) -> usize {
		self.levels.iter().copied().max().unwrap_or(1)
	}
}

fn value_of<'a>(flag: &str, value: Option<&'a String>) -> Result<&'a str> {
	value.map(String::as_str).ok_or_else(|| format!("{flag} needs a value: {USAGE}"))
}

fn parse_levels(value: &str) -> Result<Vec<usize>> {
	value
		.split(',')
		.map(|level| {
			level.trim().parse::<usize>().map_err(|error| format!("--levels {value}: {error}"))
		})
		.collect()
}

/// Grants the patients may hold at once, together: one per requester.
fn most_requesters_allowed() -> usize {
	<Runtime as pallet_shares::Config>::MaxGrantsPerPatient::get() as usize * PATIENTS.len()
}

/// A grant's duration in blocks: [`GRANT_LIFETIME`] at the chain's slot duration.
fn grant_duration(slot_millis: u64) -> Result<u32> {
	let blocks = GRANT_LIFETIME.as_millis() / u128::from(slot_millis.max(1));
	u32::try_from(blocks).map_err(|error| format!("a grant of {blocks} blocks: {error}"))
}

fn diagnosis(patient: Sr25519Keyring, index: usize) -> SubmitRecord {
	SubmitRecord {
		client_request_id: format!("bench-access-{index}"),
		patient: pseudonym_of(patient),
		record_type: "DIAGNOSIS".into(),
		fields: json!({ "diagnosis": "influenza A", "doctor": "Dr A", "date": "2026-11-30" })
			.as_object()
			.cloned()
			.unwrap_or_default(),
	}
}

/// Stores a DIAGNOSIS record of each patient at Hospital A (`app`), and waits for their anchors'
/// finality; each patient with their record's id.
async fn anchor_records(app: &HttpClient) -> Result<Vec<(Sr25519Keyring, RecordId)>> {
	let records: Vec<SubmitRecord> =
		PATIENTS.iter().enumerate().map(|(index, patient)| diagnosis(*patient, index)).collect();
	let submitted = app.submit_records(records).await.map_err(|error| error.to_string())?;
	let ids: Vec<RecordId> = submitted.iter().map(|record| record.record_id).collect();
	let pending = &ids;
	wait_until("the records' anchors to be final", SETUP_FINALITY, || async move {
		for id in pending {
			let status = app.record_status(*id).await.map_err(|error| error.to_string())?;
			match status.status {
				AnchorStatus::Finalized => {}
				AnchorStatus::Failed => {
					return Err(format!("an anchor failed: {:?}", status.reason))
				}
				_ => return Ok(None),
			}
		}
		Ok(Some(()))
	})
	.await?;
	Ok(PATIENTS.into_iter().zip(ids).collect())
}

/// One requester's grant: whose record, for which hospital, under which token.
struct Share {
	patient: Sr25519Keyring,
	record: RecordId,
	/// Node index, hospital id and name of the requesting hospital.
	requester: (usize, u32, &'static str),
	token: ShareToken,
}

fn grant_call(share: &Share, duration: u32) -> RuntimeCall {
	let terms = GrantTerms {
		records: BoundedVec::truncate_from(vec![share.record.0]),
		fields: FieldSelection::AllButNotes,
		grantee: Some(share.requester.1),
		duration,
		max_uses: None,
		purpose: PurposeOfUse::Treatment,
		token_key: share.token.public_key(),
	};
	RuntimeCall::Shares(pallet_shares::Call::create_grant { terms })
}

/// Creates every share's grant, signed by its patient. Grants of all of Hospital A's patients
/// count against one limit per block (`MaxNewSharesPerHospitalPerBlock`), so at most that many
/// patients sign at once, each one grant per block (the next once the last is in a block).
async fn create_grants(chain: &Chain, shares: &[Share], duration: u32) -> Result<()> {
	let at_once = (<Runtime as pallet_shares::Config>::MaxNewSharesPerHospitalPerBlock::get()
		as usize)
		.max(1);
	for patients in PATIENTS.chunks(at_once) {
		let signing = patients.iter().map(|patient| async move {
			for share in shares.iter().filter(|share| share.patient == *patient) {
				let call = grant_call(share, duration);
				tx::submit_and_follow(chain, &patient.pair(), call, tx::Head::Best)
					.await?
					.succeeded()?;
			}
			Ok::<(), String>(())
		});
		futures::future::try_join_all(signing).await?;
	}
	Ok(())
}

/// Waits until each requesting hospital's node has finalized the grants of its requesters.
async fn wait_grants_final(net: &LocalNetwork, shares: &[Share]) -> Result<()> {
	for (node, _, hospital) in REQUESTING {
		let chain = net.nodes[node].chain()?;
		let keys: Vec<TokenKey> = shares
			.iter()
			.filter(|share| share.requester.0 == node)
			.map(|share| share.token.public_key())
			.collect();
		let (chain, keys) = (&chain, &keys);
		let what = format!("Hospital {hospital}'s node to finalize its requesters' grants");
		wait_until(&what, SETUP_FINALITY, || async move {
			let (finalized, _) = chain.finalized_head().await?;
			for key in keys {
				if chain.call(runtime_api::GRANT_BY_TOKEN, *key, Some(finalized)).await?.is_none() {
					return Ok(None);
				}
			}
			Ok(Some(()))
		})
		.await?;
	}
	Ok(())
}

/// Waits until `chain`'s node has finalized the block that is best now.
async fn wait_best_final(chain: &Chain) -> Result<()> {
	let best = chain.best_number().await?;
	wait_until("the last level's blocks to be final", SETTLE, || async move {
		Ok((chain.finalized_number().await? >= best).then_some(()))
	})
	.await
}

/// A clinician's app at Hospital B, C or D, with the token of its own grant.
struct Requester {
	number: usize,
	hospital: &'static str,
	app: HttpClient,
	request: AccessShared,
}

impl Requester {
	/// Waits `offset`, then makes `accesses` accesses back to back, pausing `pause` after an
	/// error. Each access: its seconds, and why it failed if it did.
	async fn access_back_to_back(
		&self,
		accesses: usize,
		offset: Duration,
		pause: Duration,
	) -> Vec<(f64, Result<()>)> {
		tokio::time::sleep(offset).await;
		let mut outcomes = Vec::with_capacity(accesses);
		for _ in 0..accesses {
			let started = Instant::now();
			let answer = self.app.access_shared(self.request.clone()).await;
			let seconds = started.elapsed().as_secs_f64();
			let outcome = match answer {
				Ok(shared) if shared.record_id != self.request.record_id => {
					Err("the answer is another record's".to_owned())
				}
				Ok(shared) if shared.fields.is_empty() => {
					Err("the answer has no fields".to_owned())
				}
				Ok(_) => Ok(()),
				Err(error) => Err(error.to_string()),
			};
			let failed = outcome.is_err();
			outcomes.push((seconds, outcome));
			if failed {
				tokio::time::sleep(pause).await;
			}
		}
		outcomes
	}
}

/// One level's accesses.
struct Level {
	requesters: usize,
	/// Seconds from the call to verified fields of each access that succeeded, ascending.
	latencies: Vec<f64>,
	errors: Vec<AccessError>,
	/// From the level's start to its last access's answer.
	wall: Duration,
	/// When the level ran, on the chain follower's clock.
	from: Duration,
	to: Duration,
}

struct AccessError {
	requester: usize,
	hospital: &'static str,
	seconds: f64,
	message: String,
}

/// Runs `accesses` accesses, shared out among `requesters`, which start staggered over one
/// `slot` so that they are not in step.
async fn run_level(
	requesters: &[Requester],
	accesses: usize,
	slot: Duration,
	clock: Instant,
) -> Level {
	let count = requesters.len().max(1);
	let from = clock.elapsed();
	let started = Instant::now();
	let runs = requesters.iter().enumerate().map(|(index, requester)| {
		let share = accesses / count + usize::from(index < accesses % count);
		let offset = slot.mul_f64(index as f64 / count as f64);
		requester.access_back_to_back(share, offset, slot)
	});
	let outcomes = futures::future::join_all(runs).await;
	let wall = started.elapsed();
	let to = clock.elapsed();
	let mut latencies = Vec::new();
	let mut errors = Vec::new();
	for (requester, outcomes) in requesters.iter().zip(outcomes) {
		for (seconds, outcome) in outcomes {
			match outcome {
				Ok(()) => latencies.push(seconds),
				Err(message) => errors.push(AccessError {
					requester: requester.number,
					hospital: requester.hospital,
					seconds,
					message,
				}),
			}
		}
	}
	latencies.sort_by(f64::total_cmp);
	Level { requesters: requesters.len(), latencies, errors, wall, from, to }
}

/// A block's number and Aura slot as a subscription announced it, and when it arrived.
#[derive(Clone, Copy)]
struct Arrival {
	at: Duration,
	number: u32,
	slot: Option<u64>,
}

fn arrival(header: &Header, clock: Instant) -> Arrival {
	let at = clock.elapsed();
	let slot = header.digest.logs.iter().find_map(|item| match item {
		DigestItem::PreRuntime(engine, data) if *engine == *b"aura" => {
			u64::decode(&mut &data[..]).ok()
		}
		_ => None,
	});
	Arrival { at, number: header.number, slot }
}

/// What the chain follower saw. The first arrival of each list is the head the node had when
/// the subscription opened, not a new block.
#[derive(Default)]
struct ChainLog {
	best: Vec<Arrival>,
	finalized: Vec<Arrival>,
	/// Why a subscription ended early, if one did.
	failure: Option<String>,
}

#[derive(Clone, Copy)]
enum HeadKind {
	Best,
	Finalized,
}

/// The chain while a level ran.
struct ChainFigures {
	/// Blocks between the first and the last new best block of the window.
	blocks: u32,
	block_time: Option<f64>,
	/// Slots between those two blocks in which no block arrived.
	empty_slots: Option<u64>,
	/// Best − finalized, averaged over time.
	mean_lag_blocks: Option<f64>,
	/// Seconds from each block's arrival as best to the finalized head that covers it,
	/// ascending.
	finality: Vec<f64>,
}

impl ChainLog {
	/// The figures of the new blocks that arrived between `from` and `to`.
	fn figures(&self, from: Duration, to: Duration) -> ChainFigures {
		// The last block to arrive at each height: after a reorg, the one that stayed.
		let mut by_height = BTreeMap::new();
		for head in self.best.iter().skip(1) {
			by_height.insert(head.number, *head);
		}
		let window = from..=to;
		let blocks: Vec<Arrival> =
			by_height.into_values().filter(|block| window.contains(&block.at)).collect();
		let (mut count, mut block_time, mut empty_slots) = (0, None, None);
		if let (Some(first), Some(last)) = (blocks.first(), blocks.last()) {
			count = last.number.saturating_sub(first.number);
			if count > 0 {
				let seconds = last.at.saturating_sub(first.at).as_secs_f64();
				block_time = Some(seconds / f64::from(count));
				empty_slots = last.slot.zip(first.slot).map(|(last, first)| {
					last.saturating_sub(first).saturating_sub(u64::from(count))
				});
			}
		}
		// Finality only moves forward: the first finalized head at or above a block's height is
		// the one that finalized it.
		let mut finality: Vec<f64> = blocks
			.iter()
			.filter_map(|block| {
				let index = self.finalized.partition_point(|head| head.number < block.number);
				self.finalized.get(index).map(|head| head.at.saturating_sub(block.at).as_secs_f64())
			})
			.collect();
		finality.sort_by(f64::total_cmp);
		ChainFigures {
			blocks: count,
			block_time,
			empty_slots,
			mean_lag_blocks: self.mean_lag(from, to),
			finality,
		}
	}

	/// Best − finalized between `from` and `to`, averaged over time.
	fn mean_lag(&self, from: Duration, to: Duration) -> Option<f64> {
		let mut heads: Vec<(Duration, HeadKind, u32)> = self
			.best
			.iter()
			.map(|head| (head.at, HeadKind::Best, head.number))
			.chain(self.finalized.iter().map(|head| (head.at, HeadKind::Finalized, head.number)))
			.collect();
		heads.sort_by_key(|(at, _, _)| *at);
		let (mut best, mut finalized) = (None, None);
		let mut lag = LagIntegral::default();
		let mut cursor = from;
		for (at, kind, number) in heads {
			if at > to {
				break;
			}
			if at > cursor {
				lag.add(best, finalized, at - cursor);
				cursor = at;
			}
			match kind {
				HeadKind::Best => best = Some(number),
				HeadKind::Finalized => finalized = Some(number),
			}
		}
		if to > cursor {
			lag.add(best, finalized, to - cursor);
		}
		lag.mean()
	}
}

/// Best − finalized integrated over the time both were known.
#[derive(Default)]
struct LagIntegral {
	block_seconds: f64,
	seconds: f64,
}

impl LagIntegral {
	fn add(&mut self, best: Option<u32>, finalized: Option<u32>, span: Duration) {
		if let (Some(best), Some(finalized)) = (best, finalized) {
			let span = span.as_secs_f64();
			self.block_seconds += f64::from(best.saturating_sub(finalized)) * span;
			self.seconds += span;
		}
	}

	fn mean(&self) -> Option<f64> {
		(self.seconds > 0.0).then_some(self.block_seconds / self.seconds)
	}
}

/// Records a node's new best and finalized heads, with their arrival times, until finished.
struct ChainFollower {
	stop: oneshot::Sender<()>,
	task: tokio::task::JoinHandle<ChainLog>,
}

impl ChainFollower {
	/// Subscribes to the node whose RPC port is `rpc_port`; arrival times count from `clock`.
	async fn start(rpc_port: u16, clock: Instant) -> Result<Self> {
		let url = format!("ws://127.0.0.1:{rpc_port}");
		let client = WsClientBuilder::default()
			.build(url.as_str())
			.await
			.map_err(|error| format!("connecting to {url}: {error}"))?;
		let new_heads: Subscription<Header> = client
			.subscribe("chain_subscribeNewHeads", rpc_params![], "chain_unsubscribeNewHeads")
			.await
			.map_err(|error| format!("chain_subscribeNewHeads: {error}"))?;
		let finalized_heads: Subscription<Header> = client
			.subscribe(
				"chain_subscribeFinalizedHeads",
				rpc_params![],
				"chain_unsubscribeFinalizedHeads",
			)
			.await
			.map_err(|error| format!("chain_subscribeFinalizedHeads: {error}"))?;
		let (stop, stopped) = oneshot::channel();
		let task = tokio::spawn(follow(client, new_heads, finalized_heads, stopped, clock));
		Ok(Self { stop, task })
	}

	/// Stops following; what it saw.
	async fn finish(self) -> Result<ChainLog> {
		// The follower may have ended already, with nobody left to receive this.
		let _ = self.stop.send(());
		self.task.await.map_err(|error| format!("the chain follower: {error}"))
	}
}

/// Reads both subscriptions into a [`ChainLog`] until `stopped`; `_client` keeps them open.
async fn follow(
	_client: WsClient,
	mut new_heads: Subscription<Header>,
	mut finalized_heads: Subscription<Header>,
	mut stopped: oneshot::Receiver<()>,
	clock: Instant,
) -> ChainLog {
	let mut log = ChainLog::default();
	while log.failure.is_none() {
		tokio::select! {
			_ = &mut stopped => break,
			head = new_heads.next() => match head {
				Some(Ok(header)) => log.best.push(arrival(&header, clock)),
				Some(Err(error)) => log.failure = Some(format!("a new head: {error}")),
				None => log.failure = Some("chain_subscribeNewHeads ended".into()),
			},
			head = finalized_heads.next() => match head {
				Some(Ok(header)) => log.finalized.push(arrival(&header, clock)),
				Some(Err(error)) => log.failure = Some(format!("a finalized head: {error}")),
				None => log.failure = Some("chain_subscribeFinalizedHeads ended".into()),
			},
		}
	}
	log
}

/// The `p`th percentile of `sorted` (nearest rank), if it has any value.
fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
	let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
	sorted.get(rank.saturating_sub(1)).copied()
}

/// `value` with two decimals, or a dash.
fn two_places(value: Option<f64>) -> String {
	value.map_or_else(|| "–".to_owned(), |value| format!("{value:.2}"))
}

fn print_report(levels: &[Level], log: &ChainLog, slot: Duration) {
	println!();
	println!(
		"Access latency in seconds, from the call to verified fields (accesses: verified ones; \
		 accesses/s: over the level's wall time):"
	);
	println!();
	println!("| requesters | accesses | errors | p50 | p95 | p99 | min | max | accesses/s |");
	println!("|---|---|---|---|---|---|---|---|---|");
	for level in levels {
		let latencies = &level.latencies;
		println!(
			"| {} | {} | {} | {} | {} | {} | {} | {} | {:.2} |",
			level.requesters,
			latencies.len(),
			level.errors.len(),
			two_places(percentile(latencies, 50.0)),
			two_places(percentile(latencies, 95.0)),
			two_places(percentile(latencies, 99.0)),
			two_places(latencies.first().copied()),
			two_places(latencies.last().copied()),
			latencies.len() as f64 / level.wall.as_secs_f64(),
		);
	}

	println!();
	println!(
		"The chain at Hospital B's node while each level ran ({:.2}-s slots): block time from the \
		 arrivals of new best blocks, empty slots from their Aura slots, finality lag as best − \
		 finalized averaged over time (blocks) and as the time from a block's arrival as best to \
		 the finalized head that covers it (p50, p99, seconds):",
		slot.as_secs_f64(),
	);
	println!();
	println!(
		"| requesters | blocks | block time (s) | empty slots | finality lag (blocks) | \
		 finality p50 (s) | finality p99 (s) |"
	);
	println!("|---|---|---|---|---|---|---|");
	for level in levels {
		print_chain_row(&level.requesters.to_string(), &log.figures(level.from, level.to));
	}
	if let (Some(first), Some(last)) = (levels.first(), levels.last()) {
		print_chain_row("whole run", &log.figures(first.from, last.to));
	}
	if let Some(failure) = &log.failure {
		println!("note: the chain follower stopped early ({failure}); the figures end there");
	}

	println!();
	let errors: usize = levels.iter().map(|level| level.errors.len()).sum();
	if errors == 0 {
		println!("errors: none");
		return;
	}
	println!("errors: {errors}");
	for level in levels {
		for error in level.errors.iter().take(ERRORS_SHOWN) {
			println!(
				"  {} requesters: requester {} at Hospital {}, after {:.2} s: {}",
				level.requesters, error.requester, error.hospital, error.seconds, error.message,
			);
		}
		let more = level.errors.len().saturating_sub(ERRORS_SHOWN);
		if more > 0 {
			println!("  {} requesters: {more} more errors", level.requesters);
		}
	}
}

fn print_chain_row(label: &str, figures: &ChainFigures) {
	println!(
		"| {label} | {} | {} | {} | {} | {} | {} |",
		figures.blocks,
		two_places(figures.block_time),
		figures.empty_slots.map_or_else(|| "–".to_owned(), |slots| slots.to_string()),
		two_places(figures.mean_lag_blocks),
		two_places(percentile(&figures.finality, 50.0)),
		two_places(percentile(&figures.finality, 99.0)),
	);
}
