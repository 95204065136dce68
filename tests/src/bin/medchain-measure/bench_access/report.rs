//! The printed figures: each level's access latency, the chain while it ran, and the errors.

use std::time::Duration;

use super::{
	chain::{ChainFigures, ChainLog},
	requesters::Level,
};

/// Errors printed in full per level; the rest are counted.
const ERRORS_SHOWN: usize = 50;

/// The `p`th percentile of `sorted` (nearest rank), if it has any value.
fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
	let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
	sorted.get(rank.saturating_sub(1)).copied()
}

/// `value` with two decimals, or a dash.
fn two_places(value: Option<f64>) -> String {
	value.map_or_else(|| "–".to_owned(), |value| format!("{value:.2}"))
}

pub fn print_report(levels: &[Level], log: &ChainLog, slot: Duration) {
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
