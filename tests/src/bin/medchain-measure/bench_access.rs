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

mod chain;
mod report;
mod requesters;
pub(crate) mod setup;

use std::time::{Duration, Instant};

use medchain_app_api::{auth::Role, AccessShared};
use medchain_runtime::Runtime;
use medchain_tests::{
	client::runtime_api,
	custodian::register_patient,
	network::{LocalNetwork, A, ALL, B, FIRST_FINALITY},
	Result,
};
use medchain_token::ShareToken;
use sp_keyring::Sr25519Keyring;

use chain::{wait_best_final, ChainFollower};
use report::print_report;
use requesters::{run_level, Requester};
use setup::{
	anchor_records, create_grants, grant_duration, wait_grants_final, Share, PATIENTS, REQUESTING,
};

const USAGE: &str = "bench-access [--accesses-per-level N] [--levels 1,8,32]";
const DEFAULT_LEVELS: [usize; 3] = [1, 8, 32];
/// Accesses of a level with one requester, by default.
const DEFAULT_ACCESSES_ALONE: usize = 60;
/// Accesses per requester of a level with more, by default.
const DEFAULT_ACCESSES_PER_REQUESTER: usize = 30;

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
