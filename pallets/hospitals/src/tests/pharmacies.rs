//! Pharmacies: members that never validate, admitted, suspended and rotated by governance, and
//! voting only where genesis says so.

use frame_support::{
	assert_noop, assert_ok,
	dispatch::{DispatchClass, GetDispatchInfo},
	traits::{ConstU32, EnsureOrigin},
	BoundedVec,
};
use medchain_primitives::{
	peer::NodeSignature, HospitalId, HospitalRegistry, HospitalRole, ValidatorRegistry,
};
use sp_core::Pair;
use sp_runtime::{testing::UintAuthorityId, RuntimeAppPublic};

use super::governance::{events, new_hospital, pass, proofs, propose, propose_admission};
use crate::{
	governance::pharmacy_admission_message, mock::*, permission::priority,
	rotation::node_rotation_message, AccountRoles, ActivePharmacies, Error, Event, HospitalNode,
	HospitalStatus, NewPharmacy, PeerOwner, Pharmacies, Proposal, Proposals, Signer,
};

/// The id the first pharmacy gets, after founders A to E (0 to 4).
const FIRST_PHARMACY: HospitalId = 5;
const HOSPITAL_E: HospitalId = 4;

/// Pharmacy `index`'s admin; its operator is the next account.
fn pharmacy_admin(index: u64) -> u64 {
	500 + 10 * index
}

fn pharmacy_operator(index: u64) -> u64 {
	pharmacy_admin(index) + 1
}

/// The seed of pharmacy `index`'s node key (founder `h` runs node `h`, hospital F node 5).
fn pharmacy_seed(index: u64) -> u8 {
	30 + index as u8
}

fn node(seed: u8) -> HospitalNode<Test> {
	HospitalNode {
		peer_id: BoundedVec::truncate_from(node_peer_id(seed).into_bytes()),
		address: BoundedVec::truncate_from(
			format!("/ip4/127.0.0.1/tcp/{}", 41000 + u32::from(seed)).into_bytes(),
		),
	}
}

/// A member's nodes in the mock.
type Nodes = BoundedVec<HospitalNode<Test>, ConstU32<2>>;

/// Pharmacy `index` with one node.
fn new_pharmacy(index: u64) -> NewPharmacy<Test> {
	NewPharmacy {
		name: BoundedVec::truncate_from(format!("Pharmacy {index}").into_bytes()),
		admin: pharmacy_admin(index),
		operator: pharmacy_operator(index),
		nodes: BoundedVec::truncate_from(vec![node(pharmacy_seed(index))]),
	}
}

/// The signatures of the node keys with seeds `seeds` over `pharmacy`'s admission.
fn signed_by(pharmacy: &NewPharmacy<Test>, seeds: &[u8]) -> BoundedVec<NodeSignature, ConstU32<2>> {
	let message = pharmacy_admission_message::<Test>(&System::block_hash(0), pharmacy);
	BoundedVec::truncate_from(seeds.iter().map(|seed| node_pair(*seed).sign(&message)).collect())
}

/// `pharmacy`'s own node keys' signatures over its admission.
fn node_proofs(pharmacy: &NewPharmacy<Test>, index: u64) -> BoundedVec<NodeSignature, ConstU32<2>> {
	signed_by(pharmacy, &[pharmacy_seed(index)])
}

fn propose_pharmacy(proposer: u64, index: u64) -> frame_support::dispatch::DispatchResult {
	let pharmacy = new_pharmacy(index);
	let proofs = node_proofs(&pharmacy, index);
	Hospitals::propose_pharmacy(RuntimeOrigin::signed(proposer), pharmacy, proofs)
}

fn vote(admin: u64, id: u32) -> frame_support::dispatch::DispatchResult {
	Hospitals::vote(RuntimeOrigin::signed(admin), id)
}

/// Approves open proposal `id` with the active hospitals B, C, … (A proposed it) until it
/// executes.
fn approve_by_hospitals(id: u32) {
	for hospital in 1..8u32 {
		if !Proposals::<Test>::contains_key(id) {
			break;
		}
		if Hospitals::is_active(hospital) {
			assert_ok!(vote(super::governance::admin(hospital), id));
		}
	}
	assert!(!Proposals::<Test>::contains_key(id), "proposal {id} did not pass");
}

