//! The validator set and the peer allowlist follow the registry, on five real nodes.
//!
//! One scenario, in the order the issue gives, because each step starts from the previous
//! one's chain: an unregistered fifth node is shut out; Hospitals A–D vote it in as Hospital E
//! and it validates from the next session (A is then stopped: finality goes on with 4 of 5);
//! D is suspended and dropped; suspending one more is refused.

use std::{collections::BTreeMap, time::Duration};

use jsonrpsee::rpc_params;
use medchain_runtime::{Runtime, RuntimeCall, RuntimeEvent};
use medchain_tests::network::{A, B, C, D, HOSPITAL_C, HOSPITAL_D};
use medchain_tests::{
	client::{admission, chain::AuraId, governance, tx, Chain},
	network::{node_key, LocalNetwork},
	rpc::{wait_until, Rpc},
	Result,
};
use pallet_hospitals::{Event as HospitalsEvent, Proposal};
use serde_json::Value;
use sp_core::{sr25519, Pair};
use sp_keyring::Sr25519Keyring;

const TIMEOUT: Duration = Duration::from_secs(120);
/// A suspended hospital's node must be dropped by the others within this many blocks (30 s).
const DROP_WITHIN_BLOCKS: u32 = medchain_runtime::MINUTES / 2;

const HOSPITAL_E: u32 = 4;

fn pair(keyring: Sr25519Keyring) -> sr25519::Pair {
	keyring.pair()
}

async fn peers(rpc: &Rpc) -> Result<Vec<String>> {
	let peers: Vec<Value> = rpc.call("system_peers", rpc_params![]).await?;
	Ok(peers.iter().filter_map(|p| p["peerId"].as_str().map(str::to_string)).collect())
}

/// The GRANDPA set id the node's voter is in, and the total weight (voter count) of its set.
async fn voter_set(rpc: &Rpc) -> Result<(u64, u64)> {
	let state: Value = rpc.call("grandpa_roundState", rpc_params![]).await?;
	let set_id = state["setId"].as_u64();
	let weight = state["best"]["totalWeight"].as_u64();
	set_id.zip(weight).ok_or_else(|| format!("no setId or totalWeight in {state}"))
}

/// Submits a governance call signed by `signer` and follows it until finalized.
async fn govern(
	chain: &Chain,
	signer: Sr25519Keyring,
	call: pallet_hospitals::Call<Runtime>,
) -> Result<tx::Included> {
	governance::submit(chain, &signer.pair(), call, tx::Head::Finalized).await
}

/// Alice proposes `proposal`; Bob, Charlie and (once admitted) Eve approve until it executes:
/// two thirds of all active hospitals, the target's own vote not counting. Returns the block
/// number and events of the executing vote.
async fn pass(
	chain: &Chain,
	proposal: pallet_hospitals::Call<Runtime>,
) -> Result<(u32, Vec<RuntimeEvent>)> {
	let voters = [Sr25519Keyring::Bob, Sr25519Keyring::Charlie, Sr25519Keyring::Eve].map(pair);
	let passed = governance::pass(
		chain,
		&pair(Sr25519Keyring::Alice),
		&voters,
		proposal,
		tx::Head::Finalized,
	)
	.await?;
	Ok((chain.header(Some(passed.block)).await?.number, passed.events))
}

/// Who authored the finalized blocks `from..=to`, by hospital letter.
async fn authors(
	chain: &Chain,
	from: u32,
	to: u32,
	names: &BTreeMap<AuraId, char>,
) -> Result<String> {
	let mut line = String::new();
	for number in from..=to {
		let hash = chain.block_hash(number).await?.ok_or("missing block")?;
		let author = chain.block_author(hash).await?;
		line.push(*names.get(&author).unwrap_or(&'?'));
	}
	Ok(line)
}

/// `(finalized number, set id, validators)` at `chain`'s finalized head.
async fn validator_state(chain: &Chain) -> Result<(u32, u64, Vec<u32>)> {
	let (hash, number) = chain.finalized_head().await?;
	Ok((number, chain.grandpa_set_id(Some(hash)).await?, chain.validators(Some(hash)).await?))
}

/// Waits until the finalized validator set is `expected`.
async fn wait_for_validators(chain: &Chain, expected: &[u32]) -> Result<(u32, u64, Vec<u32>)> {
	wait_until(&format!("validators {expected:?} at the finalized head"), TIMEOUT, || async {
		let state = validator_state(chain).await?;
		Ok((state.2 == expected).then_some(state))
	})
	.await
}

