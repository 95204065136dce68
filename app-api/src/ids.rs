//! The API's 32-byte values, typed: on the wire each is `0x` and 64 lowercase hex digits, the
//! one encoding the API takes and answers. A malformed one fails the call's params (-32602),
//! with a message naming what was expected.

use core::{fmt, str::FromStr};
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

/// A text that is not `0x` and 64 hex digits.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not 0x-prefixed hex of 32 bytes")]
pub struct NotHex32(pub String);

/// 32 bytes from `0x`-prefixed hex (either case).
fn parse_hex32(text: &str) -> Result<[u8; 32], NotHex32> {
	let mut bytes = [0u8; 32];
	text.strip_prefix("0x")
		.and_then(|digits| hex::decode_to_slice(digits, &mut bytes).ok())
		.map(|()| bytes)
		.ok_or_else(|| NotHex32(text.chars().take(80).collect()))
}

macro_rules! hex32_type {
	($(#[$meta:meta])* $name:ident, $expecting:literal) => {
		$(#[$meta])*
		#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
		pub struct $name(pub [u8; 32]);

		impl From<[u8; 32]> for $name {
			fn from(bytes: [u8; 32]) -> Self {
				Self(bytes)
			}
		}

		impl From<$name> for [u8; 32] {
			fn from(value: $name) -> Self {
				value.0
			}
		}

		impl AsRef<[u8]> for $name {
			fn as_ref(&self) -> &[u8] {
				&self.0
			}
		}

		impl FromStr for $name {
			type Err = NotHex32;
			fn from_str(text: &str) -> Result<Self, NotHex32> {
				parse_hex32(text).map(Self)
			}
		}

		impl fmt::Display for $name {
			fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
				write!(f, "0x{}", hex::encode(self.0))
			}
		}

		impl fmt::Debug for $name {
			fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
				fmt::Display::fmt(self, f)
			}
		}

		impl Serialize for $name {
			fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
				serializer.collect_str(self)
			}
		}

		impl<'de> Deserialize<'de> for $name {
			fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
				let text = String::deserialize(deserializer)?;
				parse_hex32(&text).map(Self).map_err(|NotHex32(shown)| {
					de::Error::invalid_value(de::Unexpected::Str(&shown), &$expecting)
				})
			}
		}
	};
}

hex32_type!(
	/// A record's id, as the chain knows it.
	RecordId,
	"a record id: 0x and 64 hex digits"
);

hex32_type!(
	/// A 32-byte account id: a patient's pseudonym, or the signer of an extrinsic.
	AccountId,
	"an account id: 0x and 64 hex digits (not SS58)"
);

hex32_type!(
	/// A 32-byte hash: a field root, a block or transaction hash, a response hash.
	Hash32,
	"0x and 64 hex digits"
);

impl AccountId {
	/// An account as people write it on a command line or in the token file: SS58, or `0x` and
	/// 64 hex digits. The API itself takes hex only.
	pub fn from_ss58_or_hex(text: &str) -> Option<Self> {
		use sp_core::crypto::{AccountId32, Ss58Codec};
		text.parse()
			.ok()
			.or_else(|| AccountId32::from_ss58check(text).ok().map(|account| Self(account.into())))
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn an_id_is_0x_and_64_hex_digits_in_and_out() {
		let text = format!("0x{}", "ab".repeat(32));
		let id: RecordId = serde_json::from_value(serde_json::json!(text)).unwrap();
		assert_eq!(id, RecordId([0xab; 32]));
		assert_eq!(serde_json::to_value(id).unwrap(), serde_json::json!(text));
		let upper: RecordId =
			serde_json::from_value(serde_json::json!(text.to_uppercase().replace("0X", "0x")))
				.unwrap();
		assert_eq!(upper, id);
	}

	#[test]
	fn anything_else_fails_with_a_message_naming_the_encoding() {
		for bad in [
			serde_json::json!("ab".repeat(32)),
			serde_json::json!(format!("0x{}", "ab".repeat(31))),
			serde_json::json!(format!("0x{}", "zz".repeat(32))),
			serde_json::json!("5CiPPseXPECbkjWCa6MnjNokrgYjMqmKndv2rSnekmSK2DjL"),
			serde_json::json!(7),
		] {
			let error = serde_json::from_value::<AccountId>(bad.clone()).unwrap_err().to_string();
			assert!(
				error.contains("an account id: 0x and 64 hex digits")
					|| error.contains("invalid type"),
				"{bad}: {error}"
			);
		}
		assert_eq!(
			AccountId::from_ss58_or_hex("5CiPPseXPECbkjWCa6MnjNokrgYjMqmKndv2rSnekmSK2DjL")
				.map(|id| id.0[0]),
			Some(0x1c)
		);
		assert_eq!(
			AccountId::from_ss58_or_hex(&format!("0x{}", "05".repeat(32))),
			Some(AccountId([5; 32]))
		);
		assert_eq!(AccountId::from_ss58_or_hex("bob"), None);
		assert_eq!(
			"0x12".parse::<Hash32>().unwrap_err().to_string(),
			"\"0x12\" is not 0x-prefixed hex of 32 bytes"
		);
	}
}
