//! A patient reading their own record: single-use challenges, the signature over one, the
//! finalized patient access entry that logs the read, and the release lifetime.

use std::{
	collections::HashMap,
	sync::Mutex,
	time::{Duration, Instant},
};

use medchain_primitives::{
	access::{AccessEntry, AccessKind, Accessor},
	commitment::RecordId,
	HospitalId,
};
use medchain_runtime::{AccountId, BlockNumber};
use rand::RngCore;
use sp_core::{sr25519, Pair};

use crate::network::release::RELEASE_LIFETIME_BLOCKS;

/// How long a challenge stays good.
pub const CHALLENGE_LIFETIME: Duration = Duration::from_secs(120);
/// Most open challenges of one token; its oldest go first, so one token can't push out
/// another's.
const MAX_OPEN_CHALLENGES_PER_TOKEN: usize = 256;

/// A challenge handed out: the record, the token it was handed to, and when it expires.
struct Issued {
	record_id: RecordId,
	token: [u8; 32],
	expires: Instant,
}

/// Challenges handed out and not used yet.
#[derive(Default)]
pub struct Challenges(Mutex<HashMap<[u8; 32], Issued>>);

impl Challenges {
	/// A fresh challenge for `record_id`, handed to token `token` (its hash).
	pub fn issue(&self, record_id: RecordId, token: [u8; 32]) -> [u8; 32] {
		let mut challenge = [0u8; 32];
		rand::rngs::OsRng.fill_bytes(&mut challenge);
		if let Ok(mut open) = self.0.lock() {
			let now = Instant::now();
			open.retain(|_, issued| issued.expires > now);
			let of_token = open.values().filter(|issued| issued.token == token).count();
			if of_token >= MAX_OPEN_CHALLENGES_PER_TOKEN {
				let oldest = open
					.iter()
					.filter(|(_, issued)| issued.token == token)
					.min_by_key(|(_, issued)| issued.expires)
					.map(|(key, _)| *key);
				oldest.map(|key| open.remove(&key));
			}
			open.insert(challenge, Issued { record_id, token, expires: now + CHALLENGE_LIFETIME });
		}
		challenge
	}

	/// Uses up `challenge`: true if it was issued for `record_id` to `token` and has not
	/// expired.
	pub fn redeem(&self, challenge: &[u8; 32], record_id: &RecordId, token: &[u8; 32]) -> bool {
		let Ok(mut open) = self.0.lock() else { return false };
		open.remove(challenge).is_some_and(|issued| {
			issued.record_id == *record_id
				&& issued.token == *token
				&& issued.expires > Instant::now()
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

/// Whether an entry of block `block` is still inside the release lifetime at finalized block
/// `finalized`.
pub fn within_lifetime(block: BlockNumber, finalized: BlockNumber) -> bool {
	finalized <= block.saturating_add(RELEASE_LIFETIME_BLOCKS)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_challenge_is_redeemed_once_by_its_token_and_tokens_do_not_evict_each_other() {
		let challenges = Challenges::default();
		let (app, other) = ([1; 32], [2; 32]);
		let kept = challenges.issue([9; 32], app);
		assert!(!challenges.redeem(&kept, &[9; 32], &other), "another token");
		let kept = challenges.issue([9; 32], app);
		for _ in 0..MAX_OPEN_CHALLENGES_PER_TOKEN * 2 {
			challenges.issue([8; 32], other);
		}
		assert!(!challenges.redeem(&kept, &[8; 32], &app), "another record");
		let kept = challenges.issue([9; 32], app);
		for _ in 0..MAX_OPEN_CHALLENGES_PER_TOKEN * 2 {
			challenges.issue([8; 32], other);
		}
		assert!(challenges.redeem(&kept, &[9; 32], &app));
		assert!(!challenges.redeem(&kept, &[9; 32], &app), "used up");
	}

	#[test]
	fn an_entry_is_released_within_its_lifetime_only() {
		assert!(within_lifetime(10, 10 + RELEASE_LIFETIME_BLOCKS));
		assert!(!within_lifetime(10, 11 + RELEASE_LIFETIME_BLOCKS));
		assert!(within_lifetime(u32::MAX, u32::MAX));
	}
}
