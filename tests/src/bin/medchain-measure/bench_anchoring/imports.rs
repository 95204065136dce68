//! Honest weights: what the runtime charged for the fullest blocks of the window, beside how
//! long the nodes that did not author them took to import them.
//!
//! Import times come from Substrate's histogram `substrate_block_verification_and_import_time`
//! (sc-consensus's import queue: blocks from peers, never a node's own), scraped every
//! [`SCRAPE_EVERY`]: when exactly one block was imported between two scrapes, the change of the
//! histogram's sum is that block's time, and the node's best block is that block.

use std::{
	sync::{Arc, Mutex},
	time::Duration,
};

use futures::future::join_all;
use medchain_runtime::local_network::LOCAL_HOSPITALS;
use medchain_tests::{
	client::Chain,
	metrics::{sample, scrape},
	network::LocalNetwork,
	Result,
};
use tokio::{task::JoinHandle, time::MissedTickBehavior};

use super::{follow::FinalizedBlock, percentile, sorted};

const SCRAPE_EVERY: Duration = Duration::from_millis(200);
const IMPORT_SUM: &str = "substrate_block_verification_and_import_time_sum";
const IMPORT_COUNT: &str = "substrate_block_verification_and_import_time_count";
/// A block is full when charged at least this share of the window's heaviest block.
const FULL: f64 = 0.9;

/// One block's import on one node.
pub struct ImportSample {
	pub node: usize,
	pub block: u32,
	pub seconds: f64,
}

type Samples = Arc<Mutex<Vec<ImportSample>>>;

/// Scrapes every node's import histogram until stopped.
pub struct Scraper {
	samples: Samples,
	task: JoinHandle<()>,
}

impl Scraper {
	pub fn start(net: &LocalNetwork) -> Self {
		let ports = net.nodes.iter().map(|node| node.prometheus_port).collect();
		let samples = Samples::default();
		let task = tokio::spawn(scrape_every(ports, samples.clone()));
		Self { samples, task }
	}

	/// Stops scraping; the samples so far.
	pub fn stop(self) -> Vec<ImportSample> {
		self.task.abort();
		self.samples.lock().map(|mut samples| std::mem::take(&mut *samples)).unwrap_or_default()
	}
}

/// A node's histogram and best block at one scrape.
#[derive(Clone, Copy)]
struct Reading {
	sum: f64,
	count: f64,
	best: f64,
}

/// `port`'s reading; `None` if the scrape failed.
async fn read(port: u16) -> Option<Reading> {
	let text = scrape(port).await.ok()?;
	Some(Reading {
		sum: sample(&text, IMPORT_SUM, "")?,
		count: sample(&text, IMPORT_COUNT, "")?,
		best: sample(&text, "substrate_block_height", "status=\"best\"")?,
	})
}

async fn scrape_every(ports: Vec<u16>, samples: Samples) {
	let mut last: Vec<Option<Reading>> = vec![None; ports.len()];
	let mut ticks = tokio::time::interval(SCRAPE_EVERY);
	ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
	loop {
		ticks.tick().await;
		let readings = join_all(ports.iter().map(|&port| read(port))).await;
		for (node, (reading, previous)) in readings.into_iter().zip(&mut last).enumerate() {
			let Some(reading) = reading else { continue };
			let Some(before) = previous.replace(reading) else { continue };
			if (reading.count - before.count - 1.0).abs() > 0.5 {
				continue;
			}
			if let Ok(mut samples) = samples.lock() {
				let seconds = reading.sum - before.sum;
				samples.push(ImportSample { node, block: reading.best as u32, seconds });
			}
		}
	}
}

/// The full blocks' charged weight and import times.
pub struct HonestWeights {
	full_blocks: usize,
	threshold_ms: f64,
	charged_normal_ms: f64,
	charged_total_ms: f64,
	/// Import times in ms, sorted.
	import_ms: Vec<f64>,
}

