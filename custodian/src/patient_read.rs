//! A patient reading their own record: single-use challenges, the signature over one, the
//! finalized patient access entry that logs the read, and the release lifetime.

use std::{
	collections::HashMap,
	sync::Mutex,
	time::{Duration, Instant},
};

use medchain_app_api::{
	auth::Holder,
	challenge,
	time::{now_unix_millis, rfc3339},
	types::{to_hex, GetRecord, RecordChallenge, RecordFields},
	ErrorCode, Hash32,
};
use medchain_primitives::{
	access::{AccessEntry, AccessKind, Accessor},
	commitment::RecordId,
	HospitalId,
};
use medchain_runtime::{AccountId, BlockNumber};
use medchain_store::StoredRecord;
use rand::RngCore;
use sp_core::{sr25519, Pair};

use crate::{
	error::chain_error,
	protocol::RELEASE_LIFETIME_BLOCKS,
	records::acting_for,
	release::{disclose, fields_json, Disclosure, NotDisclosed},
	Custodian, Result,
};

/// The message a patient signs over a challenge: to read, or to approve an erasure.
pub type ChallengeMessage = fn(&[u8; 32], &[u8; 32], &[u8; 32]) -> Vec<u8>;

impl Custodian {
	/// `medchain_recordChallenge`: a single-use challenge for the record's patient to sign.
	pub async fn record_challenge(&self, holder: &Holder, id: RecordId) -> Result<RecordChallenge> {
		let (stored, _) = self.stored(id).await?;
		acting_for(holder, &stored)?;
		let challenge = self.challenges.issue(id, holder.id);
		let genesis = self.chain.info().genesis_hash;
		let lifetime = u64::try_from(CHALLENGE_LIFETIME.as_millis()).unwrap_or(u64::MAX);
		Ok(RecordChallenge {
			record_id: id.into(),
			challenge: to_hex(&challenge),
			message: to_hex(&challenge::message(&genesis.0, &id, &challenge)),
			erase_message: to_hex(&challenge::erase_message(&genesis.0, &id, &challenge)),
			expires_at: rfc3339(now_unix_millis().saturating_add(lifetime)),
		})
	}

	/// `medchain_getRecord`: the patient's own record, once its finalized patient access entry
	/// logs the read; released once, with its receipt sent.
	pub async fn get_record(&self, holder: &Holder, request: GetRecord) -> Result<RecordFields> {
		let id = request.record_id.0;
		let (stored, _) = self.stored(id).await?;
		acting_for(holder, &stored)?;
		if stored.erased.is_some() {
			return Err(ErrorCode::RecordErased.error(format!("record {} is erased", to_hex(&id))));
		}
		self.check_patient_signature(
			id,
			holder,
			&stored,
			&request.challenge,
			&request.signature,
			challenge::message,
		)?;
		let access = request.access_id;
		let info = self.chain.info();
		let finalized = info.finalized_hash;
		let entry = self
			.chain
			.access_entry(finalized, access)
			.map_err(chain_error)?
			.filter(|entry| logs_patient_read(entry, &id, &stored.patient, self.hospital))
			.ok_or_else(|| {
				ErrorCode::AccessNotLogged.error(format!(
					"no finalized patient access entry {access} for this record and patient; submit \
					 access_log.patient_access first and wait for finality"
				))
			})?;
		let claimed = self.receipts.claimed(access).await.map_err(unavailable)?;
		if entry.release.is_some() || claimed {
			return Err(ErrorCode::AccessAlreadyServed
				.error(format!("access entry {access} was served already")));
		}
		if !within_lifetime(entry.block, info.finalized_number) {
			return Err(ErrorCode::AccessExpired.error(format!(
				"access entry {access} is older than its release lifetime ({RELEASE_LIFETIME_BLOCKS} blocks): log a new patient_access"
			)));
		}
		let anchor = self
			.chain
			.anchor(finalized, id)
			.map_err(chain_error)?
			.ok_or_else(|| ErrorCode::RecordNotAnchored.error("the record is not anchored"))?;
		// Erased on chain but not shredded here yet (the node is catching up): never serve it.
		if !matches!(anchor.status, medchain_primitives::records::RecordStatus::Active) {
			return Err(ErrorCode::RecordErased
				.error(format!("record {} is not active on chain", to_hex(&id))));
		}
		let mask = medchain_primitives::FieldMask::all(stored.record_type);
		let Disclosure { record_type, fields, response_hash } =
			disclose(self, id, mask, &anchor.field_root).await.map_err(
				|failure| match failure {
					NotDisclosed::Erased => {
						ErrorCode::RecordErased.error(format!("record {} is erased", to_hex(&id)))
					}
					NotDisclosed::Unavailable(error) => unavailable(error),
				},
			)?;
		// Claimed only now, when the fields are ready, durably: never served twice, not even
		// across a restart. Given back if the receipt can't be sent, so a failed read does not
		// use up the patient's access entry.
		if !self.receipts.claim(access, entry.block, response_hash).await.map_err(unavailable)? {
			return Err(ErrorCode::AccessAlreadyServed
				.error(format!("access entry {access} was served already")));
		}
		let release_transaction = match self.receipts.sent(access, response_hash).await {
			Ok(transaction) => transaction,
			Err(error) => {
				self.receipts.unclaim(access).await.map_err(unavailable)?;
				return Err(
					ErrorCode::TransactionRefused.error(format!("confirm_release: {error}"))
				);
			}
		};
		Ok(RecordFields {
			record_id: id.into(),
			record_type: medchain_app_api::fields::type_name(record_type).to_owned(),
			fields: fields_json(record_type, &fields),
			field_root: anchor.field_root.into(),
			access_id: access,
			custodian: self.hospital,
			release_transaction: Hash32(release_transaction.0),
		})
	}

	/// Uses up `challenge` and checks that `signature` is the record's patient's signature of
	/// the message `message` makes of it.
	pub(crate) fn check_patient_signature(
		&self,
		id: RecordId,
		holder: &Holder,
		stored: &StoredRecord,
		challenge: &str,
		signature: &str,
		message: ChallengeMessage,
	) -> Result<()> {
		let challenge = challenge
			.parse::<Hash32>()
			.ok()
			.map(|challenge| challenge.0)
			.filter(|challenge| self.challenges.redeem(challenge, &id, &holder.id))
			.ok_or_else(|| {
				ErrorCode::ChallengeInvalid
					.error("unknown, used or expired challenge, or one for another record or token")
			})?;
		let genesis = self.chain.info().genesis_hash;
		let signature = parse_signature(signature)?;
		if !signed_by_patient(&stored.patient, &message(&genesis.0, &id, &challenge), &signature) {
			return Err(ErrorCode::SignatureInvalid.error(
				"the signature is not the record's patient's signature of the challenge message",
			));
		}
		Ok(())
	}
}

/// The error for a read the store or the chain could not serve; the cause goes to the log.
fn unavailable(error: String) -> crate::Error {
	log::error!(target: "medchain::custodian", "patient read: {error}");
	ErrorCode::StoreUnavailable.error("the record store failed; nothing was served")
}

fn parse_signature(text: &str) -> Result<[u8; 64]> {
	let mut signature = [0u8; 64];
	text.strip_prefix("0x")
		.and_then(|hex_text| hex::decode_to_slice(hex_text, &mut signature).ok())
		.map(|()| signature)
		.ok_or_else(|| {
			ErrorCode::SignatureInvalid.error("a signature is 0x-prefixed hex of 64 bytes")
		})
}

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
