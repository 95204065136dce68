//! `rotate_operator` and `rotate_session_keys`.

use frame_support::{assert_noop, assert_ok};
use medchain_primitives::{HospitalRegistry, HospitalRole};
use sp_runtime::{testing::UintAuthorityId, RuntimeAppPublic};

use crate::{
	mock::*,
	rotation::{key_rotation_message, node_rotation_message},
	AuraKeyOwner, Error, Event, GrandpaKeyOwner, HospitalNode, HospitalStatus,
};
use frame_support::BoundedVec;
use sp_core::Pair;

const NEW_OPERATOR: u64 = 71;

#[test]
fn the_admin_rotates_a_stolen_operator_key_and_the_old_one_stops_at_once() {
	new_test_ext().execute_with(|| {
		assert_ok!(Hospitals::rotate_operator(RuntimeOrigin::signed(ADMIN_A), NEW_OPERATOR));
		System::assert_last_event(
			Event::OperatorRotated { hospital: 0, old: OPERATOR_A, new: NEW_OPERATOR }.into(),
		);
		assert_eq!(Hospitals::active_hospital_of(&OPERATOR_A), None);
		assert_eq!(Hospitals::active_hospital_of(&NEW_OPERATOR), Some((0, HospitalRole::Operator)));
		assert_eq!(crate::Hospitals::<Test>::get(0).map(|h| h.operator), Some(NEW_OPERATOR));
		assert_eq!(frame_system::Pallet::<Test>::providers(&NEW_OPERATOR), 1);
		// The hospital keeps its id, so its records stay in its custody.
		assert_noop!(
			Hospitals::register_patient(RuntimeOrigin::signed(OPERATOR_A), PATIENT),
			Error::<Test>::NotHospitalOperator
		);
		assert_ok!(Hospitals::register_patient(RuntimeOrigin::signed(NEW_OPERATOR), PATIENT));
		assert_eq!(crate::Patients::<Test>::get(PATIENT).map(|p| p.hospital), Some(0));
	});
}

#[test]
fn a_hostile_patient_registration_cannot_block_a_rotation() {
	new_test_ext().execute_with(|| {
		// B's operator registers A's intended new operator account as its "patient" (no
		// signature of the account is needed to register it).
		assert_ok!(Hospitals::register_patient(RuntimeOrigin::signed(OPERATOR_B), NEW_OPERATOR));
		assert_ok!(Hospitals::rotate_operator(RuntimeOrigin::signed(ADMIN_A), NEW_OPERATOR));
		assert_eq!(Hospitals::active_hospital_of(&NEW_OPERATOR), Some((0, HospitalRole::Operator)));
		// The operator role takes precedence when the account signs.
		assert_eq!(
			Hospitals::signer(&NEW_OPERATOR),
			Some(crate::Signer::Hospital { hospital: 0, role: HospitalRole::Operator })
		);
	});
}

#[test]
fn an_operator_rotation_needs_the_admin_and_a_fresh_account() {
	new_test_ext().execute_with(|| {
		for who in [OPERATOR_A, PATIENT] {
			assert_noop!(
				Hospitals::rotate_operator(RuntimeOrigin::signed(who), NEW_OPERATOR),
				Error::<Test>::NotMemberAdmin
			);
		}
		for taken in [OPERATOR_B, ADMIN_B, ADMIN_A] {
			assert_noop!(
				Hospitals::rotate_operator(RuntimeOrigin::signed(ADMIN_A), taken),
				Error::<Test>::AccountInUse
			);
		}
		force_status(0, HospitalStatus::Suspended);
		assert_noop!(
			Hospitals::rotate_operator(RuntimeOrigin::signed(ADMIN_A), NEW_OPERATOR),
			Error::<Test>::NotMemberAdmin
		);
	});
}

/// Proofs of possession of `key` (used for Aura and GRANDPA alike) for `hospital`'s rotation.
fn rotation_proof(key: u64, hospital: u32) -> sp_runtime::testing::TestSignature {
	let message = key_rotation_message::<Test>(&System::block_hash(0), hospital);
	UintAuthorityId(key).generate_proof_of_possession(&message).expect("test key signs")
}

