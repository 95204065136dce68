//! bench-anchoring: sustained anchoring through `medchain_submitRecords` on the four-hospital
//! network, open loop (issue 26). `scripts/bench-anchoring.sh` runs it. Figures only; never a
//! test.
//!
//! `bench-anchoring [--hospitals 4|1|both] [--rate RECORDS_PER_SECOND_PER_HOSPITAL]
//! [--window SECONDS] [--warmup SECONDS]`
//!
//! Each scenario (four hospitals at once, one hospital alone) runs on a fresh network: the
//! runtime limits each hospital's anchors per day. The submitting hospitals' apps call
//! `submitRecords` at a fixed rate whatever the answers ([`submit`]), through a warm-up and a
//! steady window; then they stop and the network drains for up to 90 s. Hospital D's node is
//! followed block by block as it finalizes ([`follow`]); records are matched to their calls by
//! record id. Printed per scenario: the finalized records per second over the window (by block
//! timestamp), submit → finalized latency, the blocks of the window ([`production`]), weights
//! against measured import times ([`imports`]; then, with the network stopped, the same blocks
//! imported again alone: [`reimport`]) and each node's CPU and memory ([`processes`]); at the
//! end, the capacity by weights.

mod follow;
mod imports;
mod processes;
mod production;
mod reimport;
mod report;
mod submit;

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use medchain_runtime::local_network::LOCAL_HOSPITALS;
use medchain_tests::{
	client::{runtime_api, Chain},
	custodian::register_patient,
	network::{LocalNetwork, A, ALL, D, FIRST_FINALITY},
	Result,
};

const USAGE: &str =
	"bench-anchoring [--hospitals 4|1|both] [--rate RECORDS_PER_SECOND_PER_HOSPITAL] \
	 [--window SECONDS] [--warmup SECONDS]";
/// The longest wait, after the window, for what was stored to be anchored and finalized.
const DRAIN: Duration = Duration::from_secs(90);
/// The node whose finalized blocks are followed.
const FOLLOWED: usize = D;

/// Who submits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scenario {
	FourHospitals,
	OneHospital,
}

impl Scenario {
	fn title(self) -> &'static str {
		match self {
			Scenario::FourHospitals => "Four hospitals at once",
			Scenario::OneHospital => "One hospital alone",
		}
	}

	/// The submitting hospitals, by node index.
	fn hospitals(self) -> Vec<usize> {
		match self {
			Scenario::FourHospitals => ALL.to_vec(),
			Scenario::OneHospital => vec![A],
		}
	}

	/// Records per second per hospital: 3,600 in all either way.
	fn default_rate(self) -> u32 {
		match self {
			Scenario::FourHospitals => 900,
			Scenario::OneHospital => 3_600,
		}
	}
}

struct Options {
	scenarios: Vec<Scenario>,
	rate: Option<u32>,
	window: Duration,
	warmup: Duration,
}

fn parse_options(args: &[String]) -> Result<Options> {
	let mut options = Options {
		scenarios: vec![Scenario::FourHospitals, Scenario::OneHospital],
		rate: None,
		window: Duration::from_secs(120),
		warmup: Duration::from_secs(20),
	};
	let mut args = args.iter();
	while let Some(flag) = args.next() {
		let value = args.next().ok_or_else(|| format!("{flag} needs a value; {USAGE}"))?;
		match flag.as_str() {
			"--hospitals" => options.scenarios = parse_hospitals(value)?,
			"--rate" => options.rate = Some(positive(flag, value)?),
			"--window" => options.window = Duration::from_secs(positive(flag, value)?.into()),
			"--warmup" => options.warmup = Duration::from_secs(value_of(flag, value)?.into()),
			_ => return Err(format!("unknown argument {flag:?}; {USAGE}")),
		}
	}
	Ok(options)
}

fn parse_hospitals(value: &str) -> Result<Vec<Scenario>> {
	match value {
		"4" => Ok(vec![Scenario::FourHospitals]),
		"1" => Ok(vec![Scenario::OneHospital]),
		"both" => Ok(vec![Scenario::FourHospitals, Scenario::OneHospital]),
		_ => Err(format!("--hospitals takes 4, 1 or both, not {value:?}")),
	}
}

