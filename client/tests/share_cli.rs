//! `medchain-share` as an app would call it: a new token, its key, and an access signature that
//! matches the published test vector.

use std::process::Command;

use serde_json::Value;

fn share(args: &[&str]) -> (bool, Value, String) {
	let output = Command::new(env!("CARGO_BIN_EXE_medchain-share"))
		.args(args)
		.output()
		.expect("medchain-share runs");
	let stdout = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
	(output.status.success(), stdout, String::from_utf8_lossy(&output.stderr).into_owned())
}

const VECTOR_TOKEN: &str = "VIC_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

/// `sign-access` with the test vector's token, grant 7, accessor 1, uses 2, valid until 1000.
fn sign_access(genesis: &str, record: &str, purpose: &str) -> (bool, Value, String) {
	share(&[
		"sign-access",
		"--token",
		VECTOR_TOKEN,
		"--genesis",
		genesis,
		"--grant",
		"7",
		"--record",
		record,
		"--accessor",
		"1",
		"--purpose",
		purpose,
		"--uses",
		"2",
		"--valid-until",
		"1000",
	])
}

#[test]
fn a_new_tokens_key_is_the_key_of_its_token() {
	let (ok, created, _) = share(&["new-token"]);
	assert!(ok);
	let token = created["token"].as_str().expect("a token");
	assert!(token.starts_with("VIC_") && token.len() == 47, "{token}");
	let (ok, key, _) = share(&["token-key", token]);
	assert!(ok);
	assert_eq!(key["tokenKey"], created["tokenKey"]);
}

#[test]
fn sign_access_reproduces_the_test_vector() {
	let (ok, key, _) = share(&["token-key", VECTOR_TOKEN]);
	assert!(ok);
	assert_eq!(
		key["tokenKey"],
		"0xf07c855718d231b07618afa14d56c683221deaa485395df861bf509c7c9788a2"
	);
	let genesis = format!("0x{}", "11".repeat(32));
	let record = format!("0x{}", "22".repeat(32));
	let (ok, signed, _) = sign_access(&genesis, &record, "TREAT");
	assert!(ok);
	assert_eq!(
		signed["signature"],
		"0x8c29273de07f3c7fac29210f19dbdff33d425411339cdb7b6bd7c6996a261e2ba9629d4ab98135efa969c26ea14e3a149bca78782dbe709dbc81dc4353011407"
	);
}

#[test]
fn bad_input_is_refused_with_the_reason() {
	let (ok, _, error) = share(&["token-key", "VIC_AAEC"]);
	assert!(!ok);
	assert!(error.contains("32 bytes"), "{error}");
	let (ok, _, error) = sign_access("0x11", "0x22", "TREAT");
	assert!(!ok);
	assert!(error.contains("--genesis has 1 bytes, not 32"), "{error}");
	let genesis = format!("0x{}", "11".repeat(32));
	let (ok, _, error) = sign_access(&genesis, &genesis, "CURE");
	assert!(!ok);
	assert!(error.contains("CURE is not a PurposeOfUse code"), "{error}");
}