/// Admits pharmacy `index` as A proposes it and the hospitals approve; returns its id.
fn admit(index: u64) -> HospitalId {
	let member = crate::NextHospitalId::<Test>::get();
	let id = crate::NextProposalId::<Test>::get();
	assert_ok!(propose_pharmacy(ADMIN_A, index));
	approve_by_hospitals(id);
	assert!(Hospitals::is_active_pharmacy(member));
	member
}

fn pharmacy_status(pharmacy: HospitalId) -> HospitalStatus {
	Pharmacies::<Test>::get(pharmacy).expect("pharmacy exists").status
}

#[test]
fn the_hospitals_admit_a_pharmacy_by_vote() {
	new_test_ext().execute_with(|| {
		let pharmacy = new_pharmacy(0);
		let id = crate::NextProposalId::<Test>::get();
		assert_ok!(propose_pharmacy(ADMIN_A, 0));
		System::assert_has_event(
			Event::Proposed { id, proposer: 0, proposal: Proposal::AddPharmacy(pharmacy.clone()) }
				.into(),
		);
		// The five hospitals vote on it: four approvals.
		System::assert_last_event(Event::Tallied { id, ayes: 1, needed: 4 }.into());
		for admin in [ADMIN_B, ADMIN_C] {
			assert_ok!(vote(admin, id));
		}
		assert!(Pharmacies::<Test>::get(FIRST_PHARMACY).is_none());
		assert_ok!(vote(ADMIN_D, id));
		let tail = events();
		assert_eq!(
			tail[tail.len() - 3..],
			[
				Event::Tallied { id, ayes: 4, needed: 4 },
				Event::PharmacyAdded { pharmacy: FIRST_PHARMACY, name: pharmacy.name.clone() },
				Event::Executed { id },
			]
		);

		let stored = Pharmacies::<Test>::get(FIRST_PHARMACY).expect("admitted");
		assert_eq!(
			(stored.admin, stored.operator, stored.status, stored.joined),
			(pharmacy_admin(0), pharmacy_operator(0), HospitalStatus::Active, 1)
		);
		assert_eq!(stored.nodes, pharmacy.nodes);
		assert!(crate::Hospitals::<Test>::get(FIRST_PHARMACY).is_none());
		assert_eq!(ActivePharmacies::<Test>::get().into_inner(), vec![FIRST_PHARMACY]);
		assert_eq!(crate::NextHospitalId::<Test>::get(), FIRST_PHARMACY + 1);
		assert_eq!(
			AccountRoles::<Test>::get(pharmacy_admin(0)),
			Some((FIRST_PHARMACY, HospitalRole::Admin))
		);
		assert_eq!(
			AccountRoles::<Test>::get(pharmacy_operator(0)),
			Some((FIRST_PHARMACY, HospitalRole::Operator))
		);
		assert_eq!(frame_system::Pallet::<Test>::providers(&pharmacy_admin(0)), 1);
		assert_eq!(frame_system::Pallet::<Test>::providers(&pharmacy_operator(0)), 1);
		assert_eq!(PeerOwner::<Test>::get(&pharmacy.nodes[0].peer_id), Some(FIRST_PHARMACY));

		// The allowlist: the hospitals' nodes, then the pharmacy's.
		let peers: Vec<Vec<u8>> =
			Hospitals::authorized_nodes().into_iter().map(|node| node.peer_id).collect();
		let mut expected: Vec<Vec<u8>> =
			(0..5).map(|seed| node_peer_id(seed).into_bytes()).collect();
		expected.push(node_peer_id(pharmacy_seed(0)).into_bytes());
		assert_eq!(peers, expected);

		// It validates nothing and counts for no hospital limit.
		assert_eq!(Hospitals::active_count(), 5);
		assert_eq!(Hospitals::active_pharmacy_count(), 1);
		let validators: Vec<HospitalId> =
			Hospitals::active_validators().into_iter().map(|(id, _, _)| id).collect();
		assert_eq!(validators, vec![0, 1, 2, 3, 4]);
	});
}

