//! A full disk (issue 27): Hospital A's record store moves onto its own small file system (a
//! tmpfs), with the chain database left where it was, and the test fills it to the last byte. While it is full,
//! submissions are refused with `StoreFull` and records stored before are answered as they
//! were; the node keeps validating (it authors and finalizes blocks) and anchors what it had
//! acknowledged. Once space is freed it accepts again, and every acknowledged record is
//! anchored with its root and, opened directly from the store, decrypts.
//!
//! Mounting needs root: elsewhere it fails, unless `MEDCHAIN_ALLOW_SKIP` names `full-disk`.

use std::{
	collections::BTreeMap,
	io::Write,
	path::{Path, PathBuf},
	process::Command,
	time::Duration,
};

use jsonrpsee::{core::ClientError, http_client::HttpClient};
use medchain_app_api::{auth::Role, ErrorCode, Hash32, MedchainApiClient, RecordId};
use medchain_store::{disk_space, Store};
use medchain_tests::{
	client::rpc::wait_until,
	custodian::{register_patient, vital_signs, wait_app_rpc, wait_custodian_finalized},
	network::{LocalNetwork, A, ALL, FIRST_FINALITY, HOSPITAL_A},
	step, Result,
};
use sp_keyring::Sr25519Keyring;

const PATIENT: Sr25519Keyring = Sr25519Keyring::Ferdie;
/// The store's own file system: room for the store, the reserve and a filler.
const FILE_SYSTEM_BYTES: u64 = 256 << 20;
const RECORDS_PER_PHASE: usize = 40;
const TIMEOUT: Duration = Duration::from_secs(180);

/// Client request id → (record id, field root) of what A acknowledged.
type Acked = BTreeMap<String, (RecordId, Hash32)>;

/// A tmpfs mounted at a directory, detached when dropped (lazily: a node may still hold it).
struct Mounted(PathBuf);

impl Mounted {
	fn tmpfs(at: &Path, bytes: u64) -> std::result::Result<Self, String> {
		let options = format!("size={bytes},mode=0700");
		let status =
			Command::new("mount").args(["-t", "tmpfs", "-o", &options, "tmpfs"]).arg(at).status();
		match status {
			Ok(status) if status.success() => Ok(Self(at.to_owned())),
			Ok(status) => Err(format!("`mount -t tmpfs` exited with {status}")),
			Err(error) => Err(format!("`mount`: {error}")),
		}
	}
}

impl Drop for Mounted {
	fn drop(&mut self) {
		let _ = Command::new("umount").arg("--lazy").arg(&self.0).status();
	}
}

/// Moves the files of `store` (aside, in `before`) onto `mounted`, a tmpfs in its place.
fn move_onto(before: &Path, store: &Path) -> Result<()> {
	for entry in std::fs::read_dir(before).map_err(|e| e.to_string())? {
		let entry = entry.map_err(|e| e.to_string())?;
		std::fs::copy(entry.path(), store.join(entry.file_name()))
			.map_err(|e| format!("copying {}: {e}", entry.path().display()))?;
	}
	std::fs::remove_dir_all(before).map_err(|e| e.to_string())
}

/// Writes zeros to `path` until the file system refuses more (ENOSPC); the bytes written.
fn fill(path: &Path) -> Result<u64> {
	let mut filler = std::fs::File::create(path).map_err(|e| e.to_string())?;
	let chunk = vec![0u8; 1 << 20];
	let mut written = 0u64;
	loop {
		match filler.write(&chunk) {
			Ok(0) => break,
			Ok(n) => written += n as u64,
			Err(error) if error.raw_os_error() == Some(libc::ENOSPC) => break,
			Err(error) => return Err(format!("filling: {error}")),
		}
	}
	Ok(written)
}

async fn submit(app: &HttpClient, ids: &[String], acked: &mut Acked) -> Result<()> {
	let submitted = app
		.submit_records(ids.iter().map(|id| vital_signs(PATIENT, id)).collect())
		.await
		.map_err(|e| e.to_string())?;
	for (id, submitted) in ids.iter().zip(submitted) {
		acked.insert(id.clone(), (submitted.record_id, submitted.field_root));
	}
	Ok(())
}