#[test]
fn the_admin_rotates_session_keys_with_proofs_bound_to_its_hospital() {
	new_test_ext().execute_with(|| {
		let rotate = |admin, aura: u64, grandpa: u64, aura_proof, grandpa_proof| {
			Hospitals::rotate_session_keys(
				RuntimeOrigin::signed(admin),
				UintAuthorityId(aura),
				UintAuthorityId(grandpa),
				aura_proof,
				grandpa_proof,
			)
		};
		// Proofs made for hospital A can't be used by B.
		assert_noop!(
			rotate(ADMIN_B, 300, 400, rotation_proof(300, 0), rotation_proof(400, 0)),
			Error::<Test>::InvalidKeyProof
		);
		assert_noop!(
			rotate(ADMIN_A, 101, 400, rotation_proof(101, 0), rotation_proof(400, 0)),
			Error::<Test>::AuraKeyInUse
		);
		assert_noop!(
			rotate(ADMIN_A, 300, 201, rotation_proof(300, 0), rotation_proof(201, 0)),
			Error::<Test>::GrandpaKeyInUse
		);
		assert_ok!(rotate(ADMIN_A, 300, 400, rotation_proof(300, 0), rotation_proof(400, 0)));
		System::assert_last_event(
			Event::SessionKeysRotated {
				hospital: 0,
				aura: UintAuthorityId(300),
				grandpa: UintAuthorityId(400),
			}
			.into(),
		);
		let hospital = crate::Hospitals::<Test>::get(0).expect("exists");
		assert_eq!((hospital.aura, hospital.grandpa), (UintAuthorityId(300), UintAuthorityId(400)));
		assert_eq!(AuraKeyOwner::<Test>::get(UintAuthorityId(300)), Some(0));
		assert_eq!(GrandpaKeyOwner::<Test>::get(UintAuthorityId(400)), Some(0));
		assert_eq!(AuraKeyOwner::<Test>::get(UintAuthorityId(100)), None);
		// The validator set the next session reads carries the new keys.
		let validators = <Hospitals as medchain_primitives::ValidatorRegistry>::active_validators();
		assert_eq!(validators[0], (0, UintAuthorityId(300), UintAuthorityId(400)));
	});
}

/// Node `seed` at `port`, as hospital `hospital`'s node list, with its node key's signature.
fn signed_nodes(
	hospital: u32,
	seeds: &[u8],
) -> (
	BoundedVec<HospitalNode<Test>, frame_support::traits::ConstU32<2>>,
	Vec<sp_core::ed25519::Signature>,
) {
	let nodes: Vec<HospitalNode<Test>> = seeds
		.iter()
		.map(|seed| HospitalNode {
			peer_id: BoundedVec::truncate_from(node_peer_id(*seed).into_bytes()),
			address: BoundedVec::truncate_from(
				format!("/ip4/127.0.0.1/tcp/{}", 40000 + u32::from(*seed)).into_bytes(),
			),
		})
		.collect();
	let nodes = BoundedVec::truncate_from(nodes);
	let message = node_rotation_message::<Test>(&System::block_hash(0), hospital, &nodes);
	let proofs = seeds.iter().map(|seed| node_pair(*seed).sign(&message)).collect();
	(nodes, proofs)
}

#[test]
fn the_admin_moves_its_hospital_to_new_nodes_that_prove_their_keys() {
	new_test_ext().execute_with(|| {
		let rotate = |admin, nodes, proofs: Vec<sp_core::ed25519::Signature>| {
			Hospitals::rotate_nodes(
				RuntimeOrigin::signed(admin),
				nodes,
				BoundedVec::truncate_from(proofs),
			)
		};
		// Node 20's key signed for hospital A, not B; node 1 is B's; two proofs for two nodes.
		let (nodes, proofs) = signed_nodes(0, &[20]);
		assert_noop!(
			rotate(ADMIN_B, nodes.clone(), proofs.clone()),
			Error::<Test>::InvalidNodeProof
		);
		let (taken, taken_proofs) = signed_nodes(0, &[1]);
		assert_noop!(rotate(ADMIN_A, taken, taken_proofs), Error::<Test>::PeerIdInUse);
		let (two, mut two_proofs) = signed_nodes(0, &[20, 21]);
		two_proofs.truncate(1);
		assert_noop!(rotate(ADMIN_A, two, two_proofs), Error::<Test>::InvalidNodeProof);
		assert_noop!(
			rotate(OPERATOR_A, nodes.clone(), proofs.clone()),
			Error::<Test>::NotMemberAdmin
		);

		assert_ok!(rotate(ADMIN_A, nodes.clone(), proofs));
		System::assert_last_event(Event::NodesRotated { hospital: 0 }.into());
		assert_eq!(crate::Hospitals::<Test>::get(0).map(|h| h.nodes), Some(nodes));
		assert_eq!(Hospitals::active_hospital_of_peer(node_peer_id(20).as_bytes()), Some(0));
		assert_eq!(Hospitals::active_hospital_of_peer(node_peer_id(0).as_bytes()), None);
	});
}
