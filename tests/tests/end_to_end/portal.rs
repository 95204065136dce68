//! The portal (issue 29) in Debian's Chromium, driven by `portal/web/tests/seed-flow.mjs`
//! (playwright-core) against the four-hospital network: A's records staff issue a DIAGNOSIS by
//! keyboard alone, the patient signs a share of two fields with B in A's portal, B opens them
//! (both verified, no notes), C is refused (wrong hospital), the share is revoked and B is
//! refused (revoked), the patient sees B's read in "Who saw my data", and A's auditor downloads
//! the patient's FHIR bundle, which must validate; A then issues and verifies a prescription.
//! Every view passes axe-core (no serious or critical violation) and no request leaves the node.
//! Screenshots go to `$MEDCHAIN_TEST_LOGS/portal` (the multi-node tests' log folder).

use std::{path::PathBuf, time::Duration};

use jsonrpsee::{core::ClientError, ws_client::WsClientBuilder};
use medchain_app_api::{auth::Role, AccessLogQuery, ErrorCode, MedchainApiClient};
use medchain_tests::{
	custodian::{pseudonym_of, register_patient},
	fhir,
	network::{LocalNetwork, A, ALL, B, C, FIRST_FINALITY, HOSPITAL_B},
	step, Result,
};
use sp_keyring::Sr25519Keyring;

const OPERATOR_A: Sr25519Keyring = Sr25519Keyring::AliceStash;
const PATIENT: Sr25519Keyring = Sr25519Keyring::Ferdie;
/// Debian's Chromium (`scripts/setup.sh`).
const CHROMIUM: &str = "/usr/bin/chromium";
/// The browser run's bound: each of its steps waits three minutes at most.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(900);

fn repository() -> PathBuf {
	PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn output_folder() -> Result<PathBuf> {
	let base = std::env::var_os("MEDCHAIN_TEST_LOGS").map(PathBuf::from).unwrap_or_else(|| {
		std::env::temp_dir().join(format!("medchain-portal-{}", std::process::id()))
	});
	let folder = base.join("portal");
	std::fs::create_dir_all(&folder).map_err(|e| format!("{}: {e}", folder.display()))?;
	Ok(folder)
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_share_and_open_a_record_in_the_portal() -> Result<()> {
	let net = LocalNetwork::start_custodians()?;
	net.wait_finalized(&ALL, 1, FIRST_FINALITY).await?;
	step("the patient is registered at A");
	register_patient(&net.nodes[A].chain()?, OPERATOR_A, PATIENT).await?;

	let patient_token = net.nodes[A].issue_token(Role::Patient, Some(PATIENT))?;
	step("a patient token reads its own patient's accesses only");
	let as_patient = net.nodes[A].app_rpc_with(Some(&patient_token))?;
	let someone_else =
		AccessLogQuery { patient: Some(pseudonym_of(Sr25519Keyring::Eve)), ..Default::default() };
	match as_patient.access_log(someone_else).await {
		Err(ClientError::Call(error)) if error.code() == ErrorCode::Forbidden.code() => {}
		other => return Err(format!("another patient's log for a patient token: {other:?}")),
	}
	let own = AccessLogQuery { patient: Some(pseudonym_of(PATIENT)), ..Default::default() };
	as_patient.access_log(own).await.map_err(|e| e.to_string())?;

	step("a WebSocket ticket opens one connection, for the token that asked");
	let app_a = net.nodes[A].app_rpc(Role::App)?;
	let ticket = app_a.ws_ticket().await.map_err(|e| e.to_string())?.ticket;
	let port = net.nodes[A].custodian()?.port;
	let url = format!("ws://127.0.0.1:{port}/?ticket={ticket}");
	let socket = WsClientBuilder::default().build(&url).await.map_err(|e| e.to_string())?;
	socket.record_types().await.map_err(|e| format!("over the ticket's WebSocket: {e}"))?;
	assert!(WsClientBuilder::default().build(&url).await.is_err(), "a ticket works once");

	let out = output_folder()?;
	let url = |index: usize| -> Result<String> {
		Ok(format!("http://127.0.0.1:{}", net.nodes[index].custodian()?.port))
	};
	let token = |index: usize, role: Role| -> Result<String> {
		Ok(net.nodes[index].custodian()?.token(role)?.to_owned())
	};
	let config = serde_json::json!({
		"chromium": CHROMIUM,
		"out": out,
		"nodes": { "a": url(A)?, "b": url(B)?, "c": url(C)? },
		"tokens": {
			"aApp": token(A, Role::App)?,
			"aAuditor": token(A, Role::Auditor)?,
			"bApp": token(B, Role::App)?,
			"cApp": token(C, Role::App)?,
			"aPatient": patient_token,
		},
		"patient": pseudonym_of(PATIENT).to_string(),
		// The patient's secret, typed into the page as a person would; it never reaches a node.
		"patientSecret": "//Ferdie",
		"hospitalB": HOSPITAL_B,
	});
	let config_file = out.join("config.json");
	std::fs::write(&config_file, config.to_string()).map_err(|e| e.to_string())?;

	step("the seed flow in Chromium");
	let script = repository().join("portal/web/tests/seed-flow.mjs");
	let status = tokio::time::timeout(
		BROWSER_TIMEOUT,
		tokio::process::Command::new("node")
			.arg(&script)
			.arg(&config_file)
			.kill_on_drop(true)
			.status(),
	)
	.await
	.map_err(|_| format!("the browser run took more than {BROWSER_TIMEOUT:?}"))?
	.map_err(|e| format!("node {}: {e}", script.display()))?;
	if !status.success() {
		return Err(net.with_log_tails(format!("the browser run failed: {status}")));
	}

	step("the auditor's download is a FHIR bundle of the patient's accesses, and validates");
	let bundle =
		std::fs::read_to_string(out.join("audit-bundle.json")).map_err(|e| e.to_string())?;
	let bundle: serde_json::Value = serde_json::from_str(&bundle).map_err(|e| e.to_string())?;
	let record = std::fs::read_to_string(out.join("record-id")).map_err(|e| e.to_string())?;
	let events = bundle["entry"].as_array().map_or(0, Vec::len);
	// C's and B's refusals were refused by their nodes before any transaction: not on chain.
	assert!(events >= 1, "B's read is in the bundle: {events} entries");
	assert!(
		bundle.to_string().contains(record.trim().trim_start_matches("0x")),
		"the record is in the bundle"
	);
	println!("{}", fhir::validate(&bundle)?);
	println!("screenshots in {}", out.display());
	Ok(())
}
