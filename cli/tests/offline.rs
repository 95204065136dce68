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

/// A well-formed record id that no node is asked about.
const RECORD: &str = "0x0000000000000000000000000000000000000000000000000000000000000000";
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
		"0x13afe21e1cf4f96ee33cfdda5e174c3a42d771c2cbd95c4e6a93501f6e874dbcd0fa92632fab6f1468cddb6894155f7ca02a092d3554f4a477600edc51a2220c"
	);
}

/// The terms of a consent, as `sign-consent` takes them.
fn consent_terms() -> Vec<String> {
	let hex32 = |byte: &str| format!("0x{}", byte.repeat(32));
	[
		"--patient",
		&hex32("11"),
		"--record",
		&hex32("22"),
		"--hours",
		"1",
		"--token-key",
		&hex32("33"),
	]
	.into_iter()
	.chain(["--nonce", "0", "--deadline", "10"])
	.map(String::from)
	.collect()
}

#[test]
fn a_consent_is_signed_from_terms_never_from_given_bytes() {
	let (ok, _, error) =
		medchain(&["--json", "share", "sign-consent", "--message", "0x0102", "--suri", "//Ferdie"]);
	assert!(!ok);
	assert!(error.contains("--message"), "{error}");
	// Terms, and a chain to compute the message from: none answers here, so nothing is signed.
	let mut args =
		vec!["--node", "http://127.0.0.1:9", "share", "sign-consent", "--suri", "//Ferdie"];
	let terms = consent_terms();
	args.extend(terms.iter().map(String::as_str));
	let (ok, signed, error) = medchain(&args);
	assert!(!ok, "signed without the chain: {signed}");
	assert!(error.contains("127.0.0.1:9"), "{error}");
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
	let terms = consent_terms();
	let mut args = vec!["share", "sign-consent"];
	args.extend(terms.iter().map(String::as_str));
	let (ok, _, error) = medchain(&args);
	assert!(!ok);
	assert!(error.contains("MEDCHAIN_SURI"), "{error}");
	let (ok, _, error) = medchain(&["record", "status", RECORD]);
	assert!(!ok);
	assert!(error.contains("no medchain RPC token"), "{error}");
	let (ok, _, error) = medchain(&["audit", "log", "--patient", "x", "--hospital", "1"]);
	assert!(!ok);
	assert!(error.contains("cannot be used with"), "{error}");
}

#[test]
fn an_unreachable_node_is_named() {
	let (ok, _, error) =
		medchain(&["--api", "http://127.0.0.1:9", "--token", "t", "record", "status", RECORD]);
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