fn request_ids(phase: &str) -> Vec<String> {
	(0..RECORDS_PER_PHASE).map(|i| format!("{phase}-{i}")).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_store_disk_refuses_submissions_and_loses_nothing() -> Result<()> {
	let mut net = LocalNetwork::start_custodians()?;
	net.wait_finalized(&ALL, 1, FIRST_FINALITY).await?;
	let chain = net.nodes[A].chain()?;
	register_patient(&chain, Sr25519Keyring::AliceStash, PATIENT).await?;

	step("A's store moves onto its own 256-MiB file system");
	let medchain = net.nodes[A].base_path.join("chains/medchain_local/medchain");
	let store = medchain.join("store");
	net.nodes[A].terminate()?;
	net.nodes[A].wait_exit(Duration::from_secs(60)).await?;
	let before = store.with_extension("before");
	std::fs::rename(&store, &before).map_err(|e| format!("moving the store aside: {e}"))?;
	std::fs::create_dir(&store).map_err(|e| e.to_string())?;
	// Dropped before the network on a failure: the lazy unmount lets A hold it until killed.
	let _mounted = match Mounted::tmpfs(&store, FILE_SYSTEM_BYTES) {
		Ok(mounted) => mounted,
		Err(reason) => return medchain_tests::skip("full-disk", &reason),
	};
	move_onto(&before, &store)?;
	net.nodes[A].start()?;
	wait_app_rpc(&net.nodes[A], Duration::from_secs(120)).await?;
	let app = net.nodes[A].app_rpc(Role::App)?;
	let mut acked = Acked::new();
	submit(&app, &request_ids("before"), &mut acked).await?;

	step("the disk fills");
	let filled = fill(&store.join("filler"))?;
	let space = disk_space::space(&store).map_err(|e| e.to_string())?;
	println!("the filler took {} MiB; {} bytes are left", filled >> 20, space.free);
	assert_eq!(space.free, 0, "the store's file system is not full");
	let refused = app
		.submit_records(
			request_ids("while-full").iter().map(|id| vital_signs(PATIENT, id)).collect(),
		)
		.await;
	let Err(ClientError::Call(error)) = refused else {
		return Err(format!("a submission to a full disk was not refused: {refused:?}"));
	};
	assert_eq!(error.code(), ErrorCode::StoreFull.code(), "{error:?}");
	let data: serde_json::Value =
		serde_json::from_str(error.data().map(|data| data.get()).unwrap_or("null"))
			.map_err(|e| e.to_string())?;
	assert_eq!(data["reserve"], space.reserve(), "{data}");
	assert_eq!(data["free"], 0, "{data}");
	// What was stored is answered as it was: a retry needs no room.
	let mut again = Acked::new();
	submit(&app, &request_ids("before"), &mut again).await?;
	assert_eq!(again, acked, "a stored record changed while the disk was full");

	step("A keeps validating and anchors what it acknowledged");
	let record_ids: Vec<RecordId> = acked.values().map(|(id, _)| *id).collect();
	wait_custodian_finalized(&app, &record_ids, TIMEOUT)
		.await
		.map_err(|e| net.with_log_tails(e))?;
	let from = chain.finalized_number().await?;
	// A validates with the dev keyring of its admin, Alice.
	let a_key = Sr25519Keyring::Alice.public();
	wait_until("a block authored by A and finalized", Duration::from_secs(120), || async {
		let finalized = chain.finalized_number().await?;
		for number in from + 1..=finalized {
			let hash = chain.block_hash(number).await?.ok_or("missing block")?;
			if chain.block_author(hash).await? == a_key {
				return Ok(Some(()));
			}
		}
		Ok(None)
	})
	.await
	.map_err(|e| net.with_log_tails(e))?;

	step("space is freed: A accepts again");
	std::fs::remove_file(store.join("filler")).map_err(|e| e.to_string())?;
	submit(&app, &request_ids("after"), &mut acked).await?;
	let record_ids: Vec<RecordId> = acked.values().map(|(id, _)| *id).collect();
	wait_custodian_finalized(&app, &record_ids, TIMEOUT)
		.await
		.map_err(|e| net.with_log_tails(e))?;

	step("every acknowledged record decrypts from the store");
	net.nodes[A].kill()?;
	let store =
		Store::open(&store, &medchain.join("kek"), HOSPITAL_A).map_err(|e| e.to_string())?;
	for (id, (record_id, root)) in &acked {
		let opened = store.open_record(&record_id.0).map_err(|e| format!("record {id}: {e}"))?;
		assert_eq!(opened.stored.field_root, root.0, "record {id}: another root");
	}
	println!("{} acknowledged records intact after a full disk", acked.len());
	Ok(())
}
