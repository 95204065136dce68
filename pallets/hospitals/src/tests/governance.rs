//! Proposals, votes and their execution.

use frame_support::traits::ConstU32;
use frame_support::{
	assert_noop, assert_ok,
	dispatch::{DispatchClass, GetDispatchInfo},
	BoundedVec,
};
use medchain_primitives::peer::NodeSignature;
use medchain_primitives::HospitalRegistry;
use sp_core::Pair;
use sp_runtime::{
	testing::{TestSignature, UintAuthorityId},
	RuntimeAppPublic,
};

use crate::{
	governance::{admission_message, node_admission_message},
	mock::*,
	Error, Event, HospitalNode, HospitalStatus, NewHospital, Proposal, Proposals,
};

const HOSPITAL_D: u32 = 3;
const HOSPITAL_E: u32 = 4;

pub(super) fn propose(admin: u64, proposal: Proposal<Test>) -> u32 {
	let id = crate::NextProposalId::<Test>::get();
	assert_ok!(Hospitals::propose(RuntimeOrigin::signed(admin), proposal));
	id
}

/// Proposes `proposal` as A, then approves it with the other active hospitals in id order
/// (never the target) until it executes.
pub(super) fn pass(proposal: Proposal<Test>) -> u32 {
	let target = proposal.target();
	let id = propose(ADMIN_A, proposal);
	for hospital in 1..8u32 {
		if !Proposals::<Test>::contains_key(id) {
			break;
		}
		if Some(hospital) != target && Hospitals::is_active(hospital) {
			assert_ok!(Hospitals::vote(RuntimeOrigin::signed(admin(hospital)), id));
		}
	}
	assert!(!Proposals::<Test>::contains_key(id), "proposal {id} did not pass");
	id
}

/// The admin account of founder `hospital` (see the mock).
pub(super) fn admin(hospital: u32) -> u64 {
	10 * (u64::from(hospital) + 1)
}

fn status(hospital: u32) -> HospitalStatus {
	crate::Hospitals::<Test>::get(hospital).expect("hospital exists").status
}

pub(super) fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::Hospitals(event) => Some(event),
			_ => None,
		})
		.collect()
}

/// Hospital F with validator key `key` (Aura and GRANDPA alike) and one node, whose node key
/// has seed `node_seed` (see [`node_pair`]).
pub(super) fn new_hospital(key: u64, node_seed: u8) -> NewHospital<Test> {
	NewHospital {
		name: BoundedVec::truncate_from(b"Hospital F".to_vec()),
		admin: 60,
		operator: 61,
		aura: UintAuthorityId(key),
		grandpa: UintAuthorityId(key),
		nodes: BoundedVec::truncate_from(vec![HospitalNode {
			peer_id: BoundedVec::truncate_from(node_peer_id(node_seed).into_bytes()),
			address: BoundedVec::truncate_from(b"/ip4/127.0.0.1/tcp/30338".to_vec()),
		}]),
	}
}

/// Proofs of possession of the validator keys, and node-key signatures.
pub(super) type Proofs = (TestSignature, TestSignature, BoundedVec<NodeSignature, ConstU32<2>>);

/// `hospital`'s validator keys' proofs and the signature of the node key with seed
/// `node_seed`, all over its whole admission.
pub(super) fn proofs(hospital: &NewHospital<Test>, node_seed: u8) -> Proofs {
	let message = admission_message::<Test>(&System::block_hash(0), hospital);
	let aura = hospital.aura.clone().generate_proof_of_possession(&message).expect("signs");
	let grandpa = hospital.grandpa.clone().generate_proof_of_possession(&message).expect("signs");
	let node_message = node_admission_message::<Test>(&System::block_hash(0), hospital);
	let node = node_pair(node_seed).sign(&node_message);
	(aura, grandpa, BoundedVec::truncate_from(vec![node]))
}

pub(super) fn propose_admission(
	admin: u64,
	hospital: NewHospital<Test>,
	(aura, grandpa, nodes): Proofs,
) -> frame_support::dispatch::DispatchResult {
	Hospitals::propose_hospital(RuntimeOrigin::signed(admin), hospital, aura, grandpa, nodes)
}

