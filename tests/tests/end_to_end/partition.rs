//! Partitions (issue 27): the four hospitals run in two network namespaces joined by one veth
//! link ([`medchain_tests::netns::Split`]), which a drill cuts and heals.
//!
//! - **2 | 2 for 60 s:** neither half finalizes; both keep storing records; an access answers
//!   `NotFinalYet`. After healing, finality resumes, the four nodes agree on every finalized
//!   block, and every record acknowledged during the split is anchored exactly once.
//! - **3 | 1:** the three finalize on, the one does not; after healing it catches up and the
//!   records it stored meanwhile are anchored.
//!
//! Namespaces need root: elsewhere each drill fails, unless `MEDCHAIN_ALLOW_SKIP` names
//! `partition`.

use std::{
	collections::BTreeMap,
	time::{Duration, Instant},
};

use jsonrpsee::{core::ClientError, http_client::HttpClient};
use medchain_app_api::{
	auth::Role, types::SubmitRecord, AccessShared, ErrorCode, Hash32, MedchainApiClient, RecordId,
};
use medchain_tests::{
	anchors::wait_anchored_once,
	client::Chain,
	custodian::{grant_record, pseudonym_of, register_patient, wait_custodian_finalized},
	netns::{split_or_skip, Split},
	network::{LocalNetwork, A, ALL, B, C, D, FIRST_FINALITY, HOSPITAL_B},
	step, Result,
};
use serde_json::json;
use sp_keyring::Sr25519Keyring;

/// Patients of Hospitals A, C and D, registered by them.
const PATIENT_A: Sr25519Keyring = Sr25519Keyring::Ferdie;
const PATIENT_C: Sr25519Keyring = Sr25519Keyring::One;
const PATIENT_D: Sr25519Keyring = Sr25519Keyring::Two;
const SPLIT_FOR: Duration = Duration::from_secs(60);
/// How long votes already on their way may still finalize a block once the link is down.
const SETTLE: Duration = Duration::from_secs(6);
/// Blocks the majority must finalize to show that it finalizes on.
const FINALIZED_ON: u32 = 3;
const TIMEOUT: Duration = Duration::from_secs(180);

/// Client request id → (record id, field root).
type Acked = BTreeMap<String, (RecordId, Hash32)>;

fn record(patient: Sr25519Keyring, id: &str) -> SubmitRecord {
	SubmitRecord {
		client_request_id: id.into(),
		patient: pseudonym_of(patient),
		record_type: "DIAGNOSIS".into(),
		fields: json!({
			"diagnosis": id,
			"icd10_code": "J10.1",
			"doctor": "Dr P",
			"date": "2026-12-07",
			"notes": "",
		})
		.as_object()
		.cloned()
		.unwrap_or_default(),
		valid_until: None,
	}
}

/// Submits `count` records of `patient` named `prefix-n` and adds them to `acked`.
async fn submit(
	app: &HttpClient,
	patient: Sr25519Keyring,
	prefix: &str,
	count: usize,
	acked: &mut Acked,
) -> Result<()> {
	let ids: Vec<String> = (0..count).map(|n| format!("{prefix}-{n}")).collect();
	let records = ids.iter().map(|id| record(patient, id)).collect();
	let submitted = app.submit_records(records).await.map_err(|e| format!("{prefix}: {e}"))?;
	for (id, submitted) in ids.into_iter().zip(submitted) {
		acked.insert(id, (submitted.record_id, submitted.field_root));
	}
	Ok(())
}

async fn finalized(net: &LocalNetwork, which: &[usize]) -> Result<Vec<u32>> {
	let mut numbers = Vec::new();
	for &index in which {
		numbers.push(net.nodes[index].chain()?.finalized_number().await?);
	}
	Ok(numbers)
}

async fn best(net: &LocalNetwork, which: &[usize]) -> Result<Vec<u32>> {
	let mut numbers = Vec::new();
	for &index in which {
		numbers.push(net.nodes[index].chain()?.best_number().await?);
	}
	Ok(numbers)
}

/// Waits until every record of `acked` is anchored in a block `chain` has finalized from
/// `from` on, each exactly once with its root.
async fn anchored_once(chain: &Chain, from: u32, acked: &Acked, what: &str) -> Result<()> {
	let expected = acked.values().map(|(id, root)| (id.0, root.0)).collect();
	wait_anchored_once(chain, from, &expected, TIMEOUT)
		.await
		.map_err(|e| format!("{what}: {e}"))?;
	println!("{what}: {} acknowledged records anchored once each", acked.len());
	Ok(())
}

/// `app`'s access to `record_id` with `token`: the fields' count, or the error code.
async fn access(
	app: &HttpClient,
	token: &medchain_token::ShareToken,
	record_id: RecordId,
) -> std::result::Result<usize, i32> {
	let request =
		AccessShared { share_token: token.as_str().to_owned(), record_id, purpose: "TREAT".into() };
	match app.access_shared(request).await {
		Ok(shared) => Ok(shared.fields.len()),
		Err(ClientError::Call(error)) => Err(error.code()),
		Err(_) => Err(0),
	}
}

