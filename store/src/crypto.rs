//! AES-256-GCM for records (under their data keys) and data keys (under the epoch KEK).

use aes_gcm::{
	aead::{Aead, KeyInit, Payload},
	Aes256Gcm, Nonce,
};
use medchain_primitives::commitment::RecordId;
use rand::RngCore;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::StoreError;

const RECORD_AAD: &[u8] = b"medchain/record/v1";
const DATA_KEY_AAD: &[u8] = b"medchain/data-key/v1";
const KEY_ID_DOMAIN: &[u8] = b"medchain/data-key-id/v1";
const NONCE_LEN: usize = 12;
/// The length of a wrapped data key: nonce, key, tag.
pub const WRAPPED_KEY_LEN: usize = NONCE_LEN + 32 + 16;

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

	/// HMAC-SHA-256 of `data` under this key, with a domain tag.
	pub fn keyed_digest(&self, domain: &[u8], data: &[u8]) -> [u8; 32] {
		use hmac::{Hmac, Mac};
		let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.0.as_slice())
			.unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
		mac.update(domain);
		mac.update(data);
		mac.finalize().into_bytes().into()
	}

	/// `nonce ‖ ciphertext ‖ tag` of the record `record_id`'s plaintext.
	pub fn seal(&self, record_id: &RecordId, plaintext: &[u8]) -> Result<Vec<u8>, StoreError> {
		seal(&self.0, &aad(RECORD_AAD, &[record_id]), plaintext)
	}

	/// The plaintext of what [`Self::seal`] made for `record_id`.
	pub fn open(
		&self,
		record_id: &RecordId,
		sealed: &[u8],
	) -> Result<Zeroizing<Vec<u8>>, StoreError> {
		open(&self.0, &aad(RECORD_AAD, &[record_id]), sealed)
	}

	/// This key wrapped under the KEK `kek` of `epoch`, bound to its record.
	pub fn wrap(
		&self,
		kek: &[u8; 32],
		epoch: u64,
		record_id: &RecordId,
	) -> Result<Vec<u8>, StoreError> {
		seal(kek, &aad(DATA_KEY_AAD, &[&epoch.to_le_bytes(), record_id]), self.0.as_slice())
	}

	/// The key [`Self::wrap`] wrapped.
	pub fn unwrap_from(
		wrapped: &[u8],
		kek: &[u8; 32],
		epoch: u64,
		record_id: &RecordId,
	) -> Result<Self, StoreError> {
		Unwrapper::new(kek, epoch, record_id).unwrap(wrapped)
	}
}

/// Unwraps one record's data key under one KEK epoch, set up once for many attempts.
pub struct Unwrapper {
	cipher: Aes256Gcm,
	aad: Vec<u8>,
}

impl Unwrapper {
	/// For the key of `record_id` wrapped under `kek` of `epoch`.
	pub fn new(kek: &[u8; 32], epoch: u64, record_id: &RecordId) -> Self {
		Self {
			cipher: Aes256Gcm::new(kek.into()),
			aad: aad(DATA_KEY_AAD, &[&epoch.to_le_bytes(), record_id]),
		}
	}

	/// The data key in `wrapped`.
	pub fn unwrap(&self, wrapped: &[u8]) -> Result<DataKey, StoreError> {
		let (nonce, ciphertext) =
			wrapped.split_at_checked(NONCE_LEN).ok_or(StoreError::Decryption)?;
		let plain = self
			.cipher
			.decrypt(Nonce::from_slice(nonce), Payload { msg: ciphertext, aad: &self.aad })
			.map(Zeroizing::new)
			.map_err(|_| StoreError::Decryption)?;
		let mut key = Zeroizing::new([0u8; 32]);
		if plain.len() != key.len() {
			return Err(StoreError::Decryption);
		}
		key.copy_from_slice(&plain);
		Ok(DataKey(key))
	}
}

fn aad(domain: &[u8], parts: &[&[u8]]) -> Vec<u8> {
	let mut aad = domain.to_vec();
	parts.iter().for_each(|part| aad.extend_from_slice(part));
	aad
}

fn seal(key: &[u8; 32], aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, StoreError> {
	let mut nonce = [0u8; NONCE_LEN];
	rand::rngs::OsRng.fill_bytes(&mut nonce);
	let ciphertext = Aes256Gcm::new(key.into())
		.encrypt(Nonce::from_slice(&nonce), Payload { msg: plaintext, aad })
		.map_err(|_| StoreError::Encryption)?;
	let mut sealed = nonce.to_vec();
	sealed.extend_from_slice(&ciphertext);
	Ok(sealed)
}

fn open(key: &[u8; 32], aad: &[u8], sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, StoreError> {
	let (nonce, ciphertext) = sealed.split_at_checked(NONCE_LEN).ok_or(StoreError::Decryption)?;
	Aes256Gcm::new(key.into())
		.decrypt(Nonce::from_slice(nonce), Payload { msg: ciphertext, aad })
		.map(Zeroizing::new)
		.map_err(|_| StoreError::Decryption)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_record_opens_only_under_its_key_and_id() {
		let key = DataKey::generate();
		let sealed = key.seal(&[1; 32], b"fields").unwrap();
		assert_eq!(key.open(&[1; 32], &sealed).unwrap().as_slice(), b"fields");
		assert!(matches!(key.open(&[2; 32], &sealed), Err(StoreError::Decryption)));
		assert!(matches!(DataKey::generate().open(&[1; 32], &sealed), Err(StoreError::Decryption)));
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