/// The fullest blocks of `in_window` (charged at least [`FULL`] of the heaviest), with their
/// import times on the nodes that did not author them; `None` if no block was charged.
pub async fn honest_weights(
	chain: &Chain,
	in_window: &[(&FinalizedBlock, usize)],
	samples: &[ImportSample],
) -> Result<Option<HonestWeights>> {
	let Some(threshold) = full_threshold(in_window) else { return Ok(None) };
	let full = full_blocks(in_window);
	let mut import_ms = Vec::new();
	for block in &full {
		let author = author_node(chain, block).await?;
		let imports = samples.iter().filter(|s| s.block == block.number && Some(s.node) != author);
		import_ms.extend(imports.map(|s| s.seconds * 1000.0));
	}
	let mean_ms = |ref_times: Vec<u64>| {
		ref_times.iter().map(|&ref_time| ref_time as f64 / 1e9).sum::<f64>()
			/ ref_times.len().max(1) as f64
	};
	Ok(Some(HonestWeights {
		full_blocks: full.len(),
		threshold_ms: threshold / 1e9,
		charged_normal_ms: mean_ms(
			full.iter().map(|block| block.normal_weight.ref_time()).collect(),
		),
		charged_total_ms: mean_ms(full.iter().map(|block| block.total_weight.ref_time()).collect()),
		import_ms: sorted(import_ms),
	}))
}

/// The least normal-class ref_time of a full block: [`FULL`] of the window's heaviest; `None`
/// if no block was charged.
fn full_threshold(in_window: &[(&FinalizedBlock, usize)]) -> Option<f64> {
	let heaviest = in_window.iter().map(|(block, _)| normal_ref_time(block)).max().unwrap_or(0);
	(heaviest > 0).then_some(heaviest as f64 * FULL)
}

/// The full blocks of `in_window` (see [`full_threshold`]), in its order.
pub fn full_blocks<'a>(in_window: &[(&'a FinalizedBlock, usize)]) -> Vec<&'a FinalizedBlock> {
	let Some(threshold) = full_threshold(in_window) else { return Vec::new() };
	in_window
		.iter()
		.map(|(block, _)| *block)
		.filter(|block| normal_ref_time(block) as f64 >= threshold)
		.collect()
}

fn normal_ref_time(block: &FinalizedBlock) -> u64 {
	block.normal_weight.ref_time()
}

/// The node index of `block`'s author (its Aura key is its hospital admin's dev key).
async fn author_node(chain: &Chain, block: &FinalizedBlock) -> Result<Option<usize>> {
	let author = chain.block_author(block.hash).await?;
	Ok(LOCAL_HOSPITALS.iter().position(|hospital| hospital.admin.public() == author))
}

pub fn print(weights: Option<&HonestWeights>) {
	println!("\n## Honest weights: full blocks of anchors\n");
	let Some(weights) = weights else {
		println!("no block of the window was charged any normal-class weight");
		return;
	};
	let mean_import = weights.import_ms.iter().sum::<f64>() / weights.import_ms.len().max(1) as f64;
	let p50 = percentile(&weights.import_ms, 50.0).unwrap_or(f64::NAN);
	println!(
		"full blocks         {} (charged ≥ {:.0} ms normal class: {:.0}% of the heaviest)",
		weights.full_blocks,
		weights.threshold_ms,
		FULL * 100.0
	);
	println!(
		"charged             mean {:.0} ms normal class, {:.0} ms all classes (ref_time)",
		weights.charged_normal_ms, weights.charged_total_ms
	);
	let cores = std::thread::available_parallelism().map_or(1, usize::from);
	println!(
		"import time         contended: p50 {p50:.0} ms, mean {mean_import:.0} ms on the nodes \
		 that did not author them, all four nodes sharing {cores} cores ({} samples, from \
		 Prometheus every {} ms)",
		weights.import_ms.len(),
		SCRAPE_EVERY.as_millis()
	);
	println!(
		"import / charged    contended: {:.2} (mean import ÷ mean charged, all classes)",
		mean_import / weights.charged_total_ms
	);
}
