//! store-bench: the record store's throughput next to this disk's fsync'd sequential write speed.
//!
//! `scripts/measure.sh store-bench [--no-build] [DIR]` (default: a temporary directory). Not a
//! test: figures only.
//! With several clients, submissions run at once, as several apps' requests do at a node.

use std::{
	fs::File,
	io::Write,
	path::Path,
	time::{Duration, Instant},
};

use medchain_primitives::RecordType;
use medchain_store::{NewRecord, Store};

/// (record size, records, records per submission, clients submitting at once)
const RUNS: [(usize, usize, usize, usize); 8] = [
	(4 << 10, 4_000, 1, 1),
	(4 << 10, 8_000, 1, 4),
	(4 << 10, 20_000, 200, 1),
	(64 << 10, 2_000, 16, 1),
	(1 << 20, 128, 1, 1),
	(1 << 20, 256, 1, 2),
	(1 << 20, 256, 16, 1),
	(1 << 20, 512, 16, 2),
];

/// Runs it; `args`: `[DIR]`.
pub fn run(args: &[String]) -> Result<(), Box<dyn std::error::Error>> {
	let scratch = tempfile::tempdir()?;
	let dir = args.first().map_or_else(|| scratch.path().to_owned(), Into::into);
	std::fs::create_dir_all(&dir)?;
	println!(
		"disk MB/s: this disk's fsync'd sequential write (256 MiB in 1 MiB writes, one fsync), \
		 measured just before each row, as it varies from minute to minute"
	);
	println!(
		"{:>9} {:>8} {:>6} {:>7} | {:>9} | {:>10} {:>9} {:>7} | {:>10} {:>9}",
		"size",
		"records",
		"batch",
		"clients",
		"disk MB/s",
		"store MB/s",
		"rec/s",
		"% disk",
		"fetch MB/s",
		"rec/s"
	);
	for (run, (size, count, batch, clients)) in RUNS.into_iter().enumerate() {
		let disk = disk_write_speed(&dir.join("disk-probe"))?;
		let store_dir = dir.join(format!("store-{run}"));
		let store = Store::open(&store_dir, &store_dir.join("kek"), 0)?;
		let records: Vec<NewRecord> = (0..count).map(|i| record(run, i, size)).collect();
		let started = Instant::now();
		let ids = submit_concurrently(&store, &records, batch, clients)?;
		let stored = started.elapsed();
		let started = Instant::now();
		for id in &ids {
			store.open_record(id)?;
		}
		let fetched = started.elapsed();
		let bytes = size.saturating_mul(count) as f64;
		let store_speed = megabytes_per_second(bytes, stored);
		println!(
			"{:>9} {:>8} {:>6} {:>7} | {:>9.0} | {:>10.1} {:>9.0} {:>6.0}% | {:>10.1} {:>9.0}",
			size,
			count,
			batch,
			clients,
			disk,
			store_speed,
			count as f64 / stored.as_secs_f64(),
			store_speed / disk * 100.0,
			megabytes_per_second(bytes, fetched),
			count as f64 / fetched.as_secs_f64(),
		);
		drop(store);
		std::fs::remove_dir_all(&store_dir)?;
	}
	Ok(())
}

/// Submits `records` in batches of `batch` from `clients` threads at once; their ids.
fn submit_concurrently(
	store: &Store,
	records: &[NewRecord],
	batch: usize,
	clients: usize,
) -> Result<Vec<[u8; 32]>, medchain_store::StoreError> {
	let share = records.len().div_ceil(clients);
	std::thread::scope(|scope| {
		let clients: Vec<_> = records
			.chunks(share)
			.map(|mine| {
				scope.spawn(move || {
					let mut ids = Vec::with_capacity(mine.len());
					for chunk in mine.chunks(batch) {
						ids.extend(
							store.submit(chunk)?.into_iter().map(|receipt| receipt.record_id),
						);
					}
					Ok::<_, medchain_store::StoreError>(ids)
				})
			})
			.collect();
		let mut ids = Vec::with_capacity(records.len());
		for client in clients {
			ids.extend(client.join().map_err(|_| medchain_store::StoreError::Poisoned)??);
		}
		Ok(ids)
	})
}

fn record(run: usize, index: usize, size: usize) -> NewRecord {
	let record_type = RecordType::Diagnosis;
	let fields = record_type.fields().len();
	let per_field = size / fields;
	let values = (0..fields)
		.map(|field| Some(vec![u8::try_from((index + field) % 251).unwrap_or(0); per_field]))
		.collect();
	NewRecord {
		submitter: [0xbe; 32],
		client_request_id: format!("bench-{run}-{index}"),
		patient: [7; 32],
		record_type,
		values,
		prescription: None,
	}
}

fn disk_write_speed(path: &Path) -> std::io::Result<f64> {
	let chunk = vec![0x5a_u8; 1 << 20];
	let started = Instant::now();
	let mut file = File::create(path)?;
	for _ in 0..256 {
		file.write_all(&chunk)?;
	}
	file.sync_all()?;
	let elapsed = started.elapsed();
	std::fs::remove_file(path)?;
	Ok(megabytes_per_second(256.0 * (1 << 20) as f64, elapsed))
}

fn megabytes_per_second(bytes: f64, elapsed: Duration) -> f64 {
	bytes / 1e6 / elapsed.as_secs_f64()
}
