//! Proposals, votes and their execution.

use frame_support::{
	assert_noop, assert_ok,
	dispatch::{DispatchClass, GetDispatchInfo},
	BoundedVec,
};
use medchain_primitives::HospitalRegistry;
use sp_runtime::{testing::UintAuthorityId, RuntimeAppPublic};

use crate::{
	governance::key_ownership_message, mock::*, ActiveHospitalCount, Error, Event, HospitalNode,
	HospitalStatus, NewHospital, Proposal, Proposals,
};

const HOSPITAL_D: u32 = 3;
const HOSPITAL_E: u32 = 4;

fn propose(admin: u64, proposal: Proposal<Test>) -> u32 {
	let id = crate::NextProposalId::<Test>::get();
	assert_ok!(Hospitals::propose(RuntimeOrigin::signed(admin), proposal));
	id
}

/// Proposes `proposal` as A, and approves it with B and C.
fn pass(proposal: Proposal<Test>) -> u32 {
	let id = propose(ADMIN_A, proposal);
	assert_ok!(Hospitals::vote(RuntimeOrigin::signed(ADMIN_B), id));
	assert_ok!(Hospitals::vote(RuntimeOrigin::signed(ADMIN_C), id));
	id
}

fn status(hospital: u32) -> HospitalStatus {
	crate::Hospitals::<Test>::get(hospital).expect("hospital exists").status
}

fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::Hospitals(event) => Some(event),
			_ => None,
		})
		.collect()
}

fn new_hospital(key: u64, peer: &str) -> NewHospital<Test> {
	NewHospital {
		name: BoundedVec::truncate_from(b"Hospital F".to_vec()),
		admin: 60,
		operator: 61,
		aura: UintAuthorityId(key),
		grandpa: UintAuthorityId(key),
		nodes: BoundedVec::truncate_from(vec![HospitalNode {
			peer_id: BoundedVec::truncate_from(peer.as_bytes().to_vec()),
			address: BoundedVec::truncate_from(b"/ip4/127.0.0.1/tcp/30338".to_vec()),
		}]),
	}
}

/// Proofs of possession of `hospital`'s keys over its admin account.
fn proofs(
	hospital: &NewHospital<Test>,
) -> (sp_runtime::testing::TestSignature, sp_runtime::testing::TestSignature) {
	let owner = key_ownership_message::<Test>(&hospital.admin);
	let aura = hospital.aura.clone().generate_proof_of_possession(&owner).expect("test key signs");
	let grandpa =
		hospital.grandpa.clone().generate_proof_of_possession(&owner).expect("test key signs");
	(aura, grandpa)
}

#[test]
fn two_thirds_of_the_others_suspend_a_hospital() {
	new_test_ext().execute_with(|| {
		// Four hospitals besides E vote: three approvals are needed.
		let id = propose(ADMIN_A, Proposal::Suspend { hospital: HOSPITAL_E });
		System::assert_has_event(
			Event::Proposed {
				id,
				proposer: 0,
				proposal: Proposal::Suspend { hospital: HOSPITAL_E },
			}
			.into(),
		);
		System::assert_last_event(Event::Tallied { id, ayes: 1, needed: 3 }.into());
		assert_ok!(Hospitals::vote(RuntimeOrigin::signed(ADMIN_B), id));
		System::assert_last_event(Event::Tallied { id, ayes: 2, needed: 3 }.into());
		assert_eq!(status(HOSPITAL_E), HospitalStatus::Active);

		assert_ok!(Hospitals::vote(RuntimeOrigin::signed(ADMIN_C), id));
		let tail = events();
		assert_eq!(
			tail[tail.len() - 3..],
			[
				Event::Tallied { id, ayes: 3, needed: 3 },
				Event::HospitalSuspended { hospital: HOSPITAL_E },
				Event::Executed { id },
			]
		);
		assert_eq!(status(HOSPITAL_E), HospitalStatus::Suspended);
		assert_eq!(ActiveHospitalCount::<Test>::get(), 4);
		assert!(Proposals::<Test>::get(id).is_none());
		assert_eq!(Hospitals::active_hospital_of(&ADMIN_E), None);
	});
}

