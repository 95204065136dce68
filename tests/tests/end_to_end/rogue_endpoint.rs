//! A rogue endpoint cannot get a patient's key to sign an extrinsic: it answers
//! `medchain_recordChallenge` with the signing payload of `shares.create_grant` (all of the
//! patient's records, any hospital, the attacker's token key), and `medchain` refuses before
//! it signs anything, so nothing reaches a "submit" or a read. No node runs: the endpoint is a
//! jsonrpsee server in this test, serving both the chain RPC and the medchain RPC.

use std::sync::{Arc, Mutex};

use jsonrpsee::{server::Server, types::ErrorObjectOwned, RpcModule};
use medchain_primitives::shares::{FieldSelection, GrantTerms, PurposeOfUse, TokenKey};
use medchain_runtime::{transaction::UnsignedTransaction, RuntimeCall, VERSION};
use medchain_tests::{node::run_cli, Result};
use serde_json::{json, Value};
use sp_runtime::{generic::Era, BoundedVec};

const GENESIS: [u8; 32] = [0x6e; 32];
const RECORD: [u8; 32] = [0x42; 32];

/// What `medchain` signs when the patient signs: the SCALE signing payload of a transaction
/// that would create an open share of `RECORD` for the attacker's token, at nonce 0.
fn create_grant_signing_payload() -> Vec<u8> {
	let terms = GrantTerms {
		records: BoundedVec::truncate_from(vec![RECORD]),
		fields: FieldSelection::AllButNotes,
		grantee: None,
		duration: 100_000,
		max_uses: None,
		purpose: PurposeOfUse::Treatment,
		token_key: TokenKey::from_raw([0xa7; 32]),
	};
	let call = RuntimeCall::Shares(pallet_shares::Call::create_grant { terms });
	let genesis = sp_core::H256(GENESIS);
	let version = (VERSION.spec_version, VERSION.transaction_version);
	UnsignedTransaction::new(call, 0, Era::Immortal, genesis, genesis, version).signing_bytes()
}

fn hex(bytes: &[u8]) -> String {
	format!("0x{}", ::hex::encode(bytes))
}

/// The rogue endpoint: its address, and the methods it was asked for that would submit a
/// transaction or use a signature.
async fn rogue_endpoint(challenge: Value) -> Result<(String, Arc<Mutex<Vec<String>>>)> {
	let seen = Arc::new(Mutex::new(Vec::new()));
	let mut module = RpcModule::new(seen.clone());
	module
		.register_method("chain_getBlockHash", |_, _, _| hex(&GENESIS))
		.map_err(|e| e.to_string())?;
	module
		.register_method("medchain_recordChallenge", move |_, _, _| challenge.clone())
		.map_err(|e| e.to_string())?;
	for method in [
		"author_submitExtrinsic",
		"author_submitAndWatchExtrinsic",
		"medchain_getRecord",
		"medchain_eraseRecord",
		"medchain_createShare",
	] {
		module
			.register_method(method, move |_, seen, _| {
				if let Ok(mut seen) = seen.lock() {
					seen.push(method.to_string());
				}
				Err::<Value, _>(ErrorObjectOwned::owned(-32000, "rogue", None::<()>))
			})
			.map_err(|e| e.to_string())?;
	}
	let server = Server::builder().build("127.0.0.1:0").await.map_err(|e| e.to_string())?;
	let address = server.local_addr().map_err(|e| e.to_string())?;
	let handle = server.start(module);
	// The server runs until the test process ends.
	std::mem::forget(handle);
	Ok((format!("http://{address}"), seen))
}

/// Runs `medchain` against `url` as patient Ferdie; expects it to fail with `reason`.
fn refused(url: &str, args: &[&str], reason: &str) -> Result<()> {
	let mut all = vec!["--node", url, "--api", url, "--token", "app-token"];
	all.extend_from_slice(args);
	let run = run_cli(&all, &[("MEDCHAIN_SURI", "//Ferdie")])?;
	assert!(!run.success, "medchain {args:?} succeeded against a rogue endpoint: {}", run.stdout);
	assert!(
		run.stderr.contains(reason),
		"medchain {args:?}: expected {reason:?}, got {}",
		run.stderr
	);
	assert!(run.stderr.contains("nothing was signed"), "{}", run.stderr);
	Ok(())
}

// Multi-threaded: the command runs blocking while the endpoint answers it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_patient_key_never_signs_a_payload_an_endpoint_hands_over() -> Result<()> {
	let payload = hex(&create_grant_signing_payload());
	let record = hex(&RECORD);

	// The payload as the message to sign, with a well-formed challenge.
	let (url, seen) = rogue_endpoint(json!({
		"recordId": record,
		"challenge": hex(&[9; 32]),
		"message": payload,
		"eraseMessage": payload,
		"expiresAt": "2026-11-30T01:43:20.000Z",
	}))
	.await?;
	refused(&url, &["record", "get", &record], "other bytes than the record challenge")?;
	refused(
		&url,
		&["record", "erase", &record, "--patient-approval"],
		"other bytes than the record challenge",
	)?;

	// The payload as the challenge itself, which the command would wrap into its message.
	let (sneaky_url, sneaky_seen) = rogue_endpoint(json!({
		"recordId": record,
		"challenge": payload,
		"message": payload,
		"eraseMessage": payload,
		"expiresAt": "2026-11-30T01:43:20.000Z",
	}))
	.await?;
	refused(&sneaky_url, &["record", "get", &record], "not 32 bytes")?;

	for seen in [seen, sneaky_seen] {
		let seen = seen.lock().map_err(|e| e.to_string())?;
		assert!(seen.is_empty(), "the command went on to {seen:?}");
	}
	Ok(())
}
