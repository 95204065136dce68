//! A patient reading their own record: single-use challenges, the signature over one, and the
//! finalized patient access entry that logs the read.

use std::{
	collections::HashMap,
	sync::Mutex,
	time::{Duration, Instant},
};

use medchain_primitives::{
	access::{AccessEntry, AccessId, AccessKind, Accessor},
	commitment::RecordId,
	HospitalId,
};
use medchain_runtime::{AccountId, BlockNumber};
use rand::RngCore;
use sp_core::{sr25519, Pair};

use crate::network::release::RELEASE_LIFETIME_BLOCKS;

/// How long a challenge stays good.
pub const CHALLENGE_LIFETIME: Duration = Duration::from_secs(120);
/// Most open challenges; the oldest go first.
const MAX_OPEN_CHALLENGES: usize = 10_000;

/// Challenges handed out and not used yet.
#[derive(Default)]
pub struct Challenges(Mutex<HashMap<[u8; 32], (RecordId, Instant)>>);

impl Challenges {
	/// A fresh challenge for `record_id`.
	pub fn issue(&self, record_id: RecordId) -> [u8; 32] {
		let mut challenge = [0u8; 32];
		rand::rngs::OsRng.fill_bytes(&mut challenge);
		if let Ok(mut open) = self.0.lock() {
			let now = Instant::now();
			open.retain(|_, (_, expires)| *expires > now);
			if open.len() >= MAX_OPEN_CHALLENGES {
				let oldest =
					open.iter().min_by_key(|(_, (_, expires))| *expires).map(|(key, _)| *key);
				oldest.map(|key| open.remove(&key));
			}
			open.insert(challenge, (record_id, now + CHALLENGE_LIFETIME));
		}
		challenge
	}

	/// Uses up `challenge`: true if it was issued for `record_id` and has not expired.
	pub fn redeem(&self, challenge: &[u8; 32], record_id: &RecordId) -> bool {
		let Ok(mut open) = self.0.lock() else { return false };
		open.remove(challenge).is_some_and(|(issued_for, expires)| {
			issued_for == *record_id && expires > Instant::now()
		})
	}
}

/// Whether `signature` is `patient`'s sr25519 signature of `message`.
pub fn signed_by_patient(patient: &[u8; 32], message: &[u8], signature: &[u8; 64]) -> bool {
	sr25519::Pair::verify(
		&sr25519::Signature::from_raw(*signature),
		message,
		&sr25519::Public::from_raw(*patient),
	)
}

/// Whether `entry` logs `patient` reading `record_id` held by `custodian`.
pub fn logs_patient_read(
	entry: &AccessEntry<AccountId, BlockNumber>,
	record_id: &RecordId,
	patient: &[u8; 32],
	custodian: HospitalId,
) -> bool {
	entry.kind == AccessKind::Patient
		&& entry.accessor == Accessor::Patient
		&& entry.record == *record_id
		&& <[u8; 32]>::from(entry.patient.clone()) == *patient
		&& entry.custodian == custodian
}

/// Access ids this node served, with their entries' blocks; the chain's release receipts
/// cover the rest. An id is kept while its entry is inside the release lifetime: past it, no
/// entry is served anyway (whether or not its receipt is final), so the set stays small even
/// while finality stalls.
#[derive(Default)]
pub struct Served(Mutex<std::collections::HashMap<AccessId, BlockNumber>>);

/// Above this many ids, those of entries past the release lifetime are dropped at the next
/// insert.
const SERVED_PRUNE_ABOVE: usize = 1024;

/// Whether an entry of block `block` is still inside the release lifetime at finalized block
/// `finalized`.
pub fn within_lifetime(block: BlockNumber, finalized: BlockNumber) -> bool {
	finalized <= block.saturating_add(RELEASE_LIFETIME_BLOCKS)
}

impl Served {
	/// Whether `id` was served.
	pub fn contains(&self, id: AccessId) -> bool {
		self.0.lock().map_or(true, |served| served.contains_key(&id))
	}

	/// Forgets that `id` was served (its release could not be sent).
	pub fn forget(&self, id: AccessId) {
		if let Ok(mut served) = self.0.lock() {
			served.remove(&id);
		}
	}

	/// Marks `id` (an entry of block `block`) served, at finalized block `finalized`; false if
	/// it already was.
	pub fn first_time(&self, id: AccessId, block: BlockNumber, finalized: BlockNumber) -> bool {
		let Ok(mut served) = self.0.lock() else { return false };
		if served.len() > SERVED_PRUNE_ABOVE {
			served.retain(|_, block| within_lifetime(*block, finalized));
		}
		match served.entry(id) {
			std::collections::hash_map::Entry::Occupied(_) => false,
			std::collections::hash_map::Entry::Vacant(slot) => {
				slot.insert(block);
				true
			}
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn an_id_is_served_once_until_forgotten_and_expired_ids_are_dropped() {
		let served = Served::default();
		assert!(served.first_time(7, 500, 510));
		assert!(!served.first_time(7, 500, 510));
		assert!(served.contains(7));
		served.forget(7);
		assert!(served.first_time(7, 500, 510));

		// Past their lifetime only: a stalled finality keeps every id.
		for id in 100..=100 + SERVED_PRUNE_ABOVE as u64 {
			assert!(served.first_time(id, 10, 20));
		}
		assert!(served.first_time(1, 500, 20));
		assert!(served.contains(100), "finality stalled: nothing is past its lifetime");
		assert!(served.first_time(2, 500, 10 + RELEASE_LIFETIME_BLOCKS + 1));
		assert!(!served.contains(100), "an id past its lifetime is dropped");
		assert!(served.contains(7) && served.contains(1) && served.contains(2));
	}
}
