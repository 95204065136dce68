//! A full disk (issue 27), on a small file system (a tmpfs) of Hospital A's own.
//!
//! - **Under the record store alone**, filled to the last byte: submissions are refused with
//!   `StoreFull` and records stored before are answered as they were; the node keeps
//!   validating and anchors what it had acknowledged. Once space is freed it accepts again,
//!   and every acknowledged record is anchored with its root and, opened directly from the
//!   store, decrypts.
//! - **Under the chain database and the store**: as it fills, records are refused first, while
//!   A still validates; below `--db-storage-threshold` A stops with that message before any
//!   write fails, and refuses to start again until space is freed. The other three finalize
//!   on. Then A starts, catches up and anchors everything it had acknowledged. Last, with the
//!   watch off, the disk fills to the last byte: A dies (a failed write, then SIGBUS on
//!   ParityDB's memory-mapped index), and once space is freed its database and store open as
//!   they were.
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
	client::{rpc::wait_until, Chain},
	custodian::{register_patient, vital_signs, wait_app_rpc, wait_custodian_finalized},
	network::{LocalNetwork, A, ALL, B, C, D, FIRST_FINALITY, HOSPITAL_A},
	step, Result,
};
use sp_keyring::Sr25519Keyring;

const PATIENT: Sr25519Keyring = Sr25519Keyring::Ferdie;
/// The store's own file system: room for the store, the reserve and a filler.
const FILE_SYSTEM_BYTES: u64 = 256 << 20;
const RECORDS_PER_PHASE: usize = 40;
const TIMEOUT: Duration = Duration::from_secs(180);
/// The file system of A's whole chain directory: its database, store and keys, and a filler.
const CHAIN_FILE_SYSTEM_BYTES: u64 = 512 << 20;
/// A's `--db-storage-threshold`: A stops while less is free.
const STOP_THRESHOLD_MIB: u64 = 128;
/// How far above and below the threshold the disk is filled.
const MARGIN: u64 = 32 << 20;

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

/// Moves everything in `before` into `onto` (a tmpfs in its place), keeping modes.
fn move_onto(before: &Path, onto: &Path) -> Result<()> {
	let status = Command::new("cp")
		.arg("-a")
		.arg(before.join("."))
		.arg(onto)
		.status()
		.map_err(|e| format!("`cp`: {e}"))?;
	if !status.success() {
		return Err(format!("copying {} exited with {status}", before.display()));
	}
	std::fs::remove_dir_all(before).map_err(|e| e.to_string())
}

/// Stops A and moves `dir` onto a tmpfs of `bytes` in its place: the mount, or why it can't be
/// made (mounting needs root).
async fn onto_own_file_system(
	net: &mut LocalNetwork,
	dir: &Path,
	bytes: u64,
) -> Result<std::result::Result<Mounted, String>> {
	net.nodes[A].terminate()?;
	net.nodes[A].wait_exit(Duration::from_secs(60)).await?;
	let before = dir.with_extension("before");
	std::fs::rename(dir, &before).map_err(|e| format!("moving {} aside: {e}", dir.display()))?;
	std::fs::create_dir(dir).map_err(|e| e.to_string())?;
	let mounted = match Mounted::tmpfs(dir, bytes) {
		Ok(mounted) => mounted,
		Err(reason) => return Ok(Err(reason)),
	};
	move_onto(&before, dir)?;
	Ok(Ok(mounted))
}