#[tokio::test(flavor = "multi_thread")]
async fn validator_set_and_peer_allowlist_follow_the_registry() -> Result<()> {
	let mut net = LocalNetwork::start()?;
	net.wait_finalized(&[A, B, C, D], 2, TIMEOUT).await?;
	let chain = net.nodes[A].chain()?;
	let mut names: BTreeMap<AuraId, char> = BTreeMap::new();
	for (letter, keyring) in [('A', Sr25519Keyring::Alice), ('B', Sr25519Keyring::Bob)]
		.into_iter()
		.chain([('C', Sr25519Keyring::Charlie), ('D', Sr25519Keyring::Dave)])
	{
		names.insert(keyring.public(), letter);
	}

	// 1. A fifth node whose peer id no hospital registered is shut out.
	let (e, e_peer) = net.add_node("Hospital E", 4, true)?;
	let e_chain = net.nodes[e].chain()?;
	wait_until("E's RPC", TIMEOUT, || async { Ok(e_chain.rpc.is_up().await.then_some(())) })
		.await?;
	let now = chain.finalized_number().await?;
	net.wait_finalized(&[A, B, C, D], now + 5, TIMEOUT).await?;
	for hospital in [A, B, C, D] {
		let peers = peers(&net.nodes[hospital].rpc()?).await?;
		assert!(
			!peers.contains(&e_peer),
			"{} lists unregistered E: {peers:?}",
			net.nodes[hospital].spec.name
		);
	}
	assert_eq!(e_chain.finalized_number().await?, 0, "unregistered E followed the chain");
	assert_eq!(e_chain.best_number().await?, 0, "unregistered E imported blocks");
	eprintln!("step 1: A-D finalized #{}; E (unregistered) at #0, in no hospital's peers", now + 5);

	// 2. A, B and C vote Hospital E in with the keys E's node generated.
	let admission_of_e = admission::Admission {
		name: "Hospital E".into(),
		admin: Sr25519Keyring::Eve.to_account_id(),
		operator: Sr25519Keyring::EveStash.to_account_id(),
		peer_id: e_peer.clone(),
		address: format!("/ip4/127.0.0.1/tcp/{}", net.nodes[e].p2p_port),
	};
	// E's node key signs the admission too, so nobody else can register E's node.
	let (propose_e, keys) =
		admission::propose_from_node(&e_chain, &admission_of_e, &node_key(4)).await?;
	names.insert(sr25519::Public::from(keys.aura.clone()), 'E');
	let e_grandpa = sp_core::ed25519::Public::from(keys.grandpa.clone());
	let (_, set_before, validators_before) = validator_state(&chain).await?;
	let (admitted_at, events) = pass(&chain, propose_e).await?;
	assert!(events.contains(&RuntimeEvent::Hospitals(HospitalsEvent::HospitalAdded {
		hospital: HOSPITAL_E,
		name: b"Hospital E".to_vec().try_into().map_err(|_| "name")?,
	})));
	let before = authors(&chain, admitted_at.saturating_sub(7), admitted_at, &names).await?;

	// E's node connects and follows the chain.
	wait_until("A to list E among its peers", TIMEOUT, || async {
		Ok(peers(&net.nodes[A].rpc()?).await?.contains(&e_peer).then_some(()))
	})
	.await?;
	net.wait_finalized(&[e], admitted_at, TIMEOUT).await?;

	// From the next session E is in the Aura and GRANDPA sets, with the set id incremented.
	let (joined_at, set_after_e, validators) =
		wait_for_validators(&chain, &[0, 1, 2, 3, 4]).await?;
	assert_eq!(set_after_e, set_before + 1);
	let finalized = chain.block_hash(joined_at).await?.ok_or("block")?;
	let aura = chain.aura_authorities(Some(finalized)).await?;
	assert!(names.iter().any(|(key, letter)| *letter == 'E' && aura.contains(key)));
	assert!(chain.grandpa_authorities(Some(finalized)).await?.iter().any(|(k, _)| *k == e_grandpa));
	for node in [A, B, C, D, e] {
		let rpc = net.nodes[node].rpc()?;
		wait_until("every voter to enter the new five-voter GRANDPA set", TIMEOUT, || async {
			Ok((voter_set(&rpc).await? == (set_after_e, 5)).then_some(()))
		})
		.await?;
	}

	// E authors blocks.
	let authored_from = joined_at + 1;
	let e_block = wait_until("a finalized block authored by E", TIMEOUT, || async {
		let finalized = chain.finalized_number().await?;
		let line = authors(&chain, authored_from, finalized, &names).await?;
		Ok(line.find('E').map(|offset| authored_from + offset as u32))
	})
	.await?;
	let shown_to = e_block.max(authored_from + 7);
	net.wait_finalized(&[A], shown_to, TIMEOUT).await?;
	let after = authors(&chain, authored_from, shown_to, &names).await?;
	eprintln!(
		"step 2: before E joined: validators {validators_before:?}, GRANDPA set {set_before}, \
		 authors of #{}..#{admitted_at}: {before}",
		admitted_at.saturating_sub(7)
	);
	eprintln!(
		"step 2: after E joined (#{joined_at}): validators {validators:?}, GRANDPA set \
		 {set_after_e}, authors from #{authored_from}: {after}"
	);

	// E's vote counts: with A stopped, B, C, D and E (4 of 5) keep finalizing.
	net.nodes[A].kill()?;
	let chain_b = net.nodes[B].chain()?;
	let stopped_at = chain_b.finalized_number().await?;
	let heights = net.wait_finalized(&[B, C, D, e], stopped_at + 3, TIMEOUT).await?;
	eprintln!("step 2: A stopped at finalized #{stopped_at}; B, C, D, E finalized {heights:?}");
	net.nodes[A].start()?;
	net.wait_finalized(&[A], stopped_at + 3, TIMEOUT).await?;

	// 3. Suspend D. Transactions go through B, which never stopped, so that A's restart (still
	// importing, pool empty) plays no part in what is tested here.
	let suspend_d =
		pallet_hospitals::Call::propose { proposal: Proposal::Suspend { hospital: HOSPITAL_D } };
	let (suspended_at, events) = pass(&chain_b, suspend_d).await?;
	assert!(events.contains(&RuntimeEvent::Hospitals(HospitalsEvent::HospitalSuspended {
		hospital: HOSPITAL_D
	})));

	// D's node is dropped by the others within DROP_WITHIN_BLOCKS blocks.
	let d_peer = medchain_tests::node::peer_id_of(&net.nodes[D].spec.node_key_hex)?;
	let dropped_at = wait_until("every other hospital to drop D", TIMEOUT, || async {
		for node in [A, B, C, e] {
			if peers(&net.nodes[node].rpc()?).await?.contains(&d_peer) {
				return Ok(None);
			}
		}
		Ok(Some(chain.best_number().await?))
	})
	.await?;
	assert!(
		dropped_at <= suspended_at + DROP_WITHIN_BLOCKS,
		"D dropped at #{dropped_at}, suspended at #{suspended_at}"
	);

	// D's transactions are refused as not a member (`Custom(1)`).
	let patient = sr25519::Pair::from_string("//medchain-test-patient", None)
		.map_err(|e| format!("{e:?}"))?;
	let refused = tx::submit(
		&chain_b,
		&pair(Sr25519Keyring::DaveStash),
		RuntimeCall::Hospitals(pallet_hospitals::Call::register_patient {
			patient: patient.public().into(),
		}),
	)
	.await
	.expect_err("a suspended hospital's transaction is refused");
	assert!(refused.contains("1010") && refused.contains("Custom error: 1"), "{refused}");

	// D leaves the validator set at the next session, and finality continues without it.
	let (left_at, set_after_d, validators) = wait_for_validators(&chain, &[0, 1, 2, 4]).await?;
	assert_eq!(set_after_d, set_after_e + 1);
	let finalized = chain.block_hash(left_at).await?.ok_or("block")?;
	let aura = chain.aura_authorities(Some(finalized)).await?;
	assert!(!aura.contains(&Sr25519Keyring::Dave.public()));
	let heights = net.wait_finalized(&[A, B, C, e], left_at + 5, TIMEOUT).await?;
	let after_d = authors(&chain, left_at + 1, left_at + 5, &names).await?;
	eprintln!(
		"step 3: D suspended at #{suspended_at}, dropped by all by #{dropped_at}; refused: \
		 {refused}; left the set at #{left_at}: validators {validators:?}, GRANDPA set \
		 {set_after_d}, authors from #{}: {after_d}; A, B, C, E finalized {heights:?}",
		left_at + 1
	);

	// 4. Suspending one more would leave three active validators: refused.
	let refused = govern(
		&chain_b,
		Sr25519Keyring::Alice,
		pallet_hospitals::Call::propose { proposal: Proposal::Suspend { hospital: HOSPITAL_C } },
	)
	.await?;
	assert_eq!(
		refused.error,
		Some(pallet_hospitals::Error::<Runtime>::BelowMinimumHospitals.into())
	);
	eprintln!("step 4: suspending C refused: {:?}", refused.error);
	Ok(())
}
