//! # medchain token
//!
//! Share tokens: the secret a patient hands to whoever may use a grant (client side only, `std`).
//!
//! ```text
//! token      = "VIC_" ‖ base64url-without-padding(32 random bytes)        (47 characters)
//! seed       = SHA-256("medchain/share/v1" ‖ token as ASCII)
//! token key  = the ed25519 public key of `seed` (RFC 8032 secret key)
//! ```
//!
//! The token never reaches the chain or a node; the grant stores only the token key, and an
//! access carries the token's signature of an [`AccessRequest`]. Test vectors are in
//! `tests/token.rs`.

#![deny(missing_docs)]

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use codec::Encode;
use sha2::{Digest, Sha256};
use sp_core::{ed25519, Pair};
use zeroize::Zeroizing;

use medchain_primitives::shares::{AccessRequest, TokenKey, TokenSignature};

/// What every share token starts with.
pub const TOKEN_PREFIX: &str = "VIC_";
/// Domain tag of the token key derivation.
pub const SHARE_KEY_DOMAIN: &[u8] = b"medchain/share/v1";

/// Why a string is not a share token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenError {
	/// The text does not start with `TOKEN_PREFIX`.
	MissingPrefix,
	/// The rest is not base64url without padding.
	NotBase64Url,
	/// The token must carry exactly 32 bytes; it carries this many.
	WrongLength(usize),
}

impl core::fmt::Display for TokenError {
	fn fmt(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
		match self {
			TokenError::MissingPrefix => write!(f, "a share token starts with {TOKEN_PREFIX}"),
			TokenError::NotBase64Url => write!(f, "a share token is base64url without padding"),
			TokenError::WrongLength(n) => write!(f, "a share token carries 32 bytes, not {n}"),
		}
	}
}

impl std::error::Error for TokenError {}

/// A share token. `Debug` does not print the secret, and its memory is zeroed when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct ShareToken(Zeroizing<String>);

impl core::fmt::Debug for ShareToken {
	fn fmt(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
		write!(f, "ShareToken({TOKEN_PREFIX}…)")
	}
}

impl ShareToken {
	/// A fresh token from the operating system's random number generator.
	pub fn generate() -> Self {
		let mut secret = Zeroizing::new([0u8; 32]);
		rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, secret.as_mut_slice());
		Self::from_secret(&secret)
	}

	/// The token carrying the 32 bytes `secret`.
	pub fn from_secret(secret: &[u8; 32]) -> Self {
		// Sized up front, so that no reallocation leaves a copy of the secret behind.
		let mut text = Zeroizing::new(String::with_capacity(TOKEN_PREFIX.len() + 43));
		text.push_str(TOKEN_PREFIX);
		URL_SAFE_NO_PAD.encode_string(secret, &mut text);
		Self(text)
	}

	/// Reads a token from its text (`VIC_…`).
	pub fn parse(text: &str) -> Result<Self, TokenError> {
		let encoded = text.strip_prefix(TOKEN_PREFIX).ok_or(TokenError::MissingPrefix)?;
		let secret =
			Zeroizing::new(URL_SAFE_NO_PAD.decode(encoded).map_err(|_| TokenError::NotBase64Url)?);
		let secret: Zeroizing<[u8; 32]> = Zeroizing::new(
			secret.as_slice().try_into().map_err(|_| TokenError::WrongLength(secret.len()))?,
		);
		Ok(Self::from_secret(&secret))
	}

	/// The token's text: the secret to hand over.
	pub fn as_str(&self) -> &str {
		&self.0
	}

	/// SHA-256(`SHARE_KEY_DOMAIN` ‖ token), the ed25519 secret key.
	pub fn key_seed(&self) -> [u8; 32] {
		let mut hasher = Sha256::new();
		hasher.update(SHARE_KEY_DOMAIN);
		hasher.update(self.0.as_bytes());
		hasher.finalize().into()
	}

	fn pair(&self) -> ed25519::Pair {
		let seed = Zeroizing::new(self.key_seed());
		ed25519::Pair::from_seed(&seed)
	}

	/// The key a grant stores.
	pub fn public_key(&self) -> TokenKey {
		self.pair().public()
	}

	/// Signs a request to use the grant once.
	pub fn sign<BlockNumber: Encode>(
		&self,
		request: &AccessRequest<BlockNumber>,
	) -> TokenSignature {
		self.pair().sign(&request.signing_payload())
	}
}