#[test]
fn a_pharmacy_votes_on_nothing_unless_genesis_says_so() {
	new_test_ext().execute_with(|| {
		let pharmacy = admit(0);
		let admin = pharmacy_admin(0);
		let hospital = new_hospital(105, 5);
		let add_hospital = crate::NextProposalId::<Test>::get();
		assert_ok!(propose_admission(ADMIN_A, hospital.clone(), proofs(&hospital, 5)));
		let add_pharmacy = crate::NextProposalId::<Test>::get();
		assert_ok!(propose_pharmacy(ADMIN_A, 1));
		let suspension = propose(ADMIN_B, Proposal::Suspend { hospital: HOSPITAL_E });
		for id in [add_hospital, add_pharmacy, suspension] {
			assert_noop!(vote(admin, id), Error::<Test>::PharmacyCannotVote);
		}
		// Proposing is approving: it may propose no admission either.
		assert_noop!(propose_pharmacy(admin, 2), Error::<Test>::PharmacyCannotVote);
		let other = new_hospital(106, 6);
		assert_noop!(
			propose_admission(admin, other.clone(), proofs(&other, 6)),
			Error::<Test>::PharmacyCannotVote
		);
		// Suspensions, upgrades, recoveries and closing are hospitals' business.
		assert_noop!(
			Hospitals::propose(RuntimeOrigin::signed(admin), Proposal::Suspend { hospital: 1 }),
			Error::<Test>::NotHospitalAdmin
		);
		assert_noop!(
			Hospitals::close(RuntimeOrigin::signed(admin), suspension),
			Error::<Test>::NotHospitalAdmin
		);
		// Its operator is no admin, and a stranger no member.
		for who in [pharmacy_operator(0), PATIENT] {
			assert_noop!(vote(who, add_pharmacy), Error::<Test>::NotMemberAdmin);
		}
		// The hospitals alone decide: five vote on each admission.
		let info = Proposals::<Test>::get(add_pharmacy).expect("open");
		assert_eq!(Hospitals::tally(&info), (1, 4));
		assert!(!Hospitals::votes_on(pharmacy, &info.proposal));
		assert!(Hospitals::votes_on(0, &info.proposal));
	});
}

#[test]
fn where_genesis_says_so_pharmacies_vote_on_admissions_only() {
	new_test_ext_where_pharmacies_vote().execute_with(|| {
		assert!(crate::PharmaciesVoteOnAdmissions::<Test>::get());
		let first = admit(0);
		// Five hospitals and a pharmacy vote on the second pharmacy: four approvals.
		let second = admit(1);
		assert_eq!((first, second), (FIRST_PHARMACY, FIRST_PHARMACY + 1));

		// A pharmacy proposes a hospital; five hospitals and two pharmacies vote: five
		// approvals.
		let hospital = new_hospital(105, 5);
		let id = crate::NextProposalId::<Test>::get();
		assert_ok!(propose_admission(pharmacy_admin(0), hospital.clone(), proofs(&hospital, 5)));
		System::assert_has_event(
			Event::Proposed {
				id,
				proposer: first,
				proposal: Proposal::AddHospital(hospital.clone()),
			}
			.into(),
		);
		System::assert_last_event(Event::Tallied { id, ayes: 1, needed: 5 }.into());
		assert_ok!(vote(pharmacy_admin(1), id));
		System::assert_last_event(Event::Tallied { id, ayes: 2, needed: 5 }.into());
		assert_noop!(vote(pharmacy_admin(1), id), Error::<Test>::AlreadyVoted);
		for admin in [ADMIN_A, ADMIN_B, ADMIN_C] {
			assert_ok!(vote(admin, id));
		}
		// Five approvals of seven, but three of five hospitals: pharmacies never outvote
		// the hospitals on who validates.
		System::assert_last_event(Event::Tallied { id, ayes: 5, needed: 5 }.into());
		assert!(!events().iter().any(|event| matches!(event, Event::HospitalAdded { .. })));
		assert_ok!(vote(ADMIN_D, id));
		assert!(events().contains(&Event::HospitalAdded { hospital: 7, name: hospital.name }));
		assert_eq!(Hospitals::active_count(), 6);

		// A pharmacy proposes a pharmacy: six hospitals and two pharmacies, six approvals.
		let third = crate::NextProposalId::<Test>::get();
		assert_ok!(propose_pharmacy(pharmacy_admin(1), 2));
		System::assert_last_event(Event::Tallied { id: third, ayes: 1, needed: 6 }.into());
		assert_ok!(vote(pharmacy_admin(0), third));
		System::assert_last_event(Event::Tallied { id: third, ayes: 2, needed: 6 }.into());

		// Never on a suspension or an upgrade, and it proposes neither.
		let suspension = propose(ADMIN_A, Proposal::Suspend { hospital: HOSPITAL_E });
		let upgrade = propose(
			ADMIN_B,
			Proposal::UpgradeRuntime { code_hash: Default::default(), check_version: true },
		);
		for id in [suspension, upgrade] {
			assert_noop!(vote(pharmacy_admin(0), id), Error::<Test>::PharmacyCannotVote);
		}
		assert_noop!(
			Hospitals::propose(
				RuntimeOrigin::signed(pharmacy_admin(0)),
				Proposal::Suspend { hospital: HOSPITAL_E }
			),
			Error::<Test>::NotHospitalAdmin
		);
		// Six hospitals vote on the suspension of E (its own vote not counted): four.
		let info = Proposals::<Test>::get(suspension).expect("open");
		assert_eq!(Hospitals::tally(&info), (1, 4));
	});
}

