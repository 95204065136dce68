//! Honest weights without contention: the window's longest run of consecutive full blocks
//! imported again by `medchain-node import-blocks` once the four nodes are stopped, with
//! nothing else running.
//!
//! Hospital A's database is exported (`export-blocks --binary`): the blocks before the run, the
//! run's first block, the whole run. Two fresh base paths import the blocks before the run
//! (untimed); then one imports the run's first block alone and the other the whole run, each
//! timed by wall clock. Each time holds the command's start-up, database opening and runtime
//! compilation; their difference is the import of the run's blocks after its first.

use std::{
	path::Path,
	time::{Duration, Instant},
};

use medchain_tests::{
	network::{LocalNetwork, A},
	node::run_node_command,
	Result,
};

use super::{follow::FinalizedBlock, imports::full_blocks};

/// How long the nodes may take to shut down cleanly before they are killed.
const SHUTDOWN: Duration = Duration::from_secs(30);
/// How long Hospital A may take to finalize the run's last block.
const FINALITY: Duration = Duration::from_secs(60);
/// How often `import-blocks` checks whether its queue is done (sc-service's `DELAY_TIME`).
const COMPLETION_POLL_MS: f64 = 200.0;

/// The run's import, timed.
pub struct Reimport {
	/// The run's first and last block numbers.
	first: u32,
	last: u32,
	/// Wall seconds of importing the run's first block alone, and the whole run.
	lead_seconds: f64,
	run_seconds: f64,
	/// Mean charged ref_time (all classes) of the run's blocks after its first, in ms.
	charged_ms: f64,
}

/// Stops the network (its data stays) and imports the run again; `None` if the window has no
/// two consecutive full blocks. Call it once nothing else needs the live network.
pub async fn measure(
	net: &mut LocalNetwork,
	in_window: &[(&FinalizedBlock, usize)],
) -> Result<Option<Reimport>> {
	let full = full_blocks(in_window);
	let numbers: Vec<u32> = full.iter().map(|block| block.number).collect();
	let Some((first, last)) = longest_run(&numbers) else { return Ok(None) };
	if first < 2 {
		return Err("the run starts at block 1: no blocks before it".into());
	}
	net.wait_finalized(&[A], last, FINALITY).await?;
	stop_all(net).await?;
	let (lead_seconds, run_seconds) = import_timed(net, first, last)?;
	let after_first = full.iter().filter(|block| (first + 1..=last).contains(&block.number));
	let charged_ms = mean(after_first.map(|block| block.total_weight.ref_time() as f64 / 1e9));
	Ok(Some(Reimport { first, last, lead_seconds, run_seconds, charged_ms }))
}

/// The longest run of consecutive numbers in `numbers` (ascending), if two long or more.
fn longest_run(numbers: &[u32]) -> Option<(u32, u32)> {
	let mut runs: Vec<(u32, u32)> = Vec::new();
	for &number in numbers {
		match runs.last_mut() {
			Some((_, last)) if *last + 1 == number => *last = number,
			_ => runs.push((number, number)),
		}
	}
	runs.into_iter().filter(|(first, last)| last > first).max_by_key(|(first, last)| last - first)
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
	let (sum, count) = values.fold((0.0, 0u32), |(sum, count), value| (sum + value, count + 1));
	sum / f64::from(count.max(1))
}

/// Stops every node cleanly (SIGTERM), killing any still running after [`SHUTDOWN`].
async fn stop_all(net: &mut LocalNetwork) -> Result<()> {
	for node in &net.nodes {
		node.terminate()?;
	}
	let deadline = Instant::now() + SHUTDOWN;
	while net.nodes.iter_mut().any(|node| node.is_running()) && Instant::now() < deadline {
		tokio::time::sleep(Duration::from_millis(200)).await;
	}
	net.nodes.iter_mut().try_for_each(|node| node.kill())
}

