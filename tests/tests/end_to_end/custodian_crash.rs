//! SIGKILL during submissions: Hospital A's node is killed at a random moment in each of 20
//! rounds of submissions over its medchain RPC. After each restart every acknowledged record
//! is still there with the root it was acknowledged with (a lost and re-stored record would
//! get new salts, so a new root). At the end every acknowledged record is anchored exactly
//! once with that root, and the store, opened directly, decrypts every record it holds.

use std::{
	collections::BTreeMap,
	sync::{Arc, Mutex},
	time::{Duration, Instant},
};

use jsonrpsee::http_client::HttpClient;
use medchain_app_api::{auth::Role, types::SubmitRecord, Hash32, MedchainApiClient, RecordId};
use medchain_store::{AnchorState, Store};
use medchain_tests::network::{FIRST_FINALITY, HOSPITAL_A};
use medchain_tests::{
	anchors::anchored_in,
	client::runtime_api,
	custodian::{register_patient, vital_signs, wait_app_rpc, wait_custodian_finalized},
	network::LocalNetwork,
	node::Node,
	Result,
};
use rand::Rng;
use sp_keyring::Sr25519Keyring;

const ROUNDS: usize = 20;
const PATIENT: Sr25519Keyring = Sr25519Keyring::Ferdie;

/// What the node acknowledged: client request id → (record id, field root).
type Acked = Arc<Mutex<BTreeMap<String, (RecordId, Hash32)>>>;

fn record(id: &str) -> SubmitRecord {
	vital_signs(PATIENT, id)
}

/// Submits records until the node stops answering (at most 200 calls): one alone, then a
/// batch of five, and so on, with a short pause between calls so that a round stores tens of
/// records, not thousands.
async fn submit_until_killed(app: HttpClient, round: usize, acked: Acked) {
	for n in 0..200 {
		tokio::time::sleep(Duration::from_millis(20)).await;
		let ids: Vec<String> =
			(0..if n % 2 == 0 { 1 } else { 5 }).map(|i| format!("r{round}-{n}-{i}")).collect();
		let result = if ids.len() == 1 {
			app.submit_record(record(&ids[0])).await.map(|submitted| vec![submitted])
		} else {
			app.submit_records(ids.iter().map(|id| record(id)).collect()).await
		};
		let Ok(submitted) = result else { return };
		let mut acked = acked.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
		for (id, submitted) in ids.into_iter().zip(submitted) {
			acked.insert(id, (submitted.record_id, submitted.field_root));
		}
	}
}

/// Every acknowledged record, submitted again, comes back with its id and root.
async fn check_acknowledged(
	node: &Node,
	acked: &BTreeMap<String, (RecordId, Hash32)>,
) -> Result<()> {
	let app = node.app_rpc(Role::App)?;
	let ids: Vec<&String> = acked.keys().collect();
	for chunk in ids.chunks(500) {
		let again = app
			.submit_records(chunk.iter().map(|id| record(id)).collect())
			.await
			.map_err(|e| e.to_string())?;
		for (id, submitted) in chunk.iter().zip(again) {
			let (record_id, root) = &acked[*id];
			if (&submitted.record_id, &submitted.field_root) != (record_id, root) {
				return Err(format!(
					"acknowledged record {id} changed after a crash: {submitted:?}"
				));
			}
		}
	}
	Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn acknowledged_records_survive_sigkill_and_are_anchored_once() -> Result<()> {
	let mut net = LocalNetwork::start_custodians()?;
	net.wait_finalized(&[0, 1, 2, 3], 1, FIRST_FINALITY).await?;
	let chain = net.nodes[0].chain()?;
	register_patient(&chain, Sr25519Keyring::AliceStash, PATIENT).await?;
	let first_block = chain.finalized_number().await?;

	let acked: Acked = Arc::default();
	let mut rng = rand::thread_rng();
	let mut restarts = Duration::ZERO;
	for round in 0..ROUNDS {
		let writer = tokio::spawn(submit_until_killed(
			net.nodes[0].app_rpc(Role::App)?,
			round,
			acked.clone(),
		));
		tokio::time::sleep(Duration::from_millis(rng.gen_range(200..2_500))).await;
		net.nodes[0].kill()?;
		writer.await.map_err(|e| e.to_string())?;
		let started = Instant::now();
		net.nodes[0].start()?;
		wait_app_rpc(&net.nodes[0], Duration::from_secs(120))
			.await
			.map_err(|e| net.with_log_tails(e))?;
		restarts += started.elapsed();
		let snapshot = acked.lock().map_err(|e| e.to_string())?.clone();
		check_acknowledged(&net.nodes[0], &snapshot)
			.await
			.map_err(|e| format!("round {round}: {e}"))?;
	}
	let acked = acked.lock().map_err(|e| e.to_string())?.clone();
	println!(
		"{} records acknowledged over {ROUNDS} kills; restarts took {:?} on average",
		acked.len(),
		restarts / ROUNDS as u32
	);
	assert!(acked.len() >= ROUNDS, "too few acknowledgements to test anything");

	let a = &net.nodes[0];
	let auditor = a.app_rpc(Role::Auditor)?;
	let ids: Vec<RecordId> = acked.values().map(|(id, _)| *id).collect();
	wait_custodian_finalized(&auditor, &ids, Duration::from_secs(300))
		.await
		.map_err(|e| net.with_log_tails(e))?;

	let (head, last_block) = chain.finalized_head().await?;
	for (record_id, root) in acked.values() {
		let anchor = chain
			.call(runtime_api::RECORD, record_id.0, Some(head))
			.await?
			.ok_or("not anchored")?;
		assert_eq!(anchor.field_root, root.0);
	}
	let anchored: BTreeMap<[u8; 32], usize> = anchored_in(&chain, first_block, last_block)
		.await?
		.into_iter()
		.filter(|(_, anchored)| anchored.custodian == HOSPITAL_A)
		.map(|(id, anchored)| (id, anchored.times))
		.collect();

	// Stopped, A's store opens directly: every record it holds decrypts; each is anchored
	// exactly once or still waits in the outbox (stored but not acknowledged before a kill,
	// and not final yet); the chain anchored nothing the store does not hold.
	net.nodes[0].kill()?;
	let medchain = net.nodes[0].base_path.join("chains/medchain_local/medchain");
	let store = Store::open(&medchain.join("store"), &medchain.join("kek"), HOSPITAL_A)
		.map_err(|e| e.to_string())?;
	let held = store.record_ids(None, usize::MAX).map_err(|e| e.to_string())?;
	let mut pending = 0;
	for id in &held {
		let opened =
			store.open_record(id).map_err(|e| format!("record 0x{}: {e}", hex::encode(id)))?;
		match anchored.get(id) {
			Some(1) => {}
			Some(count) => {
				return Err(format!("record 0x{} anchored {count} times", hex::encode(id)))
			}
			None if opened.stored.state == AnchorState::Stored => pending += 1,
			None => {
				return Err(format!("record 0x{} neither anchored nor pending", hex::encode(id)))
			}
		}
	}
	assert!(anchored.keys().all(|id| held.contains(id)), "an anchor without a stored record");
	println!(
		"{} records held: {} anchored once each, {pending} still pending; {} acknowledged",
		held.len(),
		anchored.len(),
		acked.len()
	);
	Ok(())
}
