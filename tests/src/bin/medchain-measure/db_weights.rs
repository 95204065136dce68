//! db-weights: measures ParityDB reads and writes on this machine, configured as the node's
//! state column (parity-db 0.4.12, the version `sc-client-db` uses: ref-counted, preimage,
//! uniform keys, LZ4), and compares them with the `MeasuredDbWeight` the runtime charges.
//!
//! Reads are random lookups of existing keys in a 200,000-item database reopened cold (no
//! pending writes in memory); writes are commits of 1,000 new items, as a block import does,
//! timed per item. `scripts/measure.sh db-weights` runs it.

use std::time::{Duration, Instant};

use medchain_runtime::configs::MeasuredDbWeight;
use parity_db::{ColumnOptions, CompressionType, Db, Options};
use sp_runtime::traits::{BlakeTwo256, Hash};

const STATE: u8 = 0;
const POPULATION: u32 = 200_000;
const READS: u32 = 20_000;
const WRITE_COMMITS: u32 = 20;
const WRITES_PER_COMMIT: u32 = 1_000;
const VALUE_BYTES: usize = 128;

fn key(index: u32) -> [u8; 32] {
	BlakeTwo256::hash(&index.to_le_bytes()).0
}

fn value(index: u32) -> Vec<u8> {
	let mut value = vec![0u8; VALUE_BYTES];
	value[..4].copy_from_slice(&index.to_le_bytes());
	value
}

fn open(path: &std::path::Path) -> Result<Db, String> {
	let mut options = Options::with_columns(path, 1);
	options.columns[0] = ColumnOptions {
		ref_counted: true,
		preimage: true,
		uniform: true,
		compression: CompressionType::Lz4,
		..Default::default()
	};
	Db::open_or_create(&options).map_err(|e| format!("opening ParityDB: {e}"))
}

fn commit(db: &Db, range: std::ops::Range<u32>) -> Result<(), String> {
	db.commit(range.map(|i| (STATE, key(i), Some(value(i))))).map_err(|e| format!("commit: {e}"))
}

fn micros(total: Duration, count: u32) -> f64 {
	total.as_secs_f64() * 1e6 / f64::from(count)
}

/// Runs it.
pub fn run() -> Result<(), String> {
	let dir =
		tempfile::Builder::new().prefix("medchain-db-").tempdir().map_err(|e| e.to_string())?;
	{
		let db = open(dir.path())?;
		for start in (0..POPULATION).step_by(10_000) {
			commit(&db, start..start + 10_000)?;
		}
	}
	// Reopened: every read goes to the files, not to the commit queue.
	let db = open(dir.path())?;
	let mut state = 0x2545_f491_u32;
	let started = Instant::now();
	for _ in 0..READS {
		// xorshift: spread reads over the whole key space without a dependency.
		state ^= state << 13;
		state ^= state >> 17;
		state ^= state << 5;
		let index = state % POPULATION;
		if db.get(STATE, &key(index)).map_err(|e| e.to_string())?.is_none() {
			return Err(format!("key {index} missing"));
		}
	}
	let read = micros(started.elapsed(), READS);

	let started = Instant::now();
	for commit_index in 0..WRITE_COMMITS {
		let start = POPULATION + commit_index * WRITES_PER_COMMIT;
		commit(&db, start..start + WRITES_PER_COMMIT)?;
	}
	drop(db); // waits for the background writer to flush everything
	let write = micros(started.elapsed(), WRITE_COMMITS * WRITES_PER_COMMIT);

	let charged = MeasuredDbWeight::get();
	let charged_read = charged.read as f64 / 1e6;
	let charged_write = charged.write as f64 / 1e6;
	println!("# ParityDB on this machine vs the runtime's MeasuredDbWeight\n");
	println!("| operation | measured | charged | margin |");
	println!("|---|---|---|---|");
	println!(
		"| read (random, {POPULATION} items, cold) | {read:.2} µs | {charged_read:.0} µs | {:.1}× |",
		charged_read / read
	);
	println!(
		"| write (commits of {WRITES_PER_COMMIT}, flushed) | {write:.2} µs | {charged_write:.0} µs | {:.1}× |",
		charged_write / write
	);
	Ok(())
}
