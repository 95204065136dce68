//! A rolling restart under load (issue 27): apps keep writing to all four hospitals while each
//! node in turn is stopped, restarted and waited for until it has caught up, then the next;
//! first with SIGTERM (a clean shutdown, as an upgrade does it), then with SIGKILL. Finality
//! goes on while each node is down, each node exits cleanly on SIGTERM and takes records again
//! after its restart, every acknowledged record is anchored exactly once with the root it was
//! acknowledged with (and its custodian says so), and the four nodes agree on every finalized
//! block.

use std::{
	collections::BTreeMap,
	sync::{
		atomic::{AtomicBool, Ordering},
		Arc, Mutex,
	},
	time::Duration,
};

use jsonrpsee::http_client::HttpClient;
use medchain_app_api::{auth::Role, Hash32, MedchainApiClient, RecordId};
use medchain_runtime::local_network::LOCAL_HOSPITALS;
use medchain_tests::{
	anchors::wait_anchored_once,
	client::rpc::wait_until,
	custodian::{register_patient, vital_signs, wait_custodian_finalized},
	network::{LocalNetwork, ALL, FIRST_FINALITY},
	Result,
};
use sp_keyring::Sr25519Keyring;

/// Each hospital's patient, registered by that hospital.
const PATIENTS: [Sr25519Keyring; 4] =
	[Sr25519Keyring::Eve, Sr25519Keyring::Ferdie, Sr25519Keyring::One, Sr25519Keyring::Two];
/// Records per call, and the pause between one hospital's calls.
const RECORDS_PER_CALL: usize = 5;
const PAUSE_BETWEEN_CALLS: Duration = Duration::from_millis(250);
/// Blocks the other nodes must finalize while one is down.
const FINALIZED_WHILE_DOWN: u32 = 3;
/// The longest a node may take to stop, to come back or to catch up, and for the network to
/// finalize without it.
const STEP_TIMEOUT: Duration = Duration::from_secs(120);

/// What the hospitals acknowledged: client request id → (hospital index, record id, root).
type Acked = Arc<Mutex<BTreeMap<String, (usize, RecordId, Hash32)>>>;

#[derive(Clone, Copy, Debug)]
enum Stop {
	Terminate,
	Kill,
}

/// Submits records to `hospital`'s node until `stop` is set; a call the node does not answer
/// (it is down) is not acknowledged, and the next call has new ids.
async fn write(app: HttpClient, hospital: usize, acked: Acked, stop: Arc<AtomicBool>) {
	let mut call = 0;
	while !stop.load(Ordering::Relaxed) {
		let ids: Vec<String> =
			(0..RECORDS_PER_CALL).map(|i| format!("h{hospital}-{call}-{i}")).collect();
		call += 1;
		let records = ids.iter().map(|id| vital_signs(PATIENTS[hospital], id)).collect();
		if let Ok(submitted) = app.submit_records(records).await {
			let mut acked = acked.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
			for (id, submitted) in ids.into_iter().zip(submitted) {
				acked.insert(id, (hospital, submitted.record_id, submitted.field_root));
			}
		}
		tokio::time::sleep(PAUSE_BETWEEN_CALLS).await;
	}
}

/// Stops node `index` as `how` says, checks that the others finalize while it is down, starts
/// it again and waits until it has finalized what they had.
async fn restart_one(net: &mut LocalNetwork, index: usize, how: Stop) -> Result<()> {
	let witness = net.nodes[(index + 1) % ALL.len()].chain()?;
	match how {
		Stop::Terminate => {
			net.nodes[index].terminate()?;
			let status = net.nodes[index].wait_exit(STEP_TIMEOUT).await?;
			assert!(status.success(), "node {index} did not shut down cleanly: {status}");
		}
		Stop::Kill => net.nodes[index].kill()?,
	}
	let before = witness.finalized_number().await?;
	wait_until(&format!("finality without node {index}"), STEP_TIMEOUT, || async {
		let now = witness.finalized_number().await?;
		Ok((now >= before + FINALIZED_WHILE_DOWN).then_some(()))
	})
	.await
	.map_err(|error| net.with_log_tails(error))?;

	net.nodes[index].start()?;
	let target = witness.finalized_number().await?;
	let restarted = net.nodes[index].chain()?;
	wait_until(&format!("node {index} to catch up to #{target}"), STEP_TIMEOUT, || async {
		Ok(Some(restarted.finalized_number().await?).filter(|&number| number >= target))
	})
	.await
	.map_err(|error| net.with_log_tails(error))?;
	println!("{how:?} node {index}: the others finalized on, and it caught up to #{target}");
	Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rolling_restart_under_load_loses_nothing_and_finality_goes_on() -> Result<()> {
	let mut net = LocalNetwork::start_custodians()?;
	net.wait_finalized(&ALL, 1, FIRST_FINALITY).await?;
	let chain = net.nodes[0].chain()?;
	for (hospital, patient) in PATIENTS.into_iter().enumerate() {
		register_patient(&chain, LOCAL_HOSPITALS[hospital].operator, patient).await?;
	}
	let first_block = chain.finalized_number().await?;

	let (acked, stop): (Acked, _) = (Arc::default(), Arc::new(AtomicBool::new(false)));
	let mut writers = Vec::new();
	for hospital in ALL {
		let app = net.nodes[hospital].app_rpc(Role::App)?;
		writers.push(tokio::spawn(write(app, hospital, acked.clone(), stop.clone())));
	}
	let acknowledged_by = |hospital: usize| {
		let acked = acked.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
		acked.values().filter(|(h, ..)| *h == hospital).count()
	};
	let mut after_restart = [0; 4];
	for how in [Stop::Terminate, Stop::Kill] {
		for index in ALL {
			restart_one(&mut net, index, how).await?;
			after_restart[index] = acknowledged_by(index);
		}
	}
	// Each hospital takes records again after its last restart.
	wait_until("every hospital to acknowledge records after its restart", STEP_TIMEOUT, || async {
		Ok(ALL
			.iter()
			.all(|&hospital| acknowledged_by(hospital) > after_restart[hospital])
			.then_some(()))
	})
	.await?;
	stop.store(true, Ordering::Relaxed);
	for writer in writers {
		writer.await.map_err(|error| error.to_string())?;
	}
	let acked = acked.lock().map_err(|error| error.to_string())?.clone();
	for hospital in ALL {
		let count = acked.values().filter(|(h, ..)| *h == hospital).count();
		println!("hospital {hospital}: {count} records acknowledged");
	}

	// Every acknowledged record reaches a finalized block, once, by its custodian, with the
	// root it was acknowledged with.
	let expected = acked.values().map(|(_, id, root)| (id.0, root.0)).collect();
	let anchored = wait_anchored_once(&chain, first_block, &expected, Duration::from_secs(300))
		.await
		.map_err(|error| net.with_log_tails(error))?;
	for (request, (hospital, id, _)) in &acked {
		let custodian = anchored[&id.0].custodian;
		assert_eq!(Ok(custodian), u32::try_from(*hospital), "record {request}: custodian");
	}
	for hospital in ALL {
		let ids: Vec<RecordId> =
			acked.values().filter(|(h, ..)| *h == hospital).map(|(_, id, _)| *id).collect();
		let app = net.nodes[hospital].app_rpc(Role::App)?;
		wait_custodian_finalized(&app, &ids, STEP_TIMEOUT).await?;
	}
	let agreed = net.one_finalized_chain().await?;
	println!(
		"{} acknowledged records anchored once each, finalized at their custodians; blocks \
		 1..=#{agreed} agree on all four nodes",
		acked.len()
	);
	Ok(())
}