#[tokio::test(flavor = "multi_thread")]
async fn a_two_two_split_finalizes_nothing_and_heals_into_one_chain() -> Result<()> {
	// Declared before the network, so the nodes stop before their namespaces go.
	let Some(split) = split_or_skip("p22", "partition", Split::new)? else { return Ok(()) };
	let net = LocalNetwork::start_custodians_split(&split, &[A, B])?;
	net.wait_finalized(&ALL, 1, FIRST_FINALITY).await?;
	let chain_a = net.nodes[A].chain()?;
	register_patient(&chain_a, Sr25519Keyring::AliceStash, PATIENT_A).await?;
	register_patient(&chain_a, Sr25519Keyring::CharlieStash, PATIENT_C).await?;
	let (app_a, app_b, app_c) = (
		net.nodes[A].app_rpc(Role::App)?,
		net.nodes[B].app_rpc(Role::App)?,
		net.nodes[C].app_rpc(Role::App)?,
	);
	let mut shared = Acked::new();
	submit(&app_a, PATIENT_A, "shared", 1, &mut shared).await?;
	let (shared_id, _) = *shared.values().next().ok_or("no record")?;
	anchored_once(&chain_a, 1, &shared, "before the split").await?;
	let (token, _) = grant_record(&chain_a, PATIENT_A, shared_id.0, HOSPITAL_B, 1_000).await?;

	step("the link is cut for 60 s");
	split.cut()?;
	let cut_at = Instant::now();
	tokio::time::sleep(SETTLE).await;
	let (finalized_at_cut, best_at_cut) = (finalized(&net, &ALL).await?, best(&net, &ALL).await?);
	let (mut at_a, mut at_c) = (Acked::new(), Acked::new());
	submit(&app_a, PATIENT_A, "split-a", 20, &mut at_a).await?;
	submit(&app_c, PATIENT_C, "split-c", 20, &mut at_c).await?;
	// B logs its access in its half's blocks, which no one can finalize.
	let refused = access(&app_b, &token, shared_id).await;
	assert_eq!(refused, Err(ErrorCode::NotFinalYet.code()), "an access during the split");
	tokio::time::sleep(SPLIT_FOR.saturating_sub(cut_at.elapsed())).await;
	let (finalized_at_heal, best_at_heal) = (finalized(&net, &ALL).await?, best(&net, &ALL).await?);
	println!("split: finalized {finalized_at_cut:?} → {finalized_at_heal:?}, best {best_at_cut:?} → {best_at_heal:?}");
	assert_eq!(finalized_at_heal, finalized_at_cut, "a half finalized during the split");
	for index in ALL {
		assert!(best_at_heal[index] > best_at_cut[index], "node {index} stopped authoring");
	}

	step("the link is healed");
	split.heal()?;
	let healed_at = Instant::now();
	let target = best_at_heal.iter().copied().max().unwrap_or(0);
	net.wait_finalized(&ALL, target, TIMEOUT).await?;
	println!("finality passed #{target} on all four {:?} after healing", healed_at.elapsed());
	let acked: Acked = at_a.clone().into_iter().chain(at_c.clone()).collect();
	anchored_once(&chain_a, finalized_at_cut[A] + 1, &acked, "acknowledged during the split")
		.await
		.map_err(|e| net.with_log_tails(e))?;
	for (app, at) in [(&app_a, &at_a), (&app_c, &at_c)] {
		let ids: Vec<RecordId> = at.values().map(|(id, _)| *id).collect();
		wait_custodian_finalized(app, &ids, TIMEOUT).await?;
	}
	let agreed = net.one_finalized_chain().await?;
	println!("the four nodes agree on blocks 1..=#{agreed}");
	Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_three_one_split_finalizes_on_and_the_one_catches_up() -> Result<()> {
	let Some(split) = split_or_skip("p31", "partition", Split::new)? else { return Ok(()) };
	let net = LocalNetwork::start_custodians_split(&split, &[A, B, C])?;
	net.wait_finalized(&ALL, 1, FIRST_FINALITY).await?;
	let chain_a = net.nodes[A].chain()?;
	register_patient(&chain_a, Sr25519Keyring::DaveStash, PATIENT_D).await?;

	step("D is cut off");
	split.cut()?;
	tokio::time::sleep(SETTLE).await;
	let d_finalized = finalized(&net, &[D]).await?[0];
	let majority = finalized(&net, &[A]).await?[0];
	let mut acked = Acked::new();
	let app_d = net.nodes[D].app_rpc(Role::App)?;
	submit(&app_d, PATIENT_D, "alone", 20, &mut acked).await?;
	net.wait_finalized(&[A, B, C], majority + FINALIZED_ON, TIMEOUT).await?;
	assert_eq!(finalized(&net, &[D]).await?[0], d_finalized, "D finalized alone");

	step("D is back");
	split.heal()?;
	let healed_at = Instant::now();
	let target = finalized(&net, &[A]).await?[0];
	net.wait_finalized(&[D], target, TIMEOUT).await?;
	println!("D caught up to #{target} {:?} after healing", healed_at.elapsed());
	anchored_once(&chain_a, d_finalized + 1, &acked, "stored by D while cut off")
		.await
		.map_err(|e| net.with_log_tails(e))?;
	let ids: Vec<RecordId> = acked.values().map(|(id, _)| *id).collect();
	wait_custodian_finalized(&app_d, &ids, TIMEOUT).await?;
	net.one_finalized_chain().await?;
	Ok(())
}