#[test]
fn a_suspended_pharmacys_approvals_stop_counting() {
	new_test_ext_where_pharmacies_vote().execute_with(|| {
		let first = admit(0);
		let id = crate::NextProposalId::<Test>::get();
		assert_ok!(propose_pharmacy(ADMIN_A, 1));
		assert_ok!(vote(pharmacy_admin(0), id));
		// Five hospitals and one pharmacy: four approvals.
		System::assert_last_event(Event::Tallied { id, ayes: 2, needed: 4 }.into());
		pass(Proposal::Suspend { hospital: first });
		// Its approval no longer counts, and it left the electorate.
		let info = Proposals::<Test>::get(id).expect("open");
		assert_eq!(Hospitals::tally(&info), (1, 4));
		assert_noop!(vote(pharmacy_admin(0), id), Error::<Test>::NotMemberAdmin);
		// The next approval drops it from the list, making room for every voter.
		assert_ok!(vote(ADMIN_B, id));
		let info = Proposals::<Test>::get(id).expect("open");
		assert_eq!(info.ayes.into_inner(), vec![0, 1]);
	});
}

#[test]
fn a_pharmacy_does_not_count_for_the_minimum_of_hospitals() {
	new_test_ext_with((0..4).map(founder).collect()).execute_with(|| {
		// Four hospitals, the minimum: three of them admit a pharmacy.
		let pharmacy = admit(0);
		assert_eq!(Hospitals::active_count(), 4);
		for proposal in [Proposal::Suspend { hospital: 3 }, Proposal::Remove { hospital: 3 }] {
			assert_noop!(
				Hospitals::propose(RuntimeOrigin::signed(ADMIN_A), proposal),
				Error::<Test>::BelowMinimumHospitals
			);
		}
		// The pharmacy itself may be suspended at the minimum: it validates nothing.
		let id = propose(ADMIN_A, Proposal::Suspend { hospital: pharmacy });
		// The four hospitals vote on it, all of them: three approvals.
		System::assert_last_event(Event::Tallied { id, ayes: 1, needed: 3 }.into());
		approve_by_hospitals(id);
		assert_eq!(pharmacy_status(pharmacy), HospitalStatus::Suspended);
		assert_eq!(Hospitals::active_count(), 4);
	});
}

#[test]
fn a_stall_recovery_leaves_the_pharmacies_active() {
	new_test_ext_where_pharmacies_vote().execute_with(|| {
		let pharmacy = admit(0);
		System::set_block_number(50);
		// C and D of five stopped authoring.
		GONE.with(|gone| *gone.borrow_mut() = vec![2, 3]);
		let id = propose(ADMIN_A, Proposal::RecoverStalledSet { delay: 5, best_finalized: 40 });
		// Pharmacies never vote on a recovery, even where they vote on admissions.
		assert_noop!(vote(pharmacy_admin(0), id), Error::<Test>::PharmacyCannotVote);
		assert_ok!(vote(ADMIN_E, id));
		assert_eq!(STALL_RECOVERIES.with(|r| r.borrow().clone()), vec![(5, 40)]);
		assert_eq!(Hospitals::active_count(), 3);
		assert_eq!(pharmacy_status(pharmacy), HospitalStatus::Active);
		assert_eq!(ActivePharmacies::<Test>::get().into_inner(), vec![pharmacy]);
		assert!(!events().contains(&Event::HospitalSuspended { hospital: pharmacy }));
	});
}