#[test]
fn only_active_admins_propose_and_vote() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Hospitals::propose(
				RuntimeOrigin::signed(OPERATOR_A),
				Proposal::Suspend { hospital: 1 }
			),
			Error::<Test>::NotHospitalAdmin
		);
		assert_noop!(
			Hospitals::propose(RuntimeOrigin::signed(PATIENT), Proposal::Suspend { hospital: 1 }),
			Error::<Test>::NotHospitalAdmin
		);
		pass(Proposal::Suspend { hospital: HOSPITAL_E });
		let id = propose(ADMIN_A, Proposal::Reinstate { hospital: HOSPITAL_E });
		assert_noop!(
			Hospitals::vote(RuntimeOrigin::signed(ADMIN_E), id),
			Error::<Test>::NotHospitalAdmin
		);
		assert_noop!(
			Hospitals::vote(RuntimeOrigin::signed(OPERATOR_B), id),
			Error::<Test>::NotHospitalAdmin
		);
	});
}

#[test]
fn a_hospital_votes_once_and_never_on_itself() {
	new_test_ext().execute_with(|| {
		let id = propose(ADMIN_A, Proposal::Suspend { hospital: HOSPITAL_E });
		assert_noop!(
			Hospitals::vote(RuntimeOrigin::signed(ADMIN_A), id),
			Error::<Test>::AlreadyVoted
		);
		assert_ok!(Hospitals::vote(RuntimeOrigin::signed(ADMIN_B), id));
		assert_noop!(
			Hospitals::vote(RuntimeOrigin::signed(ADMIN_B), id),
			Error::<Test>::AlreadyVoted
		);
		assert_noop!(
			Hospitals::vote(RuntimeOrigin::signed(ADMIN_E), id),
			Error::<Test>::TargetCannotVote
		);
		assert_noop!(
			Hospitals::vote(RuntimeOrigin::signed(ADMIN_B), 99),
			Error::<Test>::ProposalNotFound
		);
	});
}

#[test]
fn an_expired_proposal_takes_no_votes_and_can_be_closed() {
	new_test_ext().execute_with(|| {
		let id = propose(ADMIN_A, Proposal::Suspend { hospital: HOSPITAL_E });
		assert_noop!(
			Hospitals::close(RuntimeOrigin::signed(ADMIN_B), id),
			Error::<Test>::NotExpired
		);
		System::set_block_number(1 + PROPOSAL_LIFETIME + 1);
		assert_noop!(Hospitals::vote(RuntimeOrigin::signed(ADMIN_B), id), Error::<Test>::Expired);
		assert_ok!(Hospitals::close(RuntimeOrigin::signed(ADMIN_B), id));
		System::assert_last_event(Event::Closed { id }.into());
		assert_noop!(
			Hospitals::vote(RuntimeOrigin::signed(ADMIN_C), id),
			Error::<Test>::ProposalNotFound
		);
		assert_eq!(status(HOSPITAL_E), HospitalStatus::Active);
	});
}

#[test]
fn no_proposal_may_leave_fewer_than_the_minimum_active() {
	new_test_ext().execute_with(|| {
		pass(Proposal::Suspend { hospital: HOSPITAL_E });
		assert_eq!(ActiveHospitalCount::<Test>::get(), 4);
		assert_noop!(
			Hospitals::propose(
				RuntimeOrigin::signed(ADMIN_A),
				Proposal::Suspend { hospital: HOSPITAL_D }
			),
			Error::<Test>::BelowMinimumHospitals
		);
		assert_noop!(
			Hospitals::propose(
				RuntimeOrigin::signed(ADMIN_A),
				Proposal::Remove { hospital: HOSPITAL_D }
			),
			Error::<Test>::BelowMinimumHospitals
		);
		// Removing an already suspended hospital changes no active count.
		pass(Proposal::Remove { hospital: HOSPITAL_E });
		assert_eq!(status(HOSPITAL_E), HospitalStatus::Removed);
	});
}

