//! A backup and restore round trip of Hospital A's node, as `docs/operations.md` describes it.
//! With the node stopped, its record store, KEK file, keystore and RPC token file are copied
//! away; then its whole base path is lost. Restored onto an empty base path with another
//! hospital's KEK, the node refuses to start and says why. Restored with its own KEK, it syncs
//! the chain from its peers, reads back every record it held (a retry of each is decrypted and
//! compared) and anchors new ones.

use std::{
	fs,
	path::{Path, PathBuf},
	time::Duration,
};

use jsonrpsee::core::ClientError;
use medchain_app_api::{
	auth::Role,
	types::{AnchorStatus, SubmitRecord},
	ErrorCode, MedchainApiClient,
};
use medchain_tests::network::{A, ALL, B, FIRST_FINALITY};
use medchain_tests::{
	client::rpc::wait_until,
	custodian::{pseudonym_of, register_patient},
	network::LocalNetwork,
	Result,
};
use serde_json::json;
use sp_keyring::Sr25519Keyring;

const OPERATOR_A: Sr25519Keyring = Sr25519Keyring::AliceStash;
const PATIENT: Sr25519Keyring = Sr25519Keyring::Ferdie;

fn record(n: usize, pulse: &str) -> SubmitRecord {
	SubmitRecord {
		client_request_id: format!("backup-{n}"),
		patient: pseudonym_of(PATIENT),
		record_type: "VITAL_SIGNS".into(),
		fields: json!({ "heart_rate": pulse, "recorded_by": "nurse", "date": "2026-11-30" })
			.as_object()
			.cloned()
			.unwrap_or_default(),
		valid_until: None,
	}
}

/// The node's chain directory (`<base>/chains/<chain id>`).
fn chain_dir(base: &Path) -> Result<PathBuf> {
	let chains = base.join("chains");
	let mut dirs = fs::read_dir(&chains).map_err(|e| format!("{}: {e}", chains.display()))?;
	let entry = dirs.next().ok_or("no chain directory")?.map_err(|e| e.to_string())?;
	Ok(entry.path())
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
	fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
	for entry in fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
		let path = entry.map_err(|e| e.to_string())?.path();
		let target = to.join(path.file_name().ok_or("a file name")?);
		if path.is_dir() {
			copy_dir(&path, &target)?;
		} else {
			fs::copy(&path, &target).map_err(|e| format!("{}: {e}", path.display()))?;
		}
	}
	Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hospital_node_restored_from_its_backup_reads_its_records() -> Result<()> {
	let mut net = LocalNetwork::start_custodians()?;
	net.wait_finalized(&ALL, 1, FIRST_FINALITY).await?;
	register_patient(&net.nodes[A].chain()?, OPERATOR_A, PATIENT).await?;
	let app = net.nodes[A].app_rpc(Role::App)?;
	let records: Vec<SubmitRecord> = (0..3).map(|n| record(n, &format!("{}", 60 + n))).collect();
	let stored = app.submit_records(records.clone()).await.map_err(|e| e.to_string())?;
	wait_until("the records' anchors to be final", Duration::from_secs(120), || async {
		let status = app.record_status(stored[2].record_id).await.map_err(|e| e.to_string())?;
		Ok((status.status == AnchorStatus::Finalized).then_some(()))
	})
	.await?;

	// The backup: the node stopped, its store with the KEK file (medchain/), its keystore
	// (the operator key) and its RPC token file.
	let base = net.nodes[A].base_path.clone();
	let chain = chain_dir(&base)?;
	let chain_name = chain.file_name().ok_or("a chain id")?.to_owned();
	net.nodes[A].kill()?;
	let backup = tempfile::tempdir().map_err(|e| e.to_string())?;
	copy_dir(&chain.join("medchain"), &backup.path().join("medchain"))?;
	copy_dir(&chain.join("keystore"), &backup.path().join("keystore"))?;
	fs::copy(base.join("medchain-rpc-tokens"), backup.path().join("medchain-rpc-tokens"))
		.map_err(|e| e.to_string())?;
	fs::remove_dir_all(&base).map_err(|e| e.to_string())?;

	// Restored with Hospital B's KEK file: the node refuses to start, and says why.
	let restored = base.join("chains").join(&chain_name);
	copy_dir(&backup.path().join("medchain"), &restored.join("medchain"))?;
	copy_dir(&backup.path().join("keystore"), &restored.join("keystore"))?;
	fs::copy(backup.path().join("medchain-rpc-tokens"), base.join("medchain-rpc-tokens"))
		.map_err(|e| e.to_string())?;
	let kek_of_b = chain_dir(&net.nodes[B].base_path)?.join("medchain").join("kek");
	fs::copy(&kek_of_b, restored.join("medchain").join("kek")).map_err(|e| e.to_string())?;
	net.nodes[A].start()?;
	for _ in 0..120 {
		if !net.nodes[A].is_running() {
			break;
		}
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
	assert!(!net.nodes[A].is_running(), "A's node runs with B's KEK file");
	// The whole log: a shutdown backtrace after the refusal can run longer than a tail.
	let log = net.nodes[A].log_tail(usize::MAX);
	assert!(
		log.contains("is not this store's"),
		"the refusal names the KEK: {}",
		net.nodes[A].log_tail(80)
	);

	// Restored with its own KEK file: it syncs, and every record reads back.
	fs::copy(backup.path().join("medchain").join("kek"), restored.join("medchain").join("kek"))
		.map_err(|e| e.to_string())?;
	net.nodes[A].start()?;
	net.wait_finalized(&[A], 3, FIRST_FINALITY).await.map_err(|e| net.with_log_tails(e))?;
	let app = net.nodes[A].app_rpc(Role::App)?;
	let again = app.submit_records(records.clone()).await.map_err(|e| e.to_string())?;
	for (before, after) in stored.iter().zip(&again) {
		assert_eq!((&before.record_id, &before.field_root), (&after.record_id, &after.field_root));
		assert_eq!(after.status, AnchorStatus::Finalized);
	}
	// A retry compares by decrypting: other content under a used request id is refused.
	match app.submit_record(record(0, "200")).await {
		Err(ClientError::Call(error)) if error.code() == ErrorCode::RequestIdConflict.code() => {}
		other => return Err(format!("expected RequestIdConflict, got {other:?}")),
	}
	let new = app.submit_record(record(3, "72")).await.map_err(|e| e.to_string())?;
	wait_until(
		"a record stored after the restore to be anchored",
		Duration::from_secs(120),
		|| async {
			let status = app.record_status(new.record_id).await.map_err(|e| e.to_string())?;
			Ok((status.status == AnchorStatus::Finalized).then_some(()))
		},
	)
	.await
	.map_err(|e| net.with_log_tails(e))?;
	Ok(())
}
