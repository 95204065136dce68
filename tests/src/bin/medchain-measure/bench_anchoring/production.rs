//! Block production in the window: per block its authoring time (the proposer's log line), Aura
//! slot, extrinsics, anchors and charged weight; then authoring times against the proposal
//! budget, missed slots and empty blocks.

use std::collections::HashMap;

use medchain_tests::network::LocalNetwork;

use super::{follow::FinalizedBlock, percentile, sorted};

/// Authoring milliseconds of every block number a node proposed, from the proposers' log lines
/// `Prepared block for proposing at N (X ms) …`. The line's hash is the block's before its
/// seal, so blocks are matched by number; where two nodes proposed the same number (a fork),
/// the longer time counts.
pub fn authoring_times(net: &LocalNetwork) -> HashMap<u32, u64> {
	let mut times = HashMap::new();
	let logs = net.nodes.iter().filter_map(|node| std::fs::read(&node.log_path).ok());
	for log in logs {
		for (number, millis) in String::from_utf8_lossy(&log).lines().filter_map(proposal) {
			let slowest = times.entry(number).or_insert(millis);
			*slowest = (*slowest).max(millis);
		}
	}
	times
}

fn proposal(line: &str) -> Option<(u32, u64)> {
	let rest = line.split("Prepared block for proposing at ").nth(1)?;
	let (number, rest) = rest.split_once(" (")?;
	let (millis, _) = rest.split_once(" ms)")?;
	Some((number.parse().ok()?, millis.parse().ok()?))
}

/// Whether a block carried no anchor batch (by anchors found, where its extrinsics don't decode).
fn is_empty(block: &FinalizedBlock, anchors: usize) -> bool {
	block.anchor_batches.map_or(anchors == 0, |batches| batches == 0)
}

/// Slots with no block between consecutive blocks.
fn missed_slots(in_window: &[(&FinalizedBlock, usize)]) -> u64 {
	in_window
		.windows(2)
		.filter_map(|pair| match pair {
			[(before, _), (after, _)] => {
				Some(after.slot?.saturating_sub(before.slot?).saturating_sub(1))
			}
			_ => None,
		})
		.sum()
}

fn or_unknown(value: Option<impl ToString>) -> String {
	value.map_or("?".into(), |value| value.to_string())
}

/// Prints the window's blocks, then the summary.
pub fn print(in_window: &[(&FinalizedBlock, usize)], authoring: &HashMap<u32, u64>, slot_ms: u64) {
	let budget_ms = slot_ms * 2 / 3;
	println!(
		"\n## Blocks in the window (slot {slot_ms} ms; proposal budget {budget_ms} ms, two thirds \
		 of the slot)\n"
	);
	println!(
		"| block | slot | authoring | extrinsics | anchor batches | anchors | charged (normal) |"
	);
	println!("|---|---|---|---|---|---|---|");
	for (block, anchors) in in_window {
		println!(
			"| #{} | {} | {} ms | {} | {} | {anchors} | {:.0} ms |",
			block.number,
			or_unknown(block.slot),
			or_unknown(authoring.get(&block.number)),
			block.extrinsics,
			or_unknown(block.anchor_batches),
			block.normal_weight.ref_time() as f64 / 1e9,
		);
	}
	let times: Vec<u64> =
		in_window.iter().filter_map(|(block, _)| authoring.get(&block.number).copied()).collect();
	let over_budget = times.iter().filter(|&&millis| millis > budget_ms).count();
	let unknown = in_window.len() - times.len();
	let times_ms = sorted(times.iter().map(|&millis| millis as f64).collect());
	let at = |p: f64| percentile(&times_ms, p).map_or("?".into(), |millis| format!("{millis:.0}"));
	let empty = in_window.iter().filter(|(block, anchors)| is_empty(block, *anchors)).count();
	println!();
	println!(
		"authoring time      p50 {} ms, p99 {} ms, max {} ms ({} blocks; {unknown} without a \
		 proposer's log line)",
		at(50.0),
		at(99.0),
		at(100.0),
		in_window.len()
	);
	println!("over budget         {over_budget} blocks authored in more than {budget_ms} ms");
	println!("missed slots        {}", missed_slots(in_window));
	println!("empty blocks        {empty} (no anchor batch)");
}