#[test]
fn governance_suspends_reinstates_and_removes_a_pharmacy() {
	new_test_ext().execute_with(|| {
		let pharmacy = admit(0);
		let peer = node_peer_id(pharmacy_seed(0)).into_bytes();
		pass(Proposal::Suspend { hospital: pharmacy });
		assert!(events().contains(&Event::HospitalSuspended { hospital: pharmacy }));
		assert_eq!(pharmacy_status(pharmacy), HospitalStatus::Suspended);
		assert!(ActivePharmacies::<Test>::get().is_empty());
		assert!(!Hospitals::is_active_pharmacy(pharmacy));
		assert!(!Hospitals::is_active_member(pharmacy));
		assert_eq!(Hospitals::active_pharmacy_of(&pharmacy_operator(0)), None);
		assert_eq!(Hospitals::signer(&pharmacy_operator(0)), None);
		assert!(Hospitals::authorized_nodes().iter().all(|node| node.peer_id != peer));
		assert_noop!(
			Hospitals::propose(
				RuntimeOrigin::signed(ADMIN_A),
				Proposal::Suspend { hospital: pharmacy }
			),
			Error::<Test>::NotActive
		);
		assert_noop!(
			Hospitals::rotate_operator(RuntimeOrigin::signed(pharmacy_admin(0)), 599),
			Error::<Test>::NotMemberAdmin
		);

		pass(Proposal::Reinstate { hospital: pharmacy });
		assert!(events().contains(&Event::HospitalReinstated { hospital: pharmacy }));
		assert_eq!(pharmacy_status(pharmacy), HospitalStatus::Active);
		assert_eq!(ActivePharmacies::<Test>::get().into_inner(), vec![pharmacy]);
		assert!(Hospitals::authorized_nodes().iter().any(|node| node.peer_id == peer));

		pass(Proposal::Remove { hospital: pharmacy });
		assert!(events().contains(&Event::HospitalRemoved { hospital: pharmacy }));
		assert_eq!(pharmacy_status(pharmacy), HospitalStatus::Removed);
		assert!(ActivePharmacies::<Test>::get().is_empty());
		let try_propose = |proposal| Hospitals::propose(RuntimeOrigin::signed(ADMIN_A), proposal);
		assert_noop!(
			try_propose(Proposal::Reinstate { hospital: pharmacy }),
			Error::<Test>::NotSuspended
		);
		assert_noop!(
			try_propose(Proposal::Remove { hospital: pharmacy }),
			Error::<Test>::HospitalIsRemoved
		);
		// Its accounts and peer id stay taken: ids, accounts and peers are never reused.
		assert_noop!(propose_pharmacy(ADMIN_A, 0), Error::<Test>::AccountInUse);
	});
}

#[test]
fn no_more_than_max_pharmacies_are_active_at_once() {
	new_test_ext().execute_with(|| {
		// Admitted directly, as an approved proposal would.
		for index in 0..u64::from(MAX_PHARMACIES) {
			let pharmacy = new_pharmacy(index);
			assert_ok!(Hospitals::check_new_pharmacy(&pharmacy));
			Hospitals::admit_pharmacy(pharmacy);
		}
		assert_eq!(Hospitals::active_pharmacy_count(), MAX_PHARMACIES);
		let extra = u64::from(MAX_PHARMACIES);
		assert_noop!(propose_pharmacy(ADMIN_A, extra), Error::<Test>::TooManyPharmacies);
		// Hospitals have their own limit.
		let hospital = new_hospital(105, 5);
		assert_ok!(propose_admission(ADMIN_A, hospital.clone(), proofs(&hospital, 5)));

		// The cap is on active pharmacies: after a suspension one more is admitted, and then
		// the suspended one can't come back.
		pass(Proposal::Suspend { hospital: FIRST_PHARMACY });
		assert_ok!(propose_pharmacy(ADMIN_B, extra));
		let id = crate::NextProposalId::<Test>::get() - 1;
		for admin in [ADMIN_A, ADMIN_C, ADMIN_D] {
			assert_ok!(vote(admin, id));
		}
		assert_eq!(Hospitals::active_pharmacy_count(), MAX_PHARMACIES);
		assert_noop!(
			Hospitals::propose(
				RuntimeOrigin::signed(ADMIN_B),
				Proposal::Reinstate { hospital: FIRST_PHARMACY }
			),
			Error::<Test>::TooManyPharmacies
		);
	});
}

