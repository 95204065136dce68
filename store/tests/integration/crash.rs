//! SIGKILL during submissions and erasures: after each restart every acknowledged record is
//! there and readable, every acknowledged erasure holds, and nothing is half-written.
//!
//! The test runs itself as the writer: the child (this test, with `CHILD_DIR` set) submits
//! and shreds in a loop and prints what the store acknowledged; the parent kills it at a random
//! moment and checks the store.

use std::{
	collections::BTreeSet,
	io::{BufRead, BufReader},
	process::{Command, Stdio},
	time::Duration,
};

use medchain_store::{AnchorState, Store, StoreError};
use rand::Rng;

use crate::common::diagnosis;

const CHILD_DIR: &str = "MEDCHAIN_STORE_CRASH_CHILD_DIR";
const ROUNDS: usize = 20;
/// This test's full name in the test binary, for the child to run it alone.
const TEST_NAME: &str = "crash::acknowledged_writes_survive_sigkill";

#[test]
fn acknowledged_writes_survive_sigkill() {
	if let Ok(dir) = std::env::var(CHILD_DIR) {
		return write_until_killed(std::path::Path::new(&dir));
	}
	let dir = tempfile::tempdir().unwrap();
	let mut acked_records = BTreeSet::new();
	let mut acked_shreds = BTreeSet::new();
	let mut rng = rand::thread_rng();
	for round in 0..ROUNDS {
		let mut child = Command::new(std::env::current_exe().unwrap())
			.args(["--exact", TEST_NAME, "--nocapture", "--test-threads=1"])
			.env(CHILD_DIR, dir.path())
			.env("ROUND", round.to_string())
			.stdout(Stdio::piped())
			.spawn()
			.unwrap();
		let stdout = BufReader::new(child.stdout.take().unwrap());
		let reader =
			std::thread::spawn(move || stdout.lines().map_while(Result::ok).collect::<Vec<_>>());
		// Early kills land inside the store's creation: its files must come up whole too.
		let lifetime = if round < 3 { rng.gen_range(1..60) } else { rng.gen_range(50..400) };
		std::thread::sleep(Duration::from_millis(lifetime));
		child.kill().unwrap();
		child.wait().unwrap();
		for line in reader.join().unwrap() {
			match line.split_once(' ') {
				Some(("STORED", id)) => acked_records.insert(id.to_owned()),
				Some(("SHREDDED", id)) => acked_shreds.insert(id.to_owned()),
				_ => false,
			};
		}

		let store = open(dir.path());
		for client_id in &acked_records {
			let record = diagnosis(client_id, 1, client_id);
			let [receipt] =
				store.submit(std::slice::from_ref(&record)).unwrap().try_into().unwrap();
			assert!(!receipt.created, "round {round}: acknowledged {client_id} was lost");
			match store.open_record(&receipt.record_id) {
				Ok(opened) => assert_eq!(opened.fields.values, record.values),
				Err(StoreError::Erased(_)) => {
					assert!(acked_shreds.contains(client_id) || shredding(client_id))
				}
				Err(error) => panic!("round {round}: {client_id}: {error}"),
			}
		}
		for client_id in &acked_shreds {
			let receipt = store.submit(&[diagnosis(client_id, 1, client_id)]).unwrap();
			let record_id = receipt[0].record_id;
			assert!(
				store.record(&record_id).unwrap().unwrap().erased.is_some()
					&& !store.holds_sealed_bytes(&record_id).unwrap(),
				"round {round}: {client_id}"
			);
		}
		// Nothing half-written: every record either opens or is erased, and the outbox names
		// only stored records.
		let ids = store.record_ids(None, usize::MAX).unwrap();
		for id in &ids {
			match store.open_record(id) {
				Ok(_) | Err(StoreError::Erased(_)) => {}
				Err(error) => panic!("round {round}: record {}: {error}", hex(id)),
			}
		}
		for pending in store.pending_anchors(usize::MAX).unwrap() {
			assert!(ids.contains(&pending.record_id));
			assert_eq!(
				store.record(&pending.record_id).unwrap().unwrap().state,
				AnchorState::Stored
			);
		}
	}
	assert!(acked_records.len() > ROUNDS, "the writer acknowledged too little to test");
	assert!(!acked_shreds.is_empty(), "no erasure was acknowledged");
}

/// Every tenth record is erased by the writer right after it is stored.
fn shredding(client_id: &str) -> bool {
	client_id.rsplit('-').next().and_then(|n| n.parse::<u64>().ok()).is_some_and(|n| n % 10 == 0)
}

fn write_until_killed(dir: &std::path::Path) {
	let store = open(dir);
	let round = std::env::var("ROUND").unwrap();
	for batch in 0u64.. {
		let records: Vec<_> = (0..5)
			.map(|i| {
				let id = format!("r{round}-{}", batch * 5 + i);
				diagnosis(&id, 1, &id)
			})
			.collect();
		let receipts = store.submit(&records).unwrap();
		for record in &records {
			println!("STORED {}", record.client_request_id);
		}
		for (record, receipt) in records.iter().zip(&receipts) {
			if shredding(&record.client_request_id) {
				store.shred(&[receipt.record_id]).unwrap();
				println!("SHREDDED {}", record.client_request_id);
			}
		}
	}
}

fn open(dir: &std::path::Path) -> Store {
	Store::open(&dir.join("store"), &dir.join("kek"), 0).unwrap()
}

fn hex(id: &[u8; 32]) -> String {
	id.iter().map(|byte| format!("{byte:02x}")).collect()
}
