//! Two of four hospitals are gone for good: GRANDPA (which needs three of four) stalls, the two
//! survivors restore finality by the procedure in `docs/governance.md` ("Stalled finality"), and then admit a
//! replacement hospital, which validates from the next session.

use std::time::Duration;

use medchain_runtime::{Runtime, RuntimeEvent};
use medchain_tests::network::{A, B, C, D};
use medchain_tests::{
	client::{admission, governance, tx, Chain},
	network::{node_key, LocalNetwork},
	rpc::wait_until,
	Result,
};
use pallet_hospitals::{Event as HospitalsEvent, Proposal};
use sp_keyring::Sr25519Keyring;

const TIMEOUT: Duration = Duration::from_secs(150);
/// The runtime's `pallet_validator_set::Config::LivenessWindow`.
const LIVENESS_WINDOW_MS: u64 = 60_000;
const GONE: [u32; 2] = [2, 3];
const HOSPITAL_E: u32 = 4;

/// When hospital `id`'s validator last authored a block (Unix ms), at the best block.
async fn last_authored(chain: &Chain, id: u32) -> Result<u64> {
	let key = pallet_validator_set::LastAuthored::<Runtime>::hashed_key_for(id);
	Ok(chain.storage(&key, None).await?.unwrap_or(0))
}

/// The best block's timestamp (Unix ms).
async fn best_time(chain: &Chain) -> Result<u64> {
	let key = pallet_timestamp::Now::<Runtime>::hashed_key();
	chain.storage(&key, None).await?.ok_or_else(|| "no timestamp".to_string())
}

#[tokio::test(flavor = "multi_thread")]
async fn two_survivors_restore_stalled_finality_and_admit_a_replacement() -> Result<()> {
	let mut net = LocalNetwork::start()?;
	net.wait_finalized(&[A, B, C, D], 3, Duration::from_secs(180)).await?;
	let chain = net.nodes[A].chain()?;

	// 1. C and D are gone for good. A and B keep authoring; finality stops.
	net.nodes[C].kill()?;
	net.nodes[D].kill()?;
	let before = chain.finalized_number().await?;
	let stalled_best = wait_until("A's best chain to grow 10 blocks past a stall", TIMEOUT, || {
		let chain = &chain;
		async move {
			let best = tx::head_number(chain, tx::Head::Best).await?;
			Ok((best >= before + 12).then_some(best))
		}
	})
	.await?;
	let stalled_at = chain.finalized_number().await?;
	let b_finalized = net.nodes[B].chain()?.finalized_number().await?;
	assert!(
		stalled_at <= before + 2 && b_finalized == stalled_at,
		"finality went on without C and D: #{before} → A #{stalled_at}, B #{b_finalized}"
	);
	eprintln!("finalized #{before} at the kill; stalled at #{stalled_at} while best reached #{stalled_best}");

	// 2. Once C and D have authored nothing for the liveness window, they no longer count.
	wait_until("C and D to be out of the liveness window", TIMEOUT, || {
		let chain = &chain;
		async move {
			let now = best_time(chain).await?;
			let mut last = 0;
			for id in GONE {
				last = last.max(last_authored(chain, id).await?);
			}
			Ok((now > last + LIVENESS_WINDOW_MS).then_some(()))
		}
	})
	.await?;

	// 3. The procedure in docs/governance.md: the survivors agree on the highest block both finalized, A
	// proposes the recovery, B approves (followed on the best chain: finality is stalled).
	let recover = Proposal::RecoverStalledSet { delay: 5, best_finalized: stalled_at };
	let executed = governance::pass(
		&chain,
		&Sr25519Keyring::Alice.pair(),
		&[Sr25519Keyring::Bob.pair()],
		pallet_hospitals::Call::propose { proposal: recover },
		tx::Head::Best,
	)
	.await?
	.events;
	for hospital in GONE {
		let suspended = RuntimeEvent::Hospitals(HospitalsEvent::HospitalSuspended { hospital });
		assert!(executed.contains(&suspended), "{hospital} not suspended: {executed:?}");
	}
	assert!(executed.contains(&RuntimeEvent::Hospitals(HospitalsEvent::StallRecoveryScheduled {
		delay: 5,
		best_finalized: stalled_at
	})));

	// 4. Finality resumes with A and B as the whole GRANDPA set.
	let resumed = net.wait_finalized(&[A, B], stalled_best + 3, TIMEOUT).await?;
	// The validator set follows the registry at the next session's start.
	wait_until("A and B to be the finalized validator set", TIMEOUT, || {
		let chain = &chain;
		async move {
			let (hash, _) = chain.finalized_head().await?;
			Ok((chain.validators(Some(hash)).await? == vec![0, 1]).then_some(()))
		}
	})
	.await?;
	eprintln!("after the recovery A and B finalized {resumed:?}");

	// 5. The survivors admit Hospital E (two thirds of two is two), now with finality.
	let (e, e_peer) = net.add_node("Hospital E", 4, true)?;
	let e_chain = net.nodes[e].chain()?;
	wait_until("E's RPC", TIMEOUT, || async { Ok(e_chain.rpc.is_up().await.then_some(())) })
		.await?;
	let admission_of_e = admission::Admission {
		name: "Hospital E".into(),
		admin: Sr25519Keyring::Eve.to_account_id(),
		operator: Sr25519Keyring::EveStash.to_account_id(),
		peer_id: e_peer,
		address: format!("/ip4/127.0.0.1/tcp/{}", net.nodes[e].p2p_port),
	};
	let (propose_e, _) =
		admission::propose_from_node(&e_chain, &admission_of_e, &node_key(4)).await?;
	let admitted = governance::pass(
		&chain,
		&Sr25519Keyring::Alice.pair(),
		&[Sr25519Keyring::Bob.pair()],
		propose_e,
		tx::Head::Finalized,
	)
	.await?
	.events;
	assert!(admitted.iter().any(|event| matches!(
		event,
		RuntimeEvent::Hospitals(HospitalsEvent::HospitalAdded { hospital: HOSPITAL_E, .. })
	)));

	// 6. From the next session E validates, and A, B and E finalize together.
	let joined_at = wait_until("E in the validator set at the finalized head", TIMEOUT, || {
		let chain = &chain;
		async move {
			let (hash, number) = chain.finalized_head().await?;
			let validators = chain.validators(Some(hash)).await?;
			Ok((validators == [0, 1, HOSPITAL_E]).then_some(number))
		}
	})
	.await?;
	let after = net.wait_finalized(&[A, B, e], joined_at + 5, TIMEOUT).await?;
	eprintln!(
		"finalized heights: before the stall #{before}, during it #{stalled_at} (best \
		 #{stalled_best}), after the recovery {resumed:?}; E joined at #{joined_at}; A, B, E \
		 finalized {after:?}"
	);
	Ok(())
}
