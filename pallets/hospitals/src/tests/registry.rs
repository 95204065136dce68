//! Genesis and the registry traits.

use medchain_primitives::{HospitalRegistry, HospitalRole};

use crate::{mock::*, AccountRoles, HospitalStatus};

fn providers(who: u64) -> u32 {
	frame_system::Pallet::<Test>::providers(&who)
}

#[test]
fn genesis_admits_founders_with_a_provider_each() {
	new_test_ext().execute_with(|| {
		let a = crate::Hospitals::<Test>::get(0).expect("hospital 0");
		assert_eq!(a.name.to_vec(), b"Hospital A".to_vec());
		assert_eq!(a.status, HospitalStatus::Active);
		assert_eq!(AccountRoles::<Test>::get(ADMIN_A), Some((0, HospitalRole::Admin)));
		assert_eq!(AccountRoles::<Test>::get(OPERATOR_B), Some((1, HospitalRole::Operator)));
		assert_eq!(providers(ADMIN_A), 1);
		assert_eq!(providers(OPERATOR_A), 1);
		assert_eq!(crate::NextHospitalId::<Test>::get(), 5);
		assert_eq!(Hospitals::active_count(), 5);
		assert_eq!(crate::ProposalLifetime::<Test>::get(), PROPOSAL_LIFETIME);
	});
}

#[test]
fn registry_answers_for_active_hospitals_only() {
	new_test_ext().execute_with(|| {
		assert_eq!(Hospitals::active_hospital_of(&OPERATOR_A), Some((0, HospitalRole::Operator)));
		assert_eq!(Hospitals::active_hospital_of_peer(node_peer_id(1).as_bytes()), Some(1));
		assert_eq!(Hospitals::active_hospital_of_peer(b"unknown"), None);
		force_status(1, HospitalStatus::Suspended);
		assert!(!Hospitals::is_active(1));
		assert_eq!(Hospitals::active_hospital_of(&OPERATOR_B), None);
		assert_eq!(Hospitals::active_hospital_of_peer(node_peer_id(1).as_bytes()), None);
		assert!(!Hospitals::is_active(99));
	});
}

/// Why genesis refuses `founders`: the reason `admit_founders` gives for the first it can't
/// admit, in fresh state.
fn refused(
	founders: alloc::vec::Vec<crate::genesis::GenesisHospital<Test>>,
) -> alloc::string::String {
	sp_io::TestExternalities::default()
		.execute_with(|| crate::genesis::admit_founders::<Test>(&founders).unwrap_err())
}

/// The reason genesis gives when Hospital B can't be admitted with `error`.
fn b_refused(error: crate::Error<Test>) -> alloc::string::String {
	alloc::format!(
		"genesis: Hospital B can't be admitted: {:?}",
		sp_runtime::DispatchError::from(error)
	)
}

#[test]
fn genesis_refuses_a_duplicate_aura_key() {
	let mut b = founder(1);
	b.aura = founder(0).aura;
	assert_eq!(refused(alloc::vec![founder(0), b]), b_refused(crate::Error::AuraKeyInUse));
}

#[test]
fn genesis_refuses_a_duplicate_grandpa_key() {
	let mut b = founder(1);
	b.grandpa = founder(0).grandpa;
	assert_eq!(refused(alloc::vec![founder(0), b]), b_refused(crate::Error::GrandpaKeyInUse));
}

#[test]
fn genesis_refuses_a_duplicate_peer_id() {
	let mut b = founder(1);
	b.nodes = founder(0).nodes;
	assert_eq!(refused(alloc::vec![founder(0), b]), b_refused(crate::Error::PeerIdInUse));
}

#[test]
fn genesis_refuses_an_account_shared_by_two_hospitals() {
	let mut b = founder(1);
	b.operator = OPERATOR_A;
	assert_eq!(refused(alloc::vec![founder(0), b]), b_refused(crate::Error::AccountInUse));
}

#[test]
fn genesis_refuses_an_overlong_name_or_too_many_nodes() {
	let mut b = founder(1);
	b.name = "B".repeat(1_000);
	assert!(refused(alloc::vec![founder(0), b]).ends_with("is longer than 32 bytes"));
	let mut b = founder(1);
	b.nodes = (0..3).map(|index| founder(index).nodes[0].clone()).collect();
	assert_eq!(refused(alloc::vec![b]), "genesis: Hospital B lists more than 2 nodes");
}

#[test]
fn validators_and_authorized_nodes_are_the_active_hospitals_in_id_order() {
	use medchain_primitives::ValidatorRegistry;
	use sp_runtime::testing::UintAuthorityId;
	new_test_ext().execute_with(|| {
		force_status(1, HospitalStatus::Suspended);
		force_status(3, HospitalStatus::Removed);
		let expected: Vec<_> = [0u64, 2, 4]
			.iter()
			.map(|&h| (h as u32, UintAuthorityId(100 + h), UintAuthorityId(200 + h)))
			.collect();
		assert_eq!(Hospitals::active_validators(), expected);
		let peers: Vec<_> =
			Hospitals::authorized_nodes().into_iter().map(|node| node.peer_id).collect();
		let expected: Vec<Vec<u8>> = [0, 2, 4].map(|seed| node_peer_id(seed).into_bytes()).into();
		assert_eq!(peers, expected);
		assert_eq!(Hospitals::authorized_nodes()[1].address, b"/ip4/127.0.0.1/tcp/30335".to_vec());
	});
}

#[test]
fn try_state_catches_an_active_list_that_misses_an_active_hospital() {
	new_test_ext().execute_with(|| {
		frame_support::assert_ok!(Hospitals::do_try_state());
		let before = crate::ActiveHospitals::<Test>::get();
		crate::ActiveHospitals::<Test>::mutate(|active| active.retain(|id| *id != 1));
		assert!(Hospitals::do_try_state().is_err());
		crate::ActiveHospitals::<Test>::put(before);
	});
}
