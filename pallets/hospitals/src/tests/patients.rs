//! `register_patient` and `deregister_patient`.

use frame_support::{assert_noop, assert_ok};
use medchain_primitives::PatientRegistry;

use crate::{mock::*, Error, Event, HospitalStatus, Patients};

fn providers(who: u64) -> u32 {
	frame_system::Pallet::<Test>::providers(&who)
}

#[test]
fn operator_registers_a_patient_who_gets_a_provider() {
	new_test_ext().execute_with(|| {
		assert_eq!(providers(PATIENT), 0);
		assert_ok!(Hospitals::register_patient(RuntimeOrigin::signed(OPERATOR_A), PATIENT));
		System::assert_last_event(
			Event::PatientRegistered { patient: PATIENT, hospital: 0 }.into(),
		);
		assert_eq!(providers(PATIENT), 1);
		assert_eq!(Hospitals::registering_hospital(&PATIENT), Some(0));
		assert!(Hospitals::is_registered(&PATIENT));
	});
}

#[test]
fn only_an_active_operator_registers_patients() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Hospitals::register_patient(RuntimeOrigin::signed(ADMIN_A), PATIENT),
			Error::<Test>::NotHospitalOperator
		);
		assert_noop!(
			Hospitals::register_patient(RuntimeOrigin::signed(PATIENT), PATIENT),
			Error::<Test>::NotHospitalOperator
		);
		force_status(0, HospitalStatus::Suspended);
		assert_noop!(
			Hospitals::register_patient(RuntimeOrigin::signed(OPERATOR_A), PATIENT),
			Error::<Test>::NotHospitalOperator
		);
	});
}

#[test]
fn a_hospital_account_cannot_be_a_patient() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Hospitals::register_patient(RuntimeOrigin::signed(OPERATOR_A), ADMIN_B),
			Error::<Test>::AccountIsHospital
		);
	});
}

#[test]
fn registering_twice_is_refused() {
	new_test_ext().execute_with(|| {
		assert_ok!(Hospitals::register_patient(RuntimeOrigin::signed(OPERATOR_A), PATIENT));
		assert_noop!(
			Hospitals::register_patient(RuntimeOrigin::signed(OPERATOR_A), PATIENT),
			Error::<Test>::AlreadyRegistered
		);
		assert_noop!(
			Hospitals::register_patient(RuntimeOrigin::signed(OPERATOR_B), PATIENT),
			Error::<Test>::AlreadyRegistered
		);
	});
}

#[test]
fn deregistration_keeps_the_provider_and_the_record() {
	new_test_ext().execute_with(|| {
		assert_ok!(Hospitals::register_patient(RuntimeOrigin::signed(OPERATOR_A), PATIENT));
		assert_ok!(Hospitals::deregister_patient(RuntimeOrigin::signed(OPERATOR_A), PATIENT));
		System::assert_last_event(
			Event::PatientDeregistered { patient: PATIENT, hospital: 0 }.into(),
		);
		assert!(!Hospitals::is_registered(&PATIENT));
		assert_eq!(providers(PATIENT), 1, "the provider reference is never removed");
		let record = Patients::<Test>::get(PATIENT).expect("record kept");
		assert_eq!((record.hospital, record.registered_at, record.active), (0, 1, false));

		// The same hospital may register the pseudonym again; no second provider is added.
		assert_ok!(Hospitals::register_patient(RuntimeOrigin::signed(OPERATOR_A), PATIENT));
		assert_eq!(providers(PATIENT), 1);
	});
}

#[test]
fn deregistration_errors_are_specific() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Hospitals::deregister_patient(RuntimeOrigin::signed(OPERATOR_A), PATIENT),
			Error::<Test>::PatientNotFound
		);
		assert_ok!(Hospitals::register_patient(RuntimeOrigin::signed(OPERATOR_A), PATIENT));
		assert_noop!(
			Hospitals::deregister_patient(RuntimeOrigin::signed(OPERATOR_B), PATIENT),
			Error::<Test>::NotRegisteringHospital
		);
		assert_noop!(
			Hospitals::deregister_patient(RuntimeOrigin::signed(ADMIN_A), PATIENT),
			Error::<Test>::NotHospitalOperator
		);
		assert_ok!(Hospitals::deregister_patient(RuntimeOrigin::signed(OPERATOR_A), PATIENT));
		assert_noop!(
			Hospitals::deregister_patient(RuntimeOrigin::signed(OPERATOR_A), PATIENT),
			Error::<Test>::AlreadyDeregistered
		);
		assert_noop!(
			Hospitals::register_patient(RuntimeOrigin::signed(OPERATOR_B), PATIENT),
			Error::<Test>::NotRegisteringHospital
		);
	});
}

#[test]
fn a_hospital_registers_at_most_its_quota_in_any_quota_period() {
	new_test_ext().execute_with(|| {
		for n in 0..u64::from(MAX_REGISTRATIONS) {
			assert_ok!(Hospitals::register_patient(RuntimeOrigin::signed(OPERATOR_A), 2000 + n));
		}
		assert_noop!(
			Hospitals::register_patient(RuntimeOrigin::signed(OPERATOR_A), 3000),
			Error::<Test>::RegistrationQuotaReached
		);
		// Re-registering a deregistered pseudonym counts too: the quota bounds signers minted.
		assert_ok!(Hospitals::deregister_patient(RuntimeOrigin::signed(OPERATOR_A), 2000));
		assert_noop!(
			Hospitals::register_patient(RuntimeOrigin::signed(OPERATOR_A), 2000),
			Error::<Test>::RegistrationQuotaReached
		);
		assert_ok!(Hospitals::register_patient(RuntimeOrigin::signed(OPERATOR_B), 3000));
		System::set_block_number(QUOTA_PERIOD);
		assert_noop!(
			Hospitals::register_patient(RuntimeOrigin::signed(OPERATOR_A), 3001),
			Error::<Test>::RegistrationQuotaReached
		);
		System::set_block_number(1 + 2 * QUOTA_PERIOD);
		assert_ok!(Hospitals::register_patient(RuntimeOrigin::signed(OPERATOR_A), 3001));
	});
}
