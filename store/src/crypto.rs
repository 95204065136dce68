//! AES-256-GCM (ring) for records (under their data keys) and data keys (under the epoch KEK).

use codec::Encode;
use medchain_primitives::commitment::RecordId;
use rand::RngCore;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, Zeroizing};

use crate::StoreError;

const RECORD_AAD: &[u8] = b"medchain/record/v1";
const DATA_KEY_AAD: &[u8] = b"medchain/data-key/v1";
const KEY_ID_DOMAIN: &[u8] = b"medchain/data-key-id/v1";
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
/// The length of a wrapped data key: nonce, key, tag.
pub const WRAPPED_KEY_LEN: usize = NONCE_LEN + 32 + TAG_LEN;

/// One record's AES-256 key.
pub struct DataKey(Zeroizing<[u8; 32]>);

impl DataKey {
	/// A fresh random key.
	pub fn generate() -> Self {
		let mut key = Zeroizing::new([0u8; 32]);
		rand::rngs::OsRng.fill_bytes(key.as_mut_slice());
		Self(key)
	}

	/// The all-zero key: only for check values, never for a record.
	pub(crate) fn zero() -> Self {
		Self(Zeroizing::new([0u8; 32]))
	}

	/// A public name for this key, for erasure receipts: a hash of the key.
	pub fn id(&self) -> [u8; 16] {
		let digest = Sha256::new().chain_update(KEY_ID_DOMAIN).chain_update(self.0.as_slice());
		let mut id = [0u8; 16];
		id.copy_from_slice(&digest.finalize()[..16]);
		id
	}

	/// `nonce ‖ ciphertext ‖ tag` of `plaintext`'s encoding for record `record_id`. The encoding
	/// is encrypted in place, in a buffer sized for it, so no plaintext copy is left behind.
	pub fn seal(
		&self,
		record_id: &RecordId,
		plaintext: &impl Encode,
	) -> Result<Vec<u8>, StoreError> {
		let mut sealed =
			Vec::with_capacity(plaintext.encoded_size().saturating_add(NONCE_LEN + TAG_LEN));
		sealed.extend_from_slice(&random_nonce());
		plaintext.encode_to(&mut sealed);
		seal_in_place(&self.0, &aad(RECORD_AAD, &[record_id]), sealed)
	}

	/// A digest of `content` keyed with this data key: what a retry's content is compared
	/// with. It tells nothing without the key, and nothing at all once the key is destroyed.
	pub fn content_digest(&self, content: &[u8]) -> [u8; 32] {
		use hmac::{Hmac, Mac};
		let Ok(mut mac) = <Hmac<sha2::Sha256> as Mac>::new_from_slice(self.0.as_slice()) else {
			return [0; 32];
		};
		mac.update(b"medchain/record-content/v2");
		mac.update(content);
		mac.finalize().into_bytes().into()
	}

	/// The plaintext of what [`Self::seal`] made for `record_id`, decrypted in place.
	pub fn open(
		&self,
		record_id: &RecordId,
		sealed: Vec<u8>,
	) -> Result<Zeroizing<Vec<u8>>, StoreError> {
		open_bytes(&cipher(&self.0)?, &aad(RECORD_AAD, &[record_id]), sealed)
	}

	/// This key wrapped under the KEK `kek` of `epoch`, bound to its record.
	pub fn wrap(
		&self,
		kek: &[u8; 32],
		epoch: u64,
		record_id: &RecordId,
	) -> Result<Vec<u8>, StoreError> {
		seal_bytes(kek, &aad(DATA_KEY_AAD, &[&epoch.to_le_bytes(), record_id]), self.0.as_slice())
	}

	/// The key [`Self::wrap`] wrapped.
	pub fn unwrap_from(
		wrapped: &[u8],
		kek: &[u8; 32],
		epoch: u64,
		record_id: &RecordId,
	) -> Result<Self, StoreError> {
		Unwrapper::new(kek, epoch, record_id)?.unwrap(wrapped)
	}
}

/// Unwraps one record's data key under one KEK epoch, set up once for many attempts.
pub struct Unwrapper {
	cipher: LessSafeKey,
	aad: Vec<u8>,
}

impl Unwrapper {
	/// For the key of `record_id` wrapped under `kek` of `epoch`.
	pub fn new(kek: &[u8; 32], epoch: u64, record_id: &RecordId) -> Result<Self, StoreError> {
		Ok(Self {
			cipher: cipher(kek)?,
			aad: aad(DATA_KEY_AAD, &[&epoch.to_le_bytes(), record_id]),
		})
	}

	/// The data key in `wrapped`.
	pub fn unwrap(&self, wrapped: &[u8]) -> Result<DataKey, StoreError> {
		let plain = open_bytes(&self.cipher, &self.aad, wrapped.to_vec())?;
		let key: [u8; 32] = plain.as_slice().try_into().map_err(|_| StoreError::Decryption)?;
		Ok(DataKey(Zeroizing::new(key)))
	}
}

