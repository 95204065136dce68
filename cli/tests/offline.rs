//! `medchain` without a node: share tokens and signatures (against the published test vectors),
//! completions, and the errors a user meets before anything is sent.

use std::process::Command;

use serde_json::Value;

/// Runs `medchain args` with a clean environment; its success, JSON output and stderr.
fn medchain(args: &[&str]) -> (bool, Value, String) {
	let output = Command::new(env!("CARGO_BIN_EXE_medchain"))
		.args(args)
		.env_remove("MEDCHAIN_TOKEN")
		.env_remove("MEDCHAIN_SURI")
		.env_remove("MEDCHAIN_SHARE_TOKEN")
		.output()
		.expect("medchain runs");
	let stdout = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
	(output.status.success(), stdout, String::from_utf8_lossy(&output.stderr).into_owned())
}

const VECTOR_TOKEN: &str = "VIC_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

/// `sign-access` with the test vector's token, grant 7, accessor 1, uses 2, valid until 1000.
fn sign_access(genesis: &str, record: &str, purpose: &str) -> (bool, Value, String) {
	medchain(&[
		"--json",
		"share",
		"sign-access",
		"--share-token",
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
	let (ok, created, _) = medchain(&["--json", "share", "new-token"]);
	assert!(ok);
	let token = created["token"].as_str().expect("a token");
	assert!(token.starts_with("VIC_") && token.len() == 47, "{token}");
	let (ok, key, _) = medchain(&["--json", "share", "token-key", "--share-token", token]);
	assert!(ok);
	assert_eq!(key["tokenKey"], created["tokenKey"]);
}

#[test]
fn sign_access_reproduces_the_test_vector() {
	let (ok, key, _) = medchain(&["--json", "share", "token-key", "--share-token", VECTOR_TOKEN]);
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
fn a_consent_signature_verifies_with_the_patients_key() {
	use sp_core::{crypto::Pair as _, sr25519};
	let (ok, signed, error) =
		medchain(&["--json", "share", "sign-consent", "--message", "0x0102", "--suri", "//Ferdie"]);
	assert!(ok, "{error}");
	let signature = sp_core::bytes::from_hex(signed["signature"].as_str().unwrap()).unwrap();
	let signature = sr25519::Signature::from_raw(signature.try_into().unwrap());
	let ferdie = sr25519::Pair::from_string("//Ferdie", None).unwrap();
	assert!(sr25519::Pair::verify(&signature, [1u8, 2], &ferdie.public()));
}

#[test]
fn bad_input_is_refused_with_the_reason_and_a_failing_status() {
	let (ok, _, error) = medchain(&["share", "token-key", "--share-token", "VIC_AAEC"]);
	assert!(!ok);
	assert!(error.contains("32 bytes"), "{error}");
	let (ok, _, error) = sign_access("0x11", "0x22", "TREAT");
	assert!(!ok);
	assert!(error.contains("--genesis has 1 bytes, not 32"), "{error}");
	let genesis = format!("0x{}", "11".repeat(32));
	let (ok, _, error) = sign_access(&genesis, &genesis, "CURE");
	assert!(!ok);
	assert!(error.contains("CURE is not an HL7 PurposeOfUse code"), "{error}");
	let (ok, _, error) = medchain(&["share", "token-key"]);
	assert!(!ok);
	assert!(error.contains("MEDCHAIN_SHARE_TOKEN"), "{error}");
	let (ok, _, error) = medchain(&["share", "sign-consent", "--message", "0x01"]);
	assert!(!ok);
	assert!(error.contains("MEDCHAIN_SURI"), "{error}");
	let (ok, _, error) = medchain(&["record", "status", "0x00"]);
	assert!(!ok);
	assert!(error.contains("no medchain RPC token"), "{error}");
	let (ok, _, error) = medchain(&["audit", "log", "--patient", "x", "--hospital", "1"]);
	assert!(!ok);
	assert!(error.contains("cannot be used with"), "{error}");
}

#[test]
fn an_unreachable_node_is_named() {
	let (ok, _, error) =
		medchain(&["--api", "http://127.0.0.1:9", "--token", "t", "record", "status", "0x00"]);
	assert!(!ok);
	assert!(error.contains("cannot reach the node"), "{error}");
}

#[test]
fn completions_cover_every_subcommand() {
	let output = Command::new(env!("CARGO_BIN_EXE_medchain"))
		.args(["completions", "bash"])
		.output()
		.expect("medchain runs");
	assert!(output.status.success());
	let script = String::from_utf8_lossy(&output.stdout);
	for command in [
		"medchain__record__import",
		"medchain__share__new__token",
		"medchain__consent__approve",
		"medchain__audit__export",
		"medchain__hospital__rotate__session__keys",
		"medchain__node__status",
	] {
		assert!(script.contains(command), "{command} missing from the bash completions");
	}
}