#[test]
fn a_change_approved_while_the_set_shrank_is_checked_again_at_execution() {
	new_test_ext().execute_with(|| {
		let suspend_d = propose(ADMIN_A, Proposal::Suspend { hospital: HOSPITAL_D });
		assert_ok!(Hospitals::vote(RuntimeOrigin::signed(ADMIN_B), suspend_d));
		pass(Proposal::Suspend { hospital: HOSPITAL_E });
		assert_noop!(
			Hospitals::vote(RuntimeOrigin::signed(ADMIN_C), suspend_d),
			Error::<Test>::BelowMinimumHospitals
		);
	});
}

#[test]
fn status_changes_follow_the_lifecycle() {
	new_test_ext().execute_with(|| {
		let try_propose = |proposal| Hospitals::propose(RuntimeOrigin::signed(ADMIN_A), proposal);
		assert_noop!(
			try_propose(Proposal::Reinstate { hospital: HOSPITAL_E }),
			Error::<Test>::NotSuspended
		);
		assert_noop!(
			try_propose(Proposal::Suspend { hospital: 99 }),
			Error::<Test>::HospitalNotFound
		);

		pass(Proposal::Suspend { hospital: HOSPITAL_E });
		assert_noop!(
			try_propose(Proposal::Suspend { hospital: HOSPITAL_E }),
			Error::<Test>::NotActive
		);

		// E is not active, so four hospitals vote on its return and three must approve.
		pass(Proposal::Reinstate { hospital: HOSPITAL_E });
		assert!(events().contains(&Event::HospitalReinstated { hospital: HOSPITAL_E }));
		assert_eq!(status(HOSPITAL_E), HospitalStatus::Active);
		assert_eq!(ActiveHospitalCount::<Test>::get(), 5);

		pass(Proposal::Remove { hospital: HOSPITAL_E });
		assert!(events().contains(&Event::HospitalRemoved { hospital: HOSPITAL_E }));
		assert_noop!(
			try_propose(Proposal::Reinstate { hospital: HOSPITAL_E }),
			Error::<Test>::NotSuspended
		);
		assert_noop!(
			try_propose(Proposal::Remove { hospital: HOSPITAL_E }),
			Error::<Test>::HospitalRemoved
		);
	});
}

#[test]
fn approvals_of_hospitals_that_stopped_being_active_no_longer_count() {
	new_test_ext().execute_with(|| {
		let upgrade = propose(
			ADMIN_E,
			Proposal::UpgradeRuntime { code_hash: Default::default(), check_version: true },
		);
		pass(Proposal::Suspend { hospital: HOSPITAL_E });
		let info = Proposals::<Test>::get(upgrade).expect("open");
		// Four active hospitals vote on an upgrade: three approvals needed, E's is void.
		assert_eq!(Hospitals::tally(&info), (0, 3));
	});
}

#[test]
fn a_hospital_with_proven_keys_is_admitted() {
	new_test_ext().execute_with(|| {
		let hospital = new_hospital(105, "peer-5");
		let (aura_proof, grandpa_proof) = proofs(&hospital);
		let id = crate::NextProposalId::<Test>::get();
		assert_ok!(Hospitals::propose_hospital(
			RuntimeOrigin::signed(ADMIN_A),
			hospital.clone(),
			aura_proof,
			grandpa_proof
		));
		// Five active hospitals vote on an admission: four approvals needed.
		for admin in [ADMIN_B, ADMIN_C, ADMIN_D] {
			assert_ok!(Hospitals::vote(RuntimeOrigin::signed(admin), id));
		}
		assert!(
			events().contains(&Event::HospitalAdded { hospital: 5, name: hospital.name.clone() })
		);
		assert_eq!(status(5), HospitalStatus::Active);
		assert_eq!(Hospitals::active_hospital_of_peer(b"peer-5"), Some(5));
		assert_eq!(frame_system::Pallet::<Test>::providers(&60), 1);
		assert_eq!(frame_system::Pallet::<Test>::providers(&61), 1);
		assert_eq!(ActiveHospitalCount::<Test>::get(), 6);
	});
}