/// Writes zeros to `path` until at most `leave` bytes stay free on its file system, or it
/// refuses more (ENOSPC); the bytes written.
fn fill_to(path: &Path, leave: u64) -> Result<u64> {
	let dir = path.parent().ok_or("a filler needs a directory")?;
	let mut filler = std::fs::OpenOptions::new()
		.create(true)
		.append(true)
		.open(path)
		.map_err(|e| e.to_string())?;
	let chunk = vec![0u8; 1 << 20];
	let mut written = 0u64;
	loop {
		let free = disk_space::space(dir).map_err(|e| e.to_string())?.free;
		let wanted = usize::try_from(free.saturating_sub(leave)).unwrap_or(usize::MAX);
		match filler.write(&chunk[..wanted.min(chunk.len())]) {
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
	// Dropped before the network on a failure: the lazy unmount lets A hold it until killed.
	let _mounted = match onto_own_file_system(&mut net, &store, FILE_SYSTEM_BYTES).await? {
		Ok(mounted) => mounted,
		Err(reason) => return medchain_tests::skip("full-disk", &reason),
	};
	net.nodes[A].start()?;
	wait_app_rpc(&net.nodes[A], Duration::from_secs(120)).await?;
	let app = net.nodes[A].app_rpc(Role::App)?;
	let mut acked = Acked::new();
	submit(&app, &request_ids("before"), &mut acked).await?;

	step("the disk fills");
	let filled = fill_to(&store.join("filler"), 0)?;
	let space = disk_space::space(&store).map_err(|e| e.to_string())?;
	println!("the filler took {} MiB; {} bytes are left", filled >> 20, space.free);
	assert_eq!(space.free, 0, "the store's file system is not full");
	let (code, data) = refusal(&app, "while-full").await?;
	assert_eq!(code, ErrorCode::StoreFull.code(), "{data}");
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

/// Submits `phase`'s records, which the node must refuse: the refusal's code and data.
async fn refusal(app: &HttpClient, phase: &str) -> Result<(i32, serde_json::Value)> {
	let refused = app
		.submit_records(request_ids(phase).iter().map(|id| vital_signs(PATIENT, id)).collect())
		.await;
	let Err(ClientError::Call(error)) = refused else {
		return Err(format!("a submission to a full disk was not refused: {refused:?}"));
	};
	let data = serde_json::from_str(error.data().map(|data| data.get()).unwrap_or("null"))
		.map_err(|e| e.to_string())?;
	Ok((error.code(), data))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_chain_database_disk_stops_the_node_cleanly_and_it_catches_up() -> Result<()> {
	let mut net = LocalNetwork::start_custodians()?;
	net.wait_finalized(&ALL, 1, FIRST_FINALITY).await?;
	// Read through B: A stops.
	let chain = net.nodes[B].chain()?;
	register_patient(&chain, Sr25519Keyring::AliceStash, PATIENT).await?;

	step("A's chain directory (database, store, keys) moves onto its own 512-MiB file system");
	let chain_dir = net.nodes[A].base_path.join("chains/medchain_local");
	let _mounted = match onto_own_file_system(&mut net, &chain_dir, CHAIN_FILE_SYSTEM_BYTES).await?
	{
		Ok(mounted) => mounted,
		Err(reason) => return medchain_tests::skip("full-disk", &reason),
	};
	net.nodes[A].spec.extra_args = [
		"--db-storage-threshold",
		&STOP_THRESHOLD_MIB.to_string(),
		"--db-storage-polling-period",
		"1",
	]
	.map(String::from)
	.to_vec();
	start_caught_up(&mut net, &chain).await?;
	let app = net.nodes[A].app_rpc(Role::App)?;
	let mut acked = Acked::new();
	submit(&app, &request_ids("before"), &mut acked).await?;

	step("the disk fills to just above the threshold: A refuses records and validates on");
	let threshold = STOP_THRESHOLD_MIB << 20;
	fill_to(&chain_dir.join("filler"), threshold + MARGIN)?;
	let space = disk_space::space(&chain_dir).map_err(|e| e.to_string())?;
	println!("{} MiB free, the stop threshold {STOP_THRESHOLD_MIB} MiB", space.free >> 20);
	let (code, data) = refusal(&app, "above-threshold").await?;
	assert_eq!(code, ErrorCode::StoreFull.code(), "{data}");
	assert_eq!(data["reserve"], space.reserve() + threshold, "{data}");
	let from = chain.finalized_number().await?;
	net.wait_finalized(&[A], from + 2, TIMEOUT).await.map_err(|e| net.with_log_tails(e))?;

	step("the disk fills below the threshold: A stops before a write fails");
	let log_from = net.nodes[A].log_len();
	fill_to(&chain_dir.join("filler"), threshold - MARGIN)?;
	let filled = std::time::Instant::now();
	let status = net.nodes[A].wait_exit(Duration::from_secs(60)).await?;
	let log = net.nodes[A].log_since(log_from);
	assert!(!status.success(), "A exited with {status}:\n{log}");
	let reason = log.lines().find(|line| line.contains("dropped below threshold"));
	let Some(reason) = reason else { return Err(format!("no reason for the stop:\n{log}")) };
	println!("A stopped {:.1?} after the fill, {status}: {reason}", filled.elapsed());
	assert!(!log.contains("No space left"), "a write met the full disk:\n{log}");
	assert!(!log.contains("panicked"), "A did not stop cleanly:\n{log}");
	let at_stop = chain.finalized_number().await?;
	net.wait_finalized(&[B, C, D], at_stop + 3, TIMEOUT)
		.await
		.map_err(|e| net.with_log_tails(e))?;

	step("while the disk is low, A refuses to start");
	let log_from = net.nodes[A].log_len();
	net.nodes[A].start()?;
	let status = net.nodes[A].wait_exit(Duration::from_secs(60)).await?;
	let log = net.nodes[A].log_since(log_from);
	assert!(!status.success(), "A exited with {status}:\n{log}");
	assert!(log.contains("Out of storage space"), "{status}, no reason for the refusal:\n{log}");

	step("space is freed: A starts, catches up and anchors what it acknowledged");
	std::fs::remove_file(chain_dir.join("filler")).map_err(|e| e.to_string())?;
	start_caught_up(&mut net, &chain).await?;
	submit(&app, &request_ids("after"), &mut acked).await?;
	let record_ids: Vec<RecordId> = acked.values().map(|(id, _)| *id).collect();
	wait_custodian_finalized(&app, &record_ids, TIMEOUT)
		.await
		.map_err(|e| net.with_log_tails(e))?;
	println!("{} acknowledged records anchored after A stopped on a low disk", acked.len());

	step("with the watch off (a disk filling faster than it polls), A dies on a full disk");
	net.nodes[A].terminate()?;
	net.nodes[A].wait_exit(Duration::from_secs(60)).await?;
	let watched = std::mem::replace(
		&mut net.nodes[A].spec.extra_args,
		["--db-storage-threshold", "0"].map(String::from).to_vec(),
	);
	start_caught_up(&mut net, &chain).await?;
	let log_from = net.nodes[A].log_len();
	fill_to(&chain_dir.join("filler"), 0)?;
	let status = net.nodes[A].wait_exit(TIMEOUT).await?;
	let log = net.nodes[A].log_since(log_from);
	assert!(!status.success(), "A exited with {status}:\n{log}");
	// ParityDB writes its index through memory maps: a page a full disk can't back is SIGBUS,
	// after (or without) a logged `No space left on device`.
	let reason = log.lines().find(|line| line.contains("No space left on device"));
	println!("A failed, {status}: {}", reason.unwrap_or("nothing logged"));

	step("space is freed: A's database and store survived");
	std::fs::remove_file(chain_dir.join("filler")).map_err(|e| e.to_string())?;
	net.nodes[A].spec.extra_args = watched;
	start_caught_up(&mut net, &chain).await?;
	submit(&app, &request_ids("after-failure"), &mut acked).await?;
	let record_ids: Vec<RecordId> = acked.values().map(|(id, _)| *id).collect();
	wait_custodian_finalized(&app, &record_ids, TIMEOUT)
		.await
		.map_err(|e| net.with_log_tails(e))?;
	println!("{} acknowledged records anchored after A failed on a full disk", acked.len());
	Ok(())
}

/// Starts A and waits until it has finalized what the others had (read through `others`) and
/// serves its medchain RPC.
async fn start_caught_up(net: &mut LocalNetwork, others: &Chain) -> Result<()> {
	net.nodes[A].start()?;
	let finalized = others.finalized_number().await?;
	net.wait_finalized(&[A], finalized, TIMEOUT).await?;
	wait_app_rpc(&net.nodes[A], Duration::from_secs(120)).await
}
