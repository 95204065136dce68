//! What the apps offered and what the chain finalized: rates, latency and totals.

use std::{collections::BTreeMap, time::Duration};

use medchain_runtime::local_network::LOCAL_HOSPITALS;

use super::{
	follow::FinalizedBlock,
	percentile, sorted,
	submit::{Call, Refusal},
	Window,
};

/// A call sent later than this after its due time was held back by the in-flight limit.
const LATE: Duration = Duration::from_millis(100);

/// Prints the anchoring figures; `anchored[i]` holds the call of each record block `i` anchored.
pub fn print_anchoring(
	calls: &[Call],
	blocks: &[FinalizedBlock],
	anchored: &[Vec<usize>],
	window: &Window,
	hospitals: &[usize],
	drained: bool,
) {
	println!("\n## Anchoring\n");
	print_offered(calls, window);
	print_sustained(calls, blocks, anchored, window, hospitals);
	print_latency(calls, blocks, anchored, window);
	print_totals(calls, blocks, anchored, drained);
}

fn seconds_text(sorted_seconds: &[f64], p: f64) -> String {
	percentile(sorted_seconds, p).map_or("?".into(), |seconds| format!("{seconds:.2} s"))
}

fn print_offered(calls: &[Call], window: &Window) {
	let in_window: Vec<&Call> = calls.iter().filter(|call| window.holds(call.due)).collect();
	let offered: usize = in_window.iter().map(|call| call.records).sum();
	let lags: Vec<f64> = calls
		.iter()
		.map(|call| call.submitted.saturating_duration_since(call.due))
		.filter(|lag| *lag > LATE)
		.map(|lag| lag.as_secs_f64())
		.collect();
	let answers = sorted(
		calls
			.iter()
			.map(|call| call.answered.duration_since(call.submitted).as_secs_f64())
			.collect(),
	);
	println!(
		"offered             {:.0} records/s in the window ({offered} records in {} calls)",
		offered as f64 / window.seconds(),
		in_window.len()
	);
	println!(
		"calls sent late     {} of {} (held back by the in-flight limit; at most {:.1} s late)",
		lags.len(),
		calls.len(),
		lags.iter().copied().fold(0.0, f64::max)
	);
	println!(
		"submitRecords       answered in p50 {}, p99 {}",
		seconds_text(&answers, 50.0),
		seconds_text(&answers, 99.0)
	);
}

fn print_sustained(
	calls: &[Call],
	blocks: &[FinalizedBlock],
	anchored: &[Vec<usize>],
	window: &Window,
	hospitals: &[usize],
) {
	let mut by_hospital: BTreeMap<usize, usize> = BTreeMap::new();
	let (mut total, mut block_count) = (0, 0);
	for (block, records) in blocks.iter().zip(anchored) {
		if !window.holds_block(block.timestamp_ms) {
			continue;
		}
		block_count += 1;
		total += records.len();
		for &call in records {
			*by_hospital.entry(calls[call].hospital).or_default() += 1;
		}
	}
	let seconds = window.seconds();
	println!(
		"finalized           {:.0} records/s sustained ({total} anchors in the {block_count} \
		 finalized blocks whose timestamps fall in the {seconds:.0}-s window)",
		total as f64 / seconds
	);
	for &hospital in hospitals {
		let count = by_hospital.get(&hospital).copied().unwrap_or(0);
		println!(
			"  {:<17} {:.0} records/s",
			LOCAL_HOSPITALS[hospital].name,
			count as f64 / seconds
		);
	}
}

/// Submit → finalized for the records submitted in the window: from the call's submission to
/// the arrival of the finalized head that finalized the record's block.
fn print_latency(
	calls: &[Call],
	blocks: &[FinalizedBlock],
	anchored: &[Vec<usize>],
	window: &Window,
) {
	let latencies = sorted(
		blocks
			.iter()
			.zip(anchored)
			.flat_map(|(block, records)| {
				records.iter().filter_map(move |&call| {
					let submitted = calls[call].submitted;
					window
						.holds(submitted)
						.then(|| block.arrived.saturating_duration_since(submitted).as_secs_f64())
				})
			})
			.collect(),
	);
	let stored_in_window: usize = calls
		.iter()
		.filter(|call| window.holds(call.submitted))
		.filter_map(|call| call.outcome.as_ref().ok())
		.map(Vec::len)
		.sum();
	println!(
		"submit → finalized  p50 {}, p95 {}, p99 {} ({stored_in_window} records stored in the \
		 window; {} of them not finalized by the end)",
		seconds_text(&latencies, 50.0),
		seconds_text(&latencies, 95.0),
		seconds_text(&latencies, 99.0),
		stored_in_window.saturating_sub(latencies.len())
	);
}

fn print_totals(calls: &[Call], blocks: &[FinalizedBlock], anchored: &[Vec<usize>], drained: bool) {
	let submitted: usize = calls.iter().map(|call| call.records).sum();
	let stored = super::submit::stored_records(calls);
	let (busy, refused): (Vec<&Refusal>, Vec<&Refusal>) =
		calls.iter().filter_map(|call| call.outcome.as_ref().err()).partition(|why| why.busy);
	let anchored_count: usize = anchored.iter().map(Vec::len).sum();
	let failed: Option<usize> = blocks.iter().map(|block| block.failed).sum();
	println!(
		"records             {submitted} submitted, {stored} stored, {anchored_count} anchored, \
		 {} refused on chain (AnchorFailed)",
		failed.map_or("? (events of another runtime)".into(), |failed| failed.to_string())
	);
	println!(
		"                    {} calls answered Busy (backpressure: the outbox at its limit), \
		 {} refused otherwise{}",
		busy.len(),
		refused.len(),
		refused.first().map_or(String::new(), |why| format!(" (first: {})", why.message))
	);
	let unsettled = stored.saturating_sub(anchored_count + failed.unwrap_or(0));
	let drain = if drained { "all settled" } else { "stopped after the longest wait" };
	println!("drain               {drain}; {unsettled} stored records not finalized");
}

/// The capacity the weights allow, at the chain's slot duration.
pub fn print_capacity(slot_ms: u64) {
	let (per_block, binding) = crate::capacity::anchors_per_block();
	println!(
		"capacity by weights {:.0} records/s ({per_block} anchors per block, bound by {binding}, \
		 one block every {slot_ms} ms; this build's weights)",
		per_block as f64 * 1000.0 / slot_ms.max(1) as f64
	);
}