#[test]
fn a_pharmacy_is_admitted_only_with_its_own_node_keys_signatures() {
	new_test_ext().execute_with(|| {
		let pharmacy = new_pharmacy(0);
		let try_propose = |pharmacy: NewPharmacy<Test>, proofs| {
			Hospitals::propose_pharmacy(RuntimeOrigin::signed(ADMIN_A), pharmacy, proofs)
		};
		// Another node's key (founder B's) can't sign for the pharmacy's node.
		assert_noop!(
			try_propose(pharmacy.clone(), signed_by(&pharmacy, &[1])),
			Error::<Test>::InvalidNodeProof
		);
		assert_noop!(
			try_propose(pharmacy.clone(), BoundedVec::new()),
			Error::<Test>::InvalidNodeProof
		);
		// The proofs cover the whole admission: nobody can reuse them with another operator
		// or name.
		let proofs = node_proofs(&pharmacy, 0);
		let mut other_operator = pharmacy.clone();
		other_operator.operator = 77;
		let mut other_name = pharmacy.clone();
		other_name.name = BoundedVec::truncate_from(b"Pharmacy X".to_vec());
		for hijacked in [other_operator, other_name] {
			assert_noop!(try_propose(hijacked, proofs.clone()), Error::<Test>::InvalidNodeProof);
		}
		// A hospital's admission message is not a pharmacy's.
		let hospital_message = crate::governance::admission_message::<Test>(
			&System::block_hash(0),
			&new_hospital(105, pharmacy_seed(0)),
		);
		let wrong = node_pair(pharmacy_seed(0)).sign(&hospital_message);
		assert_noop!(
			try_propose(pharmacy.clone(), BoundedVec::truncate_from(vec![wrong])),
			Error::<Test>::InvalidNodeProof
		);
		// Adding a pharmacy without proofs is refused outright.
		assert_noop!(
			Hospitals::propose(
				RuntimeOrigin::signed(ADMIN_A),
				Proposal::AddPharmacy(pharmacy.clone())
			),
			Error::<Test>::AddNeedsKeyProofs
		);
		assert_ok!(try_propose(pharmacy, proofs));
	});
}

#[test]
fn a_pharmacys_accounts_and_peers_must_be_unused() {
	new_test_ext().execute_with(|| {
		let refused = |pharmacy: NewPharmacy<Test>, seed: u8| {
			let proofs = signed_by(&pharmacy, &[seed]);
			Hospitals::propose_pharmacy(RuntimeOrigin::signed(ADMIN_A), pharmacy, proofs)
		};
		let mut taken_account = new_pharmacy(0);
		taken_account.operator = OPERATOR_A;
		assert_noop!(refused(taken_account, pharmacy_seed(0)), Error::<Test>::AccountInUse);
		let mut one_account = new_pharmacy(0);
		one_account.operator = one_account.admin;
		assert_noop!(refused(one_account, pharmacy_seed(0)), Error::<Test>::AccountInUse);
		// Founder A's node, even signed with A's node key, is A's.
		let mut taken_peer = new_pharmacy(0);
		taken_peer.nodes = BoundedVec::truncate_from(vec![node(0)]);
		assert_noop!(refused(taken_peer, 0), Error::<Test>::PeerIdInUse);
		// And a hospital can't take an admitted pharmacy's accounts.
		admit(0);
		let mut hospital = new_hospital(105, 5);
		hospital.admin = pharmacy_admin(0);
		assert_noop!(
			propose_admission(ADMIN_A, hospital.clone(), proofs(&hospital, 5)),
			Error::<Test>::AccountInUse
		);
	});
}