#[test]
fn two_thirds_of_all_hospitals_suspend_one_without_its_vote() {
	new_test_ext().execute_with(|| {
		// E stays in the electorate of five but can't vote: four of the others must approve.
		let id = propose(ADMIN_A, Proposal::Suspend { hospital: HOSPITAL_E });
		System::assert_has_event(
			Event::Proposed {
				id,
				proposer: 0,
				proposal: Proposal::Suspend { hospital: HOSPITAL_E },
			}
			.into(),
		);
		System::assert_last_event(Event::Tallied { id, ayes: 1, needed: 4 }.into());
		for (admin, ayes) in [(ADMIN_B, 2), (ADMIN_C, 3)] {
			assert_ok!(Hospitals::vote(RuntimeOrigin::signed(admin), id));
			System::assert_last_event(Event::Tallied { id, ayes, needed: 4 }.into());
		}
		assert_eq!(status(HOSPITAL_E), HospitalStatus::Active);

		assert_ok!(Hospitals::vote(RuntimeOrigin::signed(ADMIN_D), id));
		let tail = events();
		assert_eq!(
			tail[tail.len() - 3..],
			[
				Event::Tallied { id, ayes: 4, needed: 4 },
				Event::HospitalSuspended { hospital: HOSPITAL_E },
				Event::Executed { id },
			]
		);
		assert_eq!(status(HOSPITAL_E), HospitalStatus::Suspended);
		assert_eq!(Hospitals::active_count(), 4);
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
			Error::<Test>::NotMemberAdmin
		);
		assert_noop!(
			Hospitals::vote(RuntimeOrigin::signed(OPERATOR_B), id),
			Error::<Test>::NotMemberAdmin
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
		assert_eq!(Hospitals::active_count(), 4);
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
		assert_eq!(Hospitals::active_count(), 5);

		pass(Proposal::Remove { hospital: HOSPITAL_E });
		assert!(events().contains(&Event::HospitalRemoved { hospital: HOSPITAL_E }));
		assert_noop!(
			try_propose(Proposal::Reinstate { hospital: HOSPITAL_E }),
			Error::<Test>::NotSuspended
		);
		assert_noop!(
			try_propose(Proposal::Remove { hospital: HOSPITAL_E }),
			Error::<Test>::HospitalIsRemoved
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
		let hospital = new_hospital(105, 5);
		let id = crate::NextProposalId::<Test>::get();
		assert_ok!(propose_admission(ADMIN_A, hospital.clone(), proofs(&hospital, 5)));
		// Five active hospitals vote on an admission: four approvals needed.
		for admin in [ADMIN_B, ADMIN_C, ADMIN_D] {
			assert_ok!(Hospitals::vote(RuntimeOrigin::signed(admin), id));
		}
		assert!(
			events().contains(&Event::HospitalAdded { hospital: 5, name: hospital.name.clone() })
		);
		assert_eq!(status(5), HospitalStatus::Active);
		assert_eq!(Hospitals::active_hospital_of_peer(node_peer_id(5).as_bytes()), Some(5));
		assert_eq!(frame_system::Pallet::<Test>::providers(&60), 1);
		assert_eq!(frame_system::Pallet::<Test>::providers(&61), 1);
		assert_eq!(Hospitals::active_count(), 6);
	});
}

#[test]
fn admission_needs_valid_proofs_and_unused_keys_accounts_and_peers() {
	new_test_ext().execute_with(|| {
		let hospital = new_hospital(105, 5);
		let (aura_proof, _, nodes) = proofs(&hospital, 5);
		let forged = UintAuthorityId(999).generate_proof_of_possession(&[60]).expect("signs");
		assert_noop!(
			propose_admission(ADMIN_A, hospital.clone(), (aura_proof, forged, nodes)),
			Error::<Test>::InvalidKeyProof
		);
		assert_noop!(
			Hospitals::propose(RuntimeOrigin::signed(ADMIN_A), Proposal::AddHospital(hospital)),
			Error::<Test>::AddNeedsKeyProofs
		);

		let taken_key = new_hospital(100, 5);
		assert_noop!(
			propose_admission(ADMIN_A, taken_key.clone(), proofs(&taken_key, 5)),
			Error::<Test>::AuraKeyInUse
		);
		let mut taken_grandpa = new_hospital(106, 5);
		taken_grandpa.grandpa = UintAuthorityId(200);
		assert_noop!(
			propose_admission(ADMIN_A, taken_grandpa.clone(), proofs(&taken_grandpa, 5)),
			Error::<Test>::GrandpaKeyInUse
		);
		// Founder A's node, even signed with A's node key, is A's.
		let taken_peer = new_hospital(107, 0);
		assert_noop!(
			propose_admission(ADMIN_A, taken_peer.clone(), proofs(&taken_peer, 0)),
			Error::<Test>::PeerIdInUse
		);
		let mut taken_account = new_hospital(108, 5);
		taken_account.operator = OPERATOR_A;
		assert_noop!(
			propose_admission(ADMIN_A, taken_account.clone(), proofs(&taken_account, 5)),
			Error::<Test>::AccountInUse
		);
	});
}

#[test]
fn a_hostile_patient_registration_cannot_block_an_admission() {
	new_test_ext().execute_with(|| {
		let hospital = new_hospital(105, 5);
		// B's operator registers the proposed admin and operator as its "patients".
		for account in [hospital.admin, hospital.operator] {
			assert_ok!(Hospitals::register_patient(RuntimeOrigin::signed(OPERATOR_B), account));
		}
		let id = crate::NextProposalId::<Test>::get();
		assert_ok!(propose_admission(ADMIN_A, hospital.clone(), proofs(&hospital, 5)));
		for admin in [ADMIN_B, ADMIN_C, ADMIN_D] {
			assert_ok!(Hospitals::vote(RuntimeOrigin::signed(admin), id));
		}
		assert_eq!(status(5), HospitalStatus::Active);
		assert_eq!(
			Hospitals::signer(&hospital.operator),
			Some(crate::Signer::Hospital {
				hospital: 5,
				role: medchain_primitives::HospitalRole::Operator
			})
		);
	});
}

#[test]
fn nobody_can_swap_a_validator_key_into_someone_elses_admission() {
	new_test_ext().execute_with(|| {
		let hospital = new_hospital(105, 5);
		let (aura, _, nodes) = proofs(&hospital, 5);
		// A hostile admin keeps E's fields, Aura proof and node proof, but puts in a GRANDPA
		// key it holds, with a valid proof of possession over the same admission message.
		let mut swapped = hospital.clone();
		swapped.grandpa = UintAuthorityId(777);
		let (_, own_grandpa_proof, _) = proofs(&swapped, 5);
		assert_noop!(
			propose_admission(ADMIN_B, swapped, (aura, own_grandpa_proof, nodes)),
			Error::<Test>::InvalidNodeProof
		);
	});
}

#[test]
fn a_node_is_admitted_only_with_its_own_node_keys_signature() {
	new_test_ext().execute_with(|| {
		let hospital = new_hospital(105, 5);
		// Another node's key (here founder B's) can't sign for node 5.
		assert_noop!(
			propose_admission(ADMIN_A, hospital.clone(), proofs(&hospital, 1)),
			Error::<Test>::InvalidNodeProof
		);
		let (aura, grandpa, _) = proofs(&hospital, 5);
		assert_noop!(
			propose_admission(ADMIN_A, hospital.clone(), (aura, grandpa, BoundedVec::new())),
			Error::<Test>::InvalidNodeProof
		);
		// A peer id that is no ed25519 key can't be proven at all.
		let mut made_up = hospital.clone();
		made_up.nodes[0].peer_id = BoundedVec::truncate_from(b"peer-made-up".to_vec());
		assert_noop!(
			propose_admission(ADMIN_A, made_up.clone(), proofs(&made_up, 5)),
			Error::<Test>::InvalidNodeProof
		);
		assert_ok!(propose_admission(ADMIN_A, hospital.clone(), proofs(&hospital, 5)));
	});
}

#[test]
fn no_more_than_max_hospitals_are_active_at_once() {
	new_test_ext().execute_with(|| {
		// Five founders and room for eight: admit three directly, as an approved proposal would.
		for index in 5..8u64 {
			let mut hospital = new_hospital(100 + index, index as u8);
			hospital.admin = 10 * (index + 1);
			hospital.operator = 10 * (index + 1) + 1;
			assert_ok!(Hospitals::check_new_hospital(&hospital));
			Hospitals::admit(hospital);
		}
		let mut ninth = new_hospital(109, 9);
		(ninth.admin, ninth.operator) = (90, 91);
		assert_noop!(
			propose_admission(ADMIN_A, ninth.clone(), proofs(&ninth, 9)),
			Error::<Test>::TooManyHospitals
		);
		// The cap is on active hospitals, not on ids ever issued: after a removal, a ninth
		// hospital (id 8) is admitted.
		pass(Proposal::Remove { hospital: HOSPITAL_E });
		assert_ok!(propose_admission(ADMIN_A, ninth.clone(), proofs(&ninth, 9)));
		// Seven active hospitals: five approvals.
		for hospital in [1u32, 2, 3, 5] {
			assert_ok!(Hospitals::vote(RuntimeOrigin::signed(admin(hospital)), 1));
		}
		assert_eq!(status(8), HospitalStatus::Active);
		assert_eq!(Hospitals::active_count(), 8);
	});
}

#[test]
fn an_approved_upgrade_authorizes_the_code_hash() {
	new_test_ext().execute_with(|| {
		let code_hash = sp_runtime::testing::H256::repeat_byte(7);
		let id = propose(ADMIN_A, Proposal::UpgradeRuntime { code_hash, check_version: true });
		// Five hospitals vote on an upgrade: four approvals needed.
		for admin in [ADMIN_B, ADMIN_C] {
			assert_ok!(Hospitals::vote(RuntimeOrigin::signed(admin), id));
		}
		assert!(!events().contains(&Event::RuntimeUpgradeAuthorized { code_hash }));
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
		crate::Call::<Test>::rotate_operator { new_operator: 71 }.get_dispatch_info(),
		crate::Call::<Test>::propose_hospital {
			hospital: new_hospital(105, 5),
			aura_proof: UintAuthorityId(105).generate_proof_of_possession(&[]).expect("signs"),
			grandpa_proof: UintAuthorityId(105).generate_proof_of_possession(&[]).expect("signs"),
			node_proofs: BoundedVec::new(),
		}
		.get_dispatch_info(),
	];
	assert!(calls.iter().all(|info| info.class == DispatchClass::Operational));
}

#[test]
fn an_approved_stall_recovery_reaches_the_validator_set() {
	new_test_ext().execute_with(|| {
		System::set_block_number(50);
		// C and D of five stopped authoring: three live validators can't reach GRANDPA's four.
		GONE.with(|gone| *gone.borrow_mut() = vec![2, 3]);
		let id = propose(ADMIN_A, Proposal::RecoverStalledSet { delay: 5, best_finalized: 40 });
		System::assert_last_event(Event::Tallied { id, ayes: 1, needed: 2 }.into());
		assert!(STALL_RECOVERIES.with(|r| r.borrow().is_empty()));
		assert_ok!(Hospitals::vote(RuntimeOrigin::signed(ADMIN_E), id));
		assert_eq!(STALL_RECOVERIES.with(|r| r.borrow().clone()), vec![(5, 40)]);
		assert_eq!(
			(status(2), status(3), status(1)),
			(HospitalStatus::Suspended, HospitalStatus::Suspended, HospitalStatus::Active)
		);
		assert!(events().contains(&Event::StallRecoveryScheduled { delay: 5, best_finalized: 40 }));
	});
}

#[test]
fn a_stall_recovery_has_a_bounded_delay_and_a_past_finalized_block() {
	new_test_ext().execute_with(|| {
		System::set_block_number(50);
		GONE.with(|gone| *gone.borrow_mut() = vec![3, 4]);
		let try_propose = |delay, best_finalized| {
			Hospitals::propose(
				RuntimeOrigin::signed(ADMIN_A),
				Proposal::RecoverStalledSet { delay, best_finalized },
			)
		};
		assert_noop!(try_propose(MAX_RECOVERY_DELAY + 1, 40), Error::<Test>::RecoveryDelayTooLong);
		assert_noop!(try_propose(5, 50), Error::<Test>::FinalizedNotInPast);
		assert_noop!(try_propose(5, u64::MAX), Error::<Test>::FinalizedNotInPast);
		assert_ok!(try_propose(MAX_RECOVERY_DELAY, 49));
	});
}

#[test]
fn a_bare_majority_of_seven_can_neither_suspend_the_others_nor_upgrade_alone() {
	new_test_ext_with((0..7).map(founder).collect()).execute_with(|| {
		// A to D collude against E, F and G. Before the fix a suspension of E needed four of
		// the six others, so A to D could suspend E, F and G in turn and then rule alone.
		let colluders = [ADMIN_A, ADMIN_B, ADMIN_C, ADMIN_D];
		for target in [4u32, 5, 6] {
			let id = propose(ADMIN_A, Proposal::Suspend { hospital: target });
			for admin in &colluders[1..] {
				assert_ok!(Hospitals::vote(RuntimeOrigin::signed(*admin), id));
			}
			System::assert_last_event(Event::Tallied { id, ayes: 4, needed: 5 }.into());
			assert_eq!(status(target), HospitalStatus::Active);
			System::set_block_number(System::block_number() + PROPOSAL_LIFETIME + 1);
			assert_ok!(Hospitals::close(RuntimeOrigin::signed(ADMIN_A), id));
		}
		let code_hash = sp_runtime::testing::H256::repeat_byte(9);
		let upgrade = propose(ADMIN_A, Proposal::UpgradeRuntime { code_hash, check_version: true });
		for admin in &colluders[1..] {
			assert_ok!(Hospitals::vote(RuntimeOrigin::signed(*admin), upgrade));
		}
		System::assert_last_event(Event::Tallied { id: upgrade, ayes: 4, needed: 5 }.into());
		assert!(!events().contains(&Event::RuntimeUpgradeAuthorized { code_hash }));
		assert_eq!(Hospitals::active_count(), 7);
	});
}

#[test]
fn an_admin_has_at_most_the_open_proposal_cap() {
	new_test_ext().execute_with(|| {
		let upgrade = |byte| Proposal::UpgradeRuntime {
			code_hash: sp_runtime::testing::H256::repeat_byte(byte),
			check_version: true,
		};
		let first = propose(ADMIN_A, upgrade(1));
		for byte in 2..=MAX_OPEN_PROPOSALS as u8 {
			propose(ADMIN_A, upgrade(byte));
		}
		assert_eq!(crate::OpenProposals::<Test>::get(0), MAX_OPEN_PROPOSALS);
		assert_noop!(
			Hospitals::propose(RuntimeOrigin::signed(ADMIN_A), upgrade(99)),
			Error::<Test>::TooManyOpenProposals
		);
		// Another admin has its own slots; closing one of A's frees one.
		propose(ADMIN_B, upgrade(99));
		System::set_block_number(1 + PROPOSAL_LIFETIME + 1);
		assert_ok!(Hospitals::close(RuntimeOrigin::signed(ADMIN_B), first));
		assert_eq!(crate::OpenProposals::<Test>::get(0), MAX_OPEN_PROPOSALS - 1);
		propose(ADMIN_A, upgrade(99));
	});
}

#[test]
fn admission_proofs_cover_the_whole_admission_so_nobody_can_reuse_them() {
	new_test_ext().execute_with(|| {
		let hospital = new_hospital(105, 5);
		let (aura, grandpa, nodes) = proofs(&hospital, 5);
		// Another member takes the public proofs and swaps in its own operator or node.
		let mut other_operator = hospital.clone();
		other_operator.operator = 77;
		let mut other_node = hospital.clone();
		other_node.nodes = BoundedVec::truncate_from(vec![HospitalNode {
			peer_id: BoundedVec::truncate_from(node_peer_id(1).into_bytes()),
			address: BoundedVec::truncate_from(b"/ip4/127.0.0.1/tcp/40000".to_vec()),
		}]);
		let mut other_name = hospital.clone();
		other_name.name = BoundedVec::truncate_from(b"Hospital X".to_vec());
		for hijacked in [other_operator, other_node, other_name] {
			assert_noop!(
				propose_admission(
					ADMIN_B,
					hijacked,
					(aura.clone(), grandpa.clone(), nodes.clone())
				),
				Error::<Test>::InvalidKeyProof
			);
		}
		assert_ok!(propose_admission(ADMIN_B, hospital, (aura, grandpa, nodes)));
	});
}

#[test]
fn two_live_survivors_of_four_recover_a_stalled_set_and_then_admit_a_replacement() {
	new_test_ext_with((0..4).map(founder).collect()).execute_with(|| {
		System::set_block_number(50);
		// C and D stopped authoring for good: GRANDPA needs three of four, so finality stalls.
		GONE.with(|gone| *gone.borrow_mut() = vec![2, 3]);
		assert_noop!(
			Hospitals::propose(RuntimeOrigin::signed(ADMIN_A), Proposal::Suspend { hospital: 2 }),
			Error::<Test>::BelowMinimumHospitals
		);
		let id = propose(ADMIN_A, Proposal::RecoverStalledSet { delay: 5, best_finalized: 40 });
		System::assert_last_event(Event::Tallied { id, ayes: 1, needed: 2 }.into());
		// A gone hospital's admin key still signs, but its approval does not count.
		assert_ok!(Hospitals::vote(RuntimeOrigin::signed(ADMIN_C), id));
		System::assert_last_event(Event::Tallied { id, ayes: 1, needed: 2 }.into());
		assert_ok!(Hospitals::vote(RuntimeOrigin::signed(ADMIN_B), id));
		assert_eq!((status(2), status(3)), (HospitalStatus::Suspended, HospitalStatus::Suspended));
		assert_eq!(Hospitals::active_count(), 2);
		assert!(events().contains(&Event::HospitalSuspended { hospital: 3 }));
		assert_eq!(STALL_RECOVERIES.with(|r| r.borrow().clone()), vec![(5, 40)]);

		// The two survivors admit a replacement: two thirds of two is two.
		let hospital = new_hospital(105, 5);
		let admission = crate::NextProposalId::<Test>::get();
		assert_ok!(propose_admission(ADMIN_A, hospital.clone(), proofs(&hospital, 5)));
		assert_ok!(Hospitals::vote(RuntimeOrigin::signed(ADMIN_B), admission));
		assert_eq!(status(4), HospitalStatus::Active);
		assert_eq!(Hospitals::active_count(), 3);
	});
}

#[test]
fn a_lone_survivor_cannot_make_itself_the_whole_set() {
	new_test_ext().execute_with(|| {
		System::set_block_number(50);
		GONE.with(|gone| *gone.borrow_mut() = vec![1, 2, 3, 4]);
		let id = propose(ADMIN_A, Proposal::RecoverStalledSet { delay: 5, best_finalized: 40 });
		System::assert_last_event(Event::Tallied { id, ayes: 1, needed: 2 }.into());
		for admin in [ADMIN_B, ADMIN_C] {
			assert_ok!(Hospitals::vote(RuntimeOrigin::signed(admin), id));
		}
		System::assert_last_event(Event::Tallied { id, ayes: 1, needed: 2 }.into());
		assert!(STALL_RECOVERIES.with(|r| r.borrow().is_empty()));
		assert_eq!(Hospitals::active_count(), 5);
	});
}

#[test]
fn a_recovery_is_refused_while_enough_validators_are_live_to_finalize() {
	new_test_ext_with((0..4).map(founder).collect()).execute_with(|| {
		System::set_block_number(50);
		let recover = || {
			Hospitals::propose(
				RuntimeOrigin::signed(ADMIN_A),
				Proposal::RecoverStalledSet { delay: 5, best_finalized: 40 },
			)
		};
		// All live, or one of four briefly down: GRANDPA still has its three of four, so a
		// recovery would only let a majority throw out a healthy hospital.
		assert_noop!(recover(), Error::<Test>::FinalityNotStalled);
		GONE.with(|gone| *gone.borrow_mut() = vec![3]);
		assert_noop!(recover(), Error::<Test>::FinalityNotStalled);
		// The hospital comes back before the survivors' vote: the recovery no longer executes.
		GONE.with(|gone| *gone.borrow_mut() = vec![2, 3]);
		let id = propose(ADMIN_A, Proposal::RecoverStalledSet { delay: 5, best_finalized: 40 });
		GONE.with(|gone| *gone.borrow_mut() = vec![3]);
		assert_noop!(
			Hospitals::vote(RuntimeOrigin::signed(ADMIN_B), id),
			Error::<Test>::FinalityNotStalled
		);
		assert_eq!(Hospitals::active_count(), 4);
	});
}
