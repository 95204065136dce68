//! What the chain anchored: the `RecordAnchored` events of finalized blocks, and a wait until a
//! set of records is anchored exactly once.

use std::{
	collections::BTreeMap,
	time::{Duration, Instant},
};

use crate::client::Chain;

/// A record's anchors in a range of blocks: its custodian, its field root, and how many times.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Anchored {
	/// The custodian hospital.
	pub custodian: u32,
	/// The root it was anchored with (the first time).
	pub field_root: [u8; 32],
	/// How many `RecordAnchored` events name it.
	pub times: usize,
}

/// The records anchored in blocks `from..=to` (`RecordAnchored` events), by record id.
pub async fn anchored_in(
	chain: &Chain,
	from: u32,
	to: u32,
) -> crate::Result<BTreeMap<[u8; 32], Anchored>> {
	let mut anchored = BTreeMap::new();
	for number in from..=to {
		let hash = chain.block_hash(number).await?.ok_or(format!("no block #{number}"))?;
		for event in chain.events(hash).await? {
			if let medchain_runtime::RuntimeEvent::Records(
				pallet_records::Event::RecordAnchored { record_id, custodian, field_root, .. },
			) = event.event
			{
				anchored
					.entry(record_id)
					.or_insert(Anchored { custodian, field_root, times: 0 })
					.times += 1;
			}
		}
	}
	Ok(anchored)
}

/// Waits until every record of `expected` (record id → field root) is anchored in a block
/// from `from` on that `chain` has finalized, for `timeout` at most; fails unless each was
/// anchored exactly once with its root. Returns every record anchored from `from`.
pub async fn wait_anchored_once(
	chain: &Chain,
	from: u32,
	expected: &BTreeMap<[u8; 32], [u8; 32]>,
	timeout: Duration,
) -> crate::Result<BTreeMap<[u8; 32], Anchored>> {
	let mut anchored = BTreeMap::<[u8; 32], Anchored>::new();
	let mut next = from;
	let deadline = Instant::now() + timeout;
	loop {
		let head = chain.finalized_number().await?;
		if head >= next {
			for (id, found) in anchored_in(chain, next, head).await? {
				anchored.entry(id).and_modify(|known| known.times += found.times).or_insert(found);
			}
			next = head + 1;
		}
		let missing: Vec<&[u8; 32]> =
			expected.keys().filter(|id| !anchored.contains_key(*id)).collect();
		if missing.is_empty() {
			break;
		}
		if Instant::now() > deadline {
			let some: Vec<String> =
				missing.iter().take(3).map(|id| format!("0x{}", hex::encode(id))).collect();
			return Err(format!(
				"{} of {} records never anchored, {} among them",
				missing.len(),
				expected.len(),
				some.join(", ")
			));
		}
		// Polls the finalized head; a slot passes between two blocks.
		tokio::time::sleep(Duration::from_secs(1)).await;
	}
	for (id, root) in expected {
		let found = anchored[id];
		if found.times != 1 || found.field_root != *root {
			return Err(format!(
				"record 0x{}: {found:?}, expected once with its root",
				hex::encode(id)
			));
		}
	}
	Ok(anchored)
}