/// Exports from Hospital A's database, imports into fresh base paths; the wall seconds of
/// importing block `first` alone, and `first..=last`.
fn import_timed(net: &LocalNetwork, first: u32, last: u32) -> Result<(f64, f64)> {
	let (chain, source) = (net.nodes[A].spec.chain.as_str(), &net.nodes[A].base_path);
	let dir = tempfile::Builder::new()
		.prefix("medchain-reimport-")
		.tempdir()
		.map_err(|e| format!("creating a directory: {e}"))?;
	let file = |name: &str| dir.path().join(name);
	export(chain, source, 1, first - 1, &file("before.bin"))?;
	export(chain, source, first, first, &file("lead.bin"))?;
	export(chain, source, first, last, &file("run.bin"))?;
	let (alone, whole) = (file("alone"), file("whole"));
	for base_path in [&alone, &whole] {
		import(chain, base_path, &file("before.bin"))?;
	}
	let lead_seconds = import(chain, &alone, &file("lead.bin"))?;
	let run_seconds = import(chain, &whole, &file("run.bin"))?;
	Ok((lead_seconds, run_seconds))
}

/// `medchain-node export-blocks --binary` of blocks `from..=to` in `base_path` to `file`.
fn export(chain: &str, base_path: &Path, from: u32, to: u32, file: &Path) -> Result<()> {
	let (base_path, file) = (base_path.display().to_string(), file.display().to_string());
	let (from, to) = (from.to_string(), to.to_string());
	timed(&[
		"export-blocks",
		"--chain",
		chain,
		"--base-path",
		&base_path,
		"--from",
		&from,
		"--to",
		&to,
		"--binary",
		&file,
	])
	.map(|_| ())
}

/// `medchain-node import-blocks --binary` of `file` into `base_path`; its wall seconds.
fn import(chain: &str, base_path: &Path, file: &Path) -> Result<f64> {
	let (base_path, file) = (base_path.display().to_string(), file.display().to_string());
	timed(&["import-blocks", "--chain", chain, "--base-path", &base_path, "--binary", &file])
}

/// Runs the node binary with `args` to its end; its wall seconds.
fn timed(args: &[&str]) -> Result<f64> {
	let start = Instant::now();
	run_node_command(args, "")?;
	Ok(start.elapsed().as_secs_f64())
}

/// Prints the uncontended import, after [`super::imports::print`].
pub fn print(reimport: &Result<Option<Reimport>>) {
	println!();
	match reimport {
		Ok(Some(reimport)) => print_reimport(reimport),
		Ok(None) => println!("uncontended         not measured: no two consecutive full blocks"),
		Err(error) => println!("uncontended         not measured: {error}"),
	}
}

fn print_reimport(reimport: &Reimport) {
	let &Reimport { first, last, lead_seconds, run_seconds, charged_ms } = reimport;
	let after_first = last - first;
	let import_ms = (run_seconds - lead_seconds) * 1000.0 / f64::from(after_first);
	println!(
		"re-imported         #{first}–#{last}, {} consecutive full blocks, by `medchain-node \
		 import-blocks` into a fresh database with the four nodes stopped",
		after_first + 1
	);
	println!(
		"wall time           {run_seconds:.2} s for the run, {lead_seconds:.2} s for #{first} \
		 alone (each with start-up, database opening and runtime compilation)"
	);
	println!(
		"import time         uncontended: mean {import_ms:.0} ms per block over #{}–#{last} (the \
		 difference ÷ {after_first}; ± up to {:.0} ms: import-blocks checks for completion every \
		 {COMPLETION_POLL_MS:.0} ms)",
		first + 1,
		COMPLETION_POLL_MS / f64::from(after_first)
	);
	println!(
		"charged             mean {charged_ms:.0} ms all classes (ref_time) over #{}–#{last}",
		first + 1
	);
	println!("import / charged    uncontended: {:.2}", import_ms / charged_ms);
}
