//! medchain-measure: the measurement tools, one per subcommand, in one binary (one link in a
//! cold build). `scripts/measure.sh TOOL` runs them and says what each measures. Figures only:
//! nothing here asserts a time.

mod bench_access;
mod bench_anchoring;
mod block_fill;
mod capacity;
mod db_weights;
mod soak;
mod store_bench;

use std::{future::Future, process::ExitCode};

const TOOLS: &str =
	"bench-access, bench-anchoring, capacity, block-fill, db-weights, soak, store-bench";

fn main() -> ExitCode {
	let mut args = std::env::args().skip(1);
	let tool = args.next().unwrap_or_default();
	let args: Vec<String> = args.collect();
	let outcome = match tool.as_str() {
		"bench-access" => block_on(bench_access::run(&args)),
		"bench-anchoring" => block_on(bench_anchoring::run(&args)),
		"block-fill" => block_on(block_fill::run()),
		"capacity" => {
			capacity::run();
			Ok(())
		}
		"db-weights" => db_weights::run(),
		"soak" => block_on(soak::run(&args)),
		"store-bench" => store_bench::run(&args).map_err(|error| error.to_string()),
		_ => Err(format!("unknown tool {tool:?}: one of {TOOLS}")),
	};
	match outcome {
		Ok(()) => ExitCode::SUCCESS,
		Err(error) => {
			eprintln!("error: {error}");
			ExitCode::FAILURE
		}
	}
}

/// Runs an async tool on a multi-threaded runtime, as `#[tokio::main]` would.
fn block_on(tool: impl Future<Output = Result<(), String>>) -> Result<(), String> {
	tokio::runtime::Runtime::new()
		.map_err(|error| format!("starting the async runtime: {error}"))?
		.block_on(tool)
}