#[test]
fn a_pharmacys_admin_rotates_its_operator_and_nodes_but_has_no_session_keys() {
	new_test_ext().execute_with(|| {
		let pharmacy = admit(0);
		let (admin, operator, new_operator) = (pharmacy_admin(0), pharmacy_operator(0), 599);
		assert_noop!(
			Hospitals::rotate_operator(RuntimeOrigin::signed(operator), new_operator),
			Error::<Test>::NotMemberAdmin
		);
		assert_noop!(
			Hospitals::rotate_operator(RuntimeOrigin::signed(admin), OPERATOR_A),
			Error::<Test>::AccountInUse
		);
		assert_ok!(Hospitals::rotate_operator(RuntimeOrigin::signed(admin), new_operator));
		System::assert_last_event(
			Event::OperatorRotated { hospital: pharmacy, old: operator, new: new_operator }.into(),
		);
		assert_eq!(Pharmacies::<Test>::get(pharmacy).map(|p| p.operator), Some(new_operator));
		assert_eq!(Hospitals::active_pharmacy_of(&operator), None);
		assert_eq!(Hospitals::signer(&operator), None);
		assert_eq!(
			Hospitals::active_pharmacy_of(&new_operator),
			Some((pharmacy, HospitalRole::Operator))
		);
		assert_eq!(
			Hospitals::signer(&new_operator),
			Some(Signer::Pharmacy { pharmacy, role: HospitalRole::Operator })
		);
		assert_eq!(frame_system::Pallet::<Test>::providers(&new_operator), 1);

		// New nodes, each signing this pharmacy's rotation.
		let nodes: Nodes = BoundedVec::truncate_from(vec![node(40)]);
		let message = node_rotation_message::<Test>(&System::block_hash(0), pharmacy, &nodes);
		let proofs = BoundedVec::truncate_from(vec![node_pair(40).sign(&message)]);
		let taken: Nodes = BoundedVec::truncate_from(vec![node(1)]);
		let taken_message = node_rotation_message::<Test>(&System::block_hash(0), pharmacy, &taken);
		let taken_proofs = BoundedVec::truncate_from(vec![node_pair(1).sign(&taken_message)]);
		assert_noop!(
			Hospitals::rotate_nodes(RuntimeOrigin::signed(admin), taken, taken_proofs),
			Error::<Test>::PeerIdInUse
		);
		assert_ok!(Hospitals::rotate_nodes(RuntimeOrigin::signed(admin), nodes.clone(), proofs));
		System::assert_last_event(Event::NodesRotated { hospital: pharmacy }.into());
		assert_eq!(Pharmacies::<Test>::get(pharmacy).map(|p| p.nodes), Some(nodes));
		assert_eq!(PeerOwner::<Test>::get(&node(40).peer_id), Some(pharmacy));
		assert_eq!(PeerOwner::<Test>::get(&node(pharmacy_seed(0)).peer_id), None);
		let last = Hospitals::authorized_nodes().pop().map(|node| node.peer_id);
		assert_eq!(last, Some(node_peer_id(40).into_bytes()));

		// A pharmacy has no validator keys to rotate.
		let key_message =
			crate::rotation::key_rotation_message::<Test>(&System::block_hash(0), pharmacy);
		let proof =
			|| UintAuthorityId(300).generate_proof_of_possession(&key_message).expect("signs");
		assert_noop!(
			Hospitals::rotate_session_keys(
				RuntimeOrigin::signed(admin),
				UintAuthorityId(300),
				UintAuthorityId(300),
				proof(),
				proof()
			),
			Error::<Test>::NotHospitalAdmin
		);
	});
}

#[test]
fn the_registry_tells_pharmacies_from_hospitals() {
	new_test_ext().execute_with(|| {
		let pharmacy = admit(0);
		let (admin, operator) = (pharmacy_admin(0), pharmacy_operator(0));
		assert_eq!(Hospitals::active_pharmacy_of(&admin), Some((pharmacy, HospitalRole::Admin)));
		assert_eq!(
			Hospitals::active_pharmacy_of(&operator),
			Some((pharmacy, HospitalRole::Operator))
		);
		assert_eq!(Hospitals::active_pharmacy_of(&OPERATOR_A), None);
		assert!(Hospitals::is_active_pharmacy(pharmacy));
		assert!(!Hospitals::is_active_pharmacy(0));
		assert!(Hospitals::is_active_member(pharmacy));
		assert!(Hospitals::is_active_member(0));
		assert!(!Hospitals::is_active_member(99));

		// A pharmacy's account is no hospital's: every hospital origin refuses it.
		assert_eq!(Hospitals::active_hospital_of(&operator), None);
		assert_eq!(Hospitals::active_hospital_of(&admin), None);
		assert_eq!(Hospitals::operator_hospital(&operator), None);
		assert!(!Hospitals::is_active(pharmacy));
		assert_eq!(
			Hospitals::active_hospital_of_peer(node_peer_id(pharmacy_seed(0)).as_bytes()),
			None
		);
		assert_noop!(
			Hospitals::register_patient(RuntimeOrigin::signed(operator), PATIENT),
			Error::<Test>::NotHospitalOperator
		);
		type HospitalOperator = medchain_pallet_support::EnsureHospitalOperator<Hospitals, u64>;
		type PharmacyOperator = medchain_pallet_support::EnsurePharmacyOperator<Hospitals, u64>;
		assert!(HospitalOperator::try_origin(RuntimeOrigin::signed(operator)).is_err());
		assert_eq!(
			PharmacyOperator::try_origin(RuntimeOrigin::signed(operator)).ok(),
			Some(pharmacy)
		);
		assert!(PharmacyOperator::try_origin(RuntimeOrigin::signed(admin)).is_err());
		assert!(PharmacyOperator::try_origin(RuntimeOrigin::signed(OPERATOR_A)).is_err());
		// Nor can a hospital register it as a patient.
		assert_noop!(
			Hospitals::register_patient(RuntimeOrigin::signed(OPERATOR_B), operator),
			Error::<Test>::AccountIsHospital
		);
	});
}