fn cipher(key: &[u8; 32]) -> Result<LessSafeKey, StoreError> {
	UnboundKey::new(&AES_256_GCM, key).map(LessSafeKey::new).map_err(|_| StoreError::Encryption)
}

fn random_nonce() -> [u8; NONCE_LEN] {
	let mut nonce = [0u8; NONCE_LEN];
	rand::rngs::OsRng.fill_bytes(&mut nonce);
	nonce
}

fn aad(domain: &[u8], parts: &[&[u8]]) -> Vec<u8> {
	let mut aad = domain.to_vec();
	parts.iter().for_each(|part| aad.extend_from_slice(part));
	aad
}

/// `nonce ‖ ciphertext ‖ tag` of `plaintext` under `key`, with a random nonce.
pub(crate) fn seal_bytes(
	key: &[u8; 32],
	aad: &[u8],
	plaintext: &[u8],
) -> Result<Vec<u8>, StoreError> {
	let mut sealed = Vec::with_capacity(NONCE_LEN + plaintext.len() + TAG_LEN);
	sealed.extend_from_slice(&random_nonce());
	sealed.extend_from_slice(plaintext);
	seal_in_place(key, aad, sealed)
}

/// Encrypts `buffer` (`nonce ‖ plaintext`) in place and appends the tag; zeroes it on failure.
fn seal_in_place(key: &[u8; 32], aad: &[u8], mut buffer: Vec<u8>) -> Result<Vec<u8>, StoreError> {
	let sealing = match (cipher(key), buffer.split_at_mut_checked(NONCE_LEN)) {
		(Ok(cipher), Some((nonce, body))) => {
			let nonce =
				Nonce::try_assume_unique_for_key(nonce).map_err(|_| StoreError::Encryption)?;
			cipher
				.seal_in_place_separate_tag(nonce, Aad::from(aad), body)
				.map_err(|_| StoreError::Encryption)
		}
		_ => Err(StoreError::Encryption),
	};
	match sealing {
		Ok(tag) => {
			buffer.extend_from_slice(tag.as_ref());
			Ok(buffer)
		}
		Err(error) => {
			buffer.zeroize();
			Err(error)
		}
	}
}

/// The plaintext of `nonce ‖ ciphertext ‖ tag` under `cipher`, decrypted in place.
pub(crate) fn open_bytes(
	cipher: &LessSafeKey,
	aad: &[u8],
	sealed: Vec<u8>,
) -> Result<Zeroizing<Vec<u8>>, StoreError> {
	let mut sealed = Zeroizing::new(sealed);
	let (nonce, body) = sealed.split_at_mut_checked(NONCE_LEN).ok_or(StoreError::Decryption)?;
	let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| StoreError::Decryption)?;
	let plain_len = cipher
		.open_in_place(nonce, Aad::from(aad), body)
		.map_err(|_| StoreError::Decryption)?
		.len();
	sealed.truncate(NONCE_LEN.saturating_add(plain_len));
	sealed.drain(..NONCE_LEN);
	Ok(sealed)
}

/// [`open_bytes`] under the raw `key`.
pub(crate) fn open_with_key(
	key: &[u8; 32],
	aad: &[u8],
	sealed: Vec<u8>,
) -> Result<Zeroizing<Vec<u8>>, StoreError> {
	open_bytes(&cipher(key)?, aad, sealed)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_record_opens_only_under_its_key_and_id() {
		let key = DataKey::generate();
		let sealed = key.seal(&[1; 32], &b"fields".to_vec()).unwrap();
		let encoded = b"fields".to_vec().encode();
		assert_eq!(key.open(&[1; 32], sealed.clone()).unwrap().as_slice(), encoded);
		assert!(matches!(key.open(&[2; 32], sealed.clone()), Err(StoreError::Decryption)));
		assert!(matches!(
			DataKey::generate().open(&[1; 32], sealed.clone()),
			Err(StoreError::Decryption)
		));
		for cut in [0, NONCE_LEN, NONCE_LEN + TAG_LEN - 1] {
			let short = sealed.get(..cut).unwrap().to_vec();
			assert!(matches!(key.open(&[1; 32], short), Err(StoreError::Decryption)));
		}
	}

	#[test]
	fn a_wrapped_key_unwraps_only_under_its_kek_epoch_and_record() {
		let key = DataKey::generate();
		let kek = [9u8; 32];
		let wrapped = key.wrap(&kek, 4, &[1; 32]).unwrap();
		assert_eq!(DataKey::unwrap_from(&wrapped, &kek, 4, &[1; 32]).unwrap().id(), key.id());
		for (kek, epoch, record) in
			[([8u8; 32], 4, [1u8; 32]), (kek, 5, [1; 32]), (kek, 4, [2; 32])]
		{
			assert!(DataKey::unwrap_from(&wrapped, &kek, epoch, &record).is_err());
		}
	}
}
