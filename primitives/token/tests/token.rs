//! Share tokens: the derivation and the access-request signature, with test vectors computed
//! independently (`tests/vectors/share_token.py`, Python with pyca/cryptography) so that apps in
//! other languages can check their implementation against them.

#![allow(clippy::expect_used, clippy::arithmetic_side_effects, reason = "test code")]

use medchain_primitives::shares::{AccessRequest, PurposeOfUse};
use medchain_token::{ShareToken, TokenError};
use sp_core::ed25519;

fn hex(bytes: &[u8]) -> String {
	bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

struct Vector {
	secret: [u8; 32],
	token: &'static str,
	seed: &'static str,
	public_key: &'static str,
}

const VECTORS: [Vector; 2] = [
	Vector {
		secret: [
			0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23,
			24, 25, 26, 27, 28, 29, 30, 31,
		],
		token: "VIC_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
		seed: "7367b7019eac80e0819897859e833247cc03fd2b304694d36c0a1072de96d0b5",
		public_key: "f07c855718d231b07618afa14d56c683221deaa485395df861bf509c7c9788a2",
	},
	Vector {
		secret: [0xff; 32],
		token: "VIC___________________________________________8",
		seed: "5503f0461a6d1a75d5d0596a2297b578003c32e393d98cbd429c12cdb88dfd0e",
		public_key: "f6c71778e21916588c3c72791ae14971ad1c6fe680516b34609f48ec75997a14",
	},
];

fn request(uses: u32) -> AccessRequest<u32> {
	AccessRequest {
		genesis_hash: [0x11; 32],
		grant: 7,
		record: [0x22; 32],
		accessor: 1,
		purpose: PurposeOfUse::Treatment,
		uses,
		valid_until: 1000,
	}
}

#[test]
fn token_key_derivation_test_vectors() {
	for vector in VECTORS {
		let token = ShareToken::from_secret(&vector.secret);
		assert_eq!(token.as_str(), vector.token);
		assert_eq!(hex(&token.key_seed()), vector.seed);
		assert_eq!(hex(token.public_key().as_ref()), vector.public_key);
		assert_eq!(ShareToken::parse(vector.token), Ok(token));
	}
}

#[test]
fn access_request_signature_test_vector() {
	let token = ShareToken::from_secret(&VECTORS[0].secret);
	let request = request(2);
	assert_eq!(
		hex(&request.signing_payload()),
		concat!(
			"3c42797465733e6d6564636861696e2f6163636573732d726571756573742f763111111111111111",
			"11111111111111111111111111111111111111111111111111070000000000000022222222222222",
			"22222222222222222222222222222222222222222222222222010000000002000000e80300003c2f",
			"42797465733e",
		)
	);
	let signature = token.sign(&request);
	// ed25519 signatures are deterministic (RFC 8032).
	assert_eq!(
		hex(signature.as_ref()),
		concat!(
			"13afe21e1cf4f96ee33cfdda5e174c3a42d771c2cbd95c4e6a93501f6e874dbcd0fa92632fab6f14",
			"68cddb6894155f7ca02a092d3554f4a477600edc51a2220c",
		)
	);
	assert!(request.is_signed_by(&token.public_key(), &signature));
}

#[test]
fn a_signature_covers_every_field_and_only_its_token() {
	let token = ShareToken::generate();
	let request = request(2);
	let signature = token.sign(&request);
	let key = token.public_key();
	assert!(request.is_signed_by(&key, &signature));

	let changed = [
		AccessRequest { genesis_hash: [0x12; 32], ..request.clone() },
		AccessRequest { grant: 8, ..request.clone() },
		AccessRequest { record: [0x23; 32], ..request.clone() },
		AccessRequest { accessor: 2, ..request.clone() },
		AccessRequest { purpose: PurposeOfUse::Research, ..request.clone() },
		AccessRequest { uses: 3, ..request.clone() },
		AccessRequest { valid_until: 1001, ..request.clone() },
	];
	for other in changed {
		assert!(!other.is_signed_by(&key, &signature), "{other:?} verified");
	}
	assert!(!request.is_signed_by(&ShareToken::generate().public_key(), &signature));
	assert!(!request.is_signed_by(&key, &ed25519::Signature::from_raw([0; 64])));
}

#[test]
fn generated_tokens_are_fresh_well_formed_and_not_printed() {
	let first = ShareToken::generate();
	let second = ShareToken::generate();
	assert_ne!(first, second);
	assert_eq!(first.as_str().len(), 47);
	assert_eq!(ShareToken::parse(first.as_str()), Ok(first.clone()));
	assert!(!format!("{first:?}").contains(&first.as_str()[4..]));
}

#[test]
fn malformed_tokens_are_refused_with_the_reason() {
	let encoded = &VECTORS[0].token[4..];
	assert_eq!(ShareToken::parse(encoded), Err(TokenError::MissingPrefix));
	assert_eq!(ShareToken::parse("VIC_not*base64"), Err(TokenError::NotBase64Url));
	assert_eq!(ShareToken::parse("VIC_AAEC"), Err(TokenError::WrongLength(3)));
	assert_eq!(ShareToken::parse(&format!("{}=", VECTORS[0].token)), Err(TokenError::NotBase64Url));
}