#[test]
fn admission_needs_valid_proofs_and_unused_keys_accounts_and_peers() {
	new_test_ext().execute_with(|| {
		let propose_hospital = |hospital: NewHospital<Test>, proofs| {
			let (aura, grandpa) = proofs;
			Hospitals::propose_hospital(RuntimeOrigin::signed(ADMIN_A), hospital, aura, grandpa)
		};
		let hospital = new_hospital(105, "peer-5");
		let (aura_proof, _) = proofs(&hospital);
		let forged = UintAuthorityId(999).generate_proof_of_possession(&[60]).expect("signs");
		assert_noop!(
			propose_hospital(hospital.clone(), (aura_proof, forged)),
			Error::<Test>::InvalidKeyProof
		);
		assert_noop!(
			Hospitals::propose(RuntimeOrigin::signed(ADMIN_A), Proposal::AddHospital(hospital)),
			Error::<Test>::AddNeedsKeyProofs
		);

		let taken_key = new_hospital(100, "peer-5");
		assert_noop!(
			propose_hospital(taken_key.clone(), proofs(&taken_key)),
			Error::<Test>::AuraKeyInUse
		);
		let mut taken_grandpa = new_hospital(106, "peer-5");
		taken_grandpa.grandpa = UintAuthorityId(200);
		assert_noop!(
			propose_hospital(taken_grandpa.clone(), proofs(&taken_grandpa)),
			Error::<Test>::GrandpaKeyInUse
		);
		let taken_peer = new_hospital(107, "peer-0");
		assert_noop!(
			propose_hospital(taken_peer.clone(), proofs(&taken_peer)),
			Error::<Test>::PeerIdInUse
		);
		let mut taken_account = new_hospital(108, "peer-5");
		taken_account.operator = OPERATOR_A;
		assert_noop!(
			propose_hospital(taken_account.clone(), proofs(&taken_account)),
			Error::<Test>::AccountInUse
		);
	});
}

#[test]
fn no_more_than_max_hospitals_are_ever_admitted() {
	new_test_ext().execute_with(|| {
		// Five founders and room for eight: admit three directly, as an approved proposal would.
		for index in 5..8u64 {
			let mut hospital = new_hospital(100 + index, &format!("peer-{index}"));
			hospital.admin = 10 * (index + 1);
			hospital.operator = 10 * (index + 1) + 1;
			assert_ok!(Hospitals::check_new_hospital(&hospital));
			Hospitals::admit(hospital);
		}
		let ninth = new_hospital(109, "peer-9");
		assert_noop!(
			Hospitals::propose_hospital(
				RuntimeOrigin::signed(ADMIN_A),
				ninth.clone(),
				proofs(&ninth).0,
				proofs(&ninth).1
			),
			Error::<Test>::TooManyHospitals
		);
	});
}

#[test]
fn an_approved_upgrade_authorizes_the_code_hash() {
	new_test_ext().execute_with(|| {
		let code_hash = sp_runtime::testing::H256::repeat_byte(7);
		let id = pass(Proposal::UpgradeRuntime { code_hash, check_version: true });
		// Five hospitals vote on an upgrade: four approvals needed.
		assert_ok!(Hospitals::vote(RuntimeOrigin::signed(ADMIN_D), id));
		assert!(events().contains(&Event::RuntimeUpgradeAuthorized { code_hash }));
		System::assert_has_event(
			frame_system::Event::UpgradeAuthorized { code_hash, check_version: true }.into(),
		);
	});
}

#[test]
fn governance_calls_are_operational() {
	let calls = [
		crate::Call::<Test>::vote { id: 0 }.get_dispatch_info(),
		crate::Call::<Test>::close { id: 0 }.get_dispatch_info(),
		crate::Call::<Test>::propose { proposal: Proposal::Suspend { hospital: 0 } }
			.get_dispatch_info(),
	];
	assert!(calls.iter().all(|info| info.class == DispatchClass::Operational));
}

#[test]
fn an_approved_stall_recovery_reaches_the_validator_set() {
	new_test_ext().execute_with(|| {
		let id = pass(Proposal::RecoverStalledSet { delay: 5, best_finalized: 40 });
		assert!(STALL_RECOVERIES.with(|r| r.borrow().is_empty()));
		assert_ok!(Hospitals::vote(RuntimeOrigin::signed(ADMIN_D), id));
		assert_eq!(STALL_RECOVERIES.with(|r| r.borrow().clone()), vec![(5, 40)]);
		assert!(events().contains(&Event::StallRecoveryScheduled { delay: 5, best_finalized: 40 }));
	});
}
