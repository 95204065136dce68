//! Block production in the window: per block its authoring time (the proposer's log line), Aura
//! slot, extrinsics, anchors and charged weight; then authoring times against the proposal
//! budget, missed slots and empty blocks.

use std::collections::HashMap;

use medchain_tests::network::LocalNetwork;
use sp_core::H256;

use super::{follow::FinalizedBlock, percentile, sorted};

/// Authoring milliseconds of every block a node proposed, by block hash, from the proposers'
/// log lines `Prepared block for proposing at N (X ms) hash: 0x…; parent_hash: …`.
pub fn authoring_times(net: &LocalNetwork) -> HashMap<H256, u64> {
	net.nodes
		.iter()
		.filter_map(|node| std::fs::read_to_string(&node.log_path).ok())
		.flat_map(|log| log.lines().filter_map(proposal).collect::<Vec<_>>())
		.collect()
}

fn proposal(line: &str) -> Option<(H256, u64)> {
	let rest = line.split("Prepared block for proposing at ").nth(1)?;
	let (_number, rest) = rest.split_once(" (")?;
	let (millis, rest) = rest.split_once(" ms)")?;
	// The block's hash comes first; `parent_hash: ` follows it.
	let hash = rest.split("hash: ").nth(1)?.split(';').next()?.trim();
	let mut bytes = [0u8; 32];
	hex::decode_to_slice(hash.strip_prefix("0x")?, &mut bytes).ok()?;
	Some((H256(bytes), millis.parse().ok()?))
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
pub fn print(in_window: &[(&FinalizedBlock, usize)], authoring: &HashMap<H256, u64>, slot_ms: u64) {
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
			or_unknown(authoring.get(&block.hash)),
			block.extrinsics,
			or_unknown(block.anchor_batches),
			block.normal_weight.ref_time() as f64 / 1e9,
		);
	}
	let times: Vec<u64> =
		in_window.iter().filter_map(|(block, _)| authoring.get(&block.hash).copied()).collect();
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