#[test]
fn a_pharmacys_accounts_sign_as_a_pharmacy_below_the_hospitals_governance() {
	use frame_support::{dispatch::DispatchInfo, pallet_prelude::TransactionSource};
	use sp_runtime::{
		traits::DispatchTransaction,
		transaction_validity::{InvalidTransaction, TransactionValidityError},
	};
	new_test_ext().execute_with(|| {
		let pharmacy = admit(0);
		let (admin, operator) = (pharmacy_admin(0), pharmacy_operator(0));
		let admin_signer = Signer::Pharmacy { pharmacy, role: HospitalRole::Admin };
		let operator_signer = Signer::Pharmacy { pharmacy, role: HospitalRole::Operator };
		assert_eq!(Hospitals::signer(&admin), Some(admin_signer));
		assert_eq!(Hospitals::signer(&operator), Some(operator_signer));
		// Below the hospitals' governance, above everyone's day-to-day work.
		assert_eq!(priority::of(&admin_signer), priority::PHARMACY_ADMIN);
		const { assert!(priority::ADMIN > priority::PHARMACY_ADMIN) };
		const { assert!(priority::PHARMACY_ADMIN > priority::OPERATOR) };
		assert_eq!(priority::of(&operator_signer), priority::OPERATOR);
		// A member, so the runtime's list decides (the mock's lets only hospitals' operators
		// call): not permitted, rather than not a member.
		let call = RuntimeCall::Hospitals(crate::Call::register_patient { patient: PATIENT });
		let info: DispatchInfo = call.get_dispatch_info();
		let validity = crate::CheckPermission::<Test>::new()
			.validate_only(
				RuntimeOrigin::signed(operator),
				&call,
				&info,
				0,
				TransactionSource::External,
				0,
			)
			.map(|_| ());
		assert_eq!(
			validity,
			Err(TransactionValidityError::from(InvalidTransaction::Custom(
				crate::permission::invalidity::CALL_NOT_PERMITTED
			)))
		);
	});
}

#[test]
fn proposing_a_pharmacy_is_operational() {
	let pharmacy = new_pharmacy(0);
	let info = crate::Call::<Test>::propose_pharmacy { pharmacy, node_proofs: BoundedVec::new() }
		.get_dispatch_info();
	assert_eq!(info.class, DispatchClass::Operational);
}

#[test]
fn genesis_leaves_pharmacies_out_of_votes_unless_it_says_otherwise() {
	use frame_support::__private::serde_json;
	let config: crate::GenesisConfig<Test> =
		serde_json::from_str(r#"{ "hospitals": [], "proposalLifetime": 10 }"#)
			.expect("a chain spec without the flag parses");
	assert!(!config.pharmacies_vote_on_admissions);
	let config: crate::GenesisConfig<Test> = serde_json::from_str(
		r#"{ "hospitals": [], "proposalLifetime": 10, "pharmaciesVoteOnAdmissions": true }"#,
	)
	.expect("parses");
	assert!(config.pharmacies_vote_on_admissions);
	new_test_ext().execute_with(|| assert!(!crate::PharmaciesVoteOnAdmissions::<Test>::get()));
}