fn value_of(flag: &str, value: &str) -> Result<u32> {
	value.parse().map_err(|e| format!("{flag} {value:?}: {e}"))
}

fn positive(flag: &str, value: &str) -> Result<u32> {
	let number = value_of(flag, value)?;
	if number == 0 {
		return Err(format!("{flag} must be above 0"));
	}
	Ok(number)
}

/// Runs it; `args`: see [`USAGE`].
pub async fn run(args: &[String]) -> Result<()> {
	let options = parse_options(args)?;
	for &scenario in &options.scenarios {
		let rate = options.rate.unwrap_or(scenario.default_rate());
		run_scenario(scenario, rate, &options).await?;
	}
	println!("\n## Capacity by weights (this build's runtime)\n");
	crate::capacity::run();
	Ok(())
}

/// The steady window, as instants here and as Unix milliseconds (block timestamps).
pub struct Window {
	pub start: Instant,
	pub end: Instant,
	pub start_ms: u64,
	pub end_ms: u64,
}

impl Window {
	pub fn seconds(&self) -> f64 {
		self.end_ms.saturating_sub(self.start_ms) as f64 / 1000.0
	}

	/// Whether a block with this timestamp is in the window.
	pub fn holds_block(&self, timestamp_ms: u64) -> bool {
		(self.start_ms..self.end_ms).contains(&timestamp_ms)
	}

	/// Whether something that happened at `moment` is in the window.
	pub fn holds(&self, moment: Instant) -> bool {
		(self.start..self.end).contains(&moment)
	}
}

fn unix_millis() -> Result<u64> {
	let since = SystemTime::now().duration_since(UNIX_EPOCH).map_err(|e| e.to_string())?;
	u64::try_from(since.as_millis()).map_err(|e| e.to_string())
}

async fn sleep_until(moment: Instant) {
	tokio::time::sleep_until(tokio::time::Instant::from_std(moment)).await;
}

async fn run_scenario(scenario: Scenario, rate: u32, options: &Options) -> Result<()> {
	let hospitals = scenario.hospitals();
	println!(
		"\n# {}: {rate} records/s from each of {} hospital(s), {} s window after {} s of warm-up\n",
		scenario.title(),
		hospitals.len(),
		options.window.as_secs(),
		options.warmup.as_secs()
	);
	println!("==> starting a fresh four-hospital network");
	let mut net = LocalNetwork::start_custodians()?;
	net.wait_finalized(&ALL, 1, FIRST_FINALITY).await?;
	let chain = net.nodes[FOLLOWED].chain()?;
	let slot_ms: u64 = chain.call(runtime_api::SLOT_DURATION, (), None).await?;
	register_patients(&net, &hospitals).await?;
	let measured = measure(&net, &hospitals, rate, options).await?;
	print_results(&mut net, &chain, &hospitals, &measured, slot_ms).await
}

/// What one scenario measured.
struct Measured {
	calls: Vec<submit::Call>,
	blocks: Vec<follow::FinalizedBlock>,
	import_samples: Vec<imports::ImportSample>,
	window: Window,
	/// Each node's CPU seconds at the window's start and end.
	cpu: (Vec<f64>, Vec<f64>),
	memory: Vec<processes::Memory>,
	drained: bool,
}

/// Submits through the warm-up and the window, then drains.
async fn measure(
	net: &LocalNetwork,
	hospitals: &[usize],
	rate: u32,
	options: &Options,
) -> Result<Measured> {
	let pids = processes::node_pids(net)?;
	let follower = follow::Follower::start(&net.nodes[FOLLOWED]).await?;
	let scraper = imports::Scraper::start(net);
	let start = Instant::now();
	let schedule = submit::Schedule {
		start,
		stop: start + options.warmup + options.window,
		records_per_second: rate,
	};
	println!(
		"==> submitting {} records per call, every {:.0} ms per hospital",
		schedule.records_per_call(),
		schedule.interval().as_secs_f64() * 1000.0
	);
	let submitters = hospitals
		.iter()
		.map(|&hospital| submit::start(net, hospital, schedule))
		.collect::<Result<Vec<_>>>()?;

	sleep_until(start + options.warmup).await;
	let (window_start, start_ms, cpu_before) =
		(Instant::now(), unix_millis()?, processes::cpu_seconds(&pids)?);
	println!("==> warm-up over; steady window of {} s", options.window.as_secs());
	sleep_until(schedule.stop).await;
	let (window_end, end_ms, cpu_after) =
		(Instant::now(), unix_millis()?, processes::cpu_seconds(&pids)?);
	let window = Window { start: window_start, end: window_end, start_ms, end_ms };
	println!("==> window over; draining (at most {} s)", DRAIN.as_secs());

	let calls = submit::join(submitters).await?;
	let drained = drain(&follower, &follow::Matcher::new(&calls), &calls, &window).await?;
	Ok(Measured {
		blocks: follower.stop()?,
		import_samples: scraper.stop(),
		memory: processes::memory(&pids)?,
		calls,
		window,
		cpu: (cpu_before, cpu_after),
		drained,
	})
}

/// Prints what `measured` shows; stops the network (see [`reimport::measure`]).
async fn print_results(
	net: &mut LocalNetwork,
	chain: &Chain,
	hospitals: &[usize],
	measured: &Measured,
	slot_ms: u64,
) -> Result<()> {
	let Measured { calls, blocks, window, .. } = measured;
	let matcher = follow::Matcher::new(calls);
	let anchored: Vec<Vec<usize>> =
		blocks.iter().map(|block| matcher.anchored_in(&block.events)).collect();
	report::print_anchoring(calls, blocks, &anchored, window, hospitals, measured.drained);
	report::print_capacity(slot_ms);
	let in_window: Vec<(&follow::FinalizedBlock, usize)> = blocks
		.iter()
		.zip(&anchored)
		.filter(|(block, _)| window.holds_block(block.timestamp_ms))
		.map(|(block, records)| (block, records.len()))
		.collect();
	production::print(&in_window, &production::authoring_times(net), slot_ms);
	let full = imports::honest_weights(chain, &in_window, &measured.import_samples).await?;
	// Last, as it stops the network.
	let reimport = reimport::measure(net, &in_window).await;
	imports::print(full.as_ref());
	reimport::print(&reimport);
	let (before, after) = &measured.cpu;
	processes::print(net, before, after, &measured.memory, window.seconds());
	Ok(())
}

/// Registers each submitting hospital's patient with that hospital, on its own node.
async fn register_patients(net: &LocalNetwork, hospitals: &[usize]) -> Result<()> {
	let registrations = hospitals.iter().map(|&hospital| async move {
		let chain = net.nodes[hospital].chain()?;
		let operator = LOCAL_HOSPITALS[hospital].operator;
		register_patient(&chain, operator, submit::PATIENTS[hospital]).await
	});
	futures::future::try_join_all(registrations).await.map(|_| ())
}

/// Waits until every stored record is anchored or refused in a finalized block, and a block
/// after the window is final, or [`DRAIN`] after the window; whether it all settled.
async fn drain(
	follower: &follow::Follower,
	matcher: &follow::Matcher,
	calls: &[submit::Call],
	window: &Window,
) -> Result<bool> {
	let stored = submit::stored_records(calls);
	let deadline = window.end + DRAIN;
	let (mut cursor, mut settled, mut newest_ms) = (0, 0, 0);
	loop {
		follower.visit_new(&mut cursor, |block| {
			settled += matcher.anchored_in(&block.events).len() + block.failed.unwrap_or(0);
			newest_ms = newest_ms.max(block.timestamp_ms);
		})?;
		if settled >= stored && newest_ms >= window.end_ms {
			return Ok(true);
		}
		if Instant::now() >= deadline {
			return Ok(false);
		}
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
}

/// The `p`-th percentile (nearest rank) of `sorted`.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
	let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
	sorted.get(rank.saturating_sub(1).min(sorted.len().saturating_sub(1))).copied()
}

/// `values` sorted, for [`percentile`].
pub fn sorted(mut values: Vec<f64>) -> Vec<f64> {
	values.sort_by(f64::total_cmp);
	values
}
