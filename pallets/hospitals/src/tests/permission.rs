//! `CheckPermission`, driven through its real `validate` and `prepare`.

use frame_support::{
	assert_ok,
	dispatch::{DispatchInfo, GetDispatchInfo},
	pallet_prelude::TransactionSource,
};
use sp_runtime::{
	traits::{DispatchTransaction, TransactionExtension},
	transaction_validity::{InvalidTransaction, TransactionValidityError},
};

use crate::{mock::*, permission::invalidity, CheckPermission, Signer};
use medchain_primitives::HospitalRole;

fn register(patient: u64) -> RuntimeCall {
	RuntimeCall::Hospitals(crate::Call::register_patient { patient })
}

fn remark() -> RuntimeCall {
	RuntimeCall::System(frame_system::Call::remark { remark: b"free text".to_vec() })
}

/// Runs the extension's `validate` as the pool does.
fn validate(who: u64, call: &RuntimeCall) -> Result<(), TransactionValidityError> {
	let info: DispatchInfo = call.get_dispatch_info();
	CheckPermission::<Test>::new()
		.validate_only(RuntimeOrigin::signed(who), call, &info, 0, TransactionSource::External, 0)
		.map(|_| ())
}

/// Runs `validate` and `prepare`, then dispatches, as block inclusion does.
fn include(who: u64, call: RuntimeCall) -> Result<(), TransactionValidityError> {
	let info = call.get_dispatch_info();
	CheckPermission::<Test>::new()
		.dispatch_transaction(RuntimeOrigin::signed(who), call, &info, 0, 0)
		.map(|result| {
			assert_ok!(result);
		})
}

#[test]
fn an_unregistered_signer_is_refused_as_not_a_member() {
	new_test_ext().execute_with(|| {
		assert_eq!(
			validate(PATIENT, &register(2000)),
			Err(InvalidTransaction::Custom(invalidity::NOT_A_MEMBER).into())
		);
	});
}

#[test]
fn a_patient_cannot_make_a_hospital_call() {
	new_test_ext().execute_with(|| {
		assert_ok!(Hospitals::register_patient(RuntimeOrigin::signed(OPERATOR_A), PATIENT));
		assert_eq!(Hospitals::signer(&PATIENT), Some(Signer::Patient { hospital: 0 }));
		assert_eq!(
			validate(PATIENT, &register(2000)),
			Err(InvalidTransaction::Custom(invalidity::CALL_NOT_PERMITTED).into())
		);
	});
}

#[test]
fn remark_is_refused_even_for_hospitals() {
	new_test_ext().execute_with(|| {
		for who in [ADMIN_A, OPERATOR_A] {
			assert_eq!(
				validate(who, &remark()),
				Err(InvalidTransaction::Custom(invalidity::CALL_NOT_PERMITTED).into())
			);
		}
	});
}

#[test]
fn admins_make_only_the_calls_their_role_allows() {
	new_test_ext().execute_with(|| {
		assert_eq!(
			Hospitals::signer(&ADMIN_A),
			Some(Signer::Hospital { hospital: 0, role: HospitalRole::Admin })
		);
		assert_eq!(
			validate(ADMIN_A, &register(PATIENT)),
			Err(InvalidTransaction::Custom(invalidity::CALL_NOT_PERMITTED).into())
		);
		assert_eq!(validate(OPERATOR_A, &register(PATIENT)), Ok(()));
	});
}

#[test]
fn a_deregistered_patient_or_suspended_hospital_is_no_longer_a_member() {
	new_test_ext().execute_with(|| {
		assert_ok!(Hospitals::register_patient(RuntimeOrigin::signed(OPERATOR_A), PATIENT));
		assert_ok!(Hospitals::deregister_patient(RuntimeOrigin::signed(OPERATOR_A), PATIENT));
		assert_eq!(Hospitals::signer(&PATIENT), None);
		force_status(1, crate::HospitalStatus::Suspended);
		assert_eq!(
			validate(OPERATOR_B, &register(2000)),
			Err(InvalidTransaction::Custom(invalidity::NOT_A_MEMBER).into())
		);
	});
}

#[test]
fn the_patients_of_a_suspended_or_removed_hospital_stop_being_full_signers() {
	new_test_ext().execute_with(|| {
		let patients = [PATIENT, PATIENT + 1];
		for patient in patients {
			assert_ok!(Hospitals::register_patient(RuntimeOrigin::signed(OPERATOR_B), patient));
		}
		let deregister = RuntimeCall::Hospitals(crate::Call::deregister_patient { patient: 1 });
		assert_eq!(validate(PATIENT, &deregister), Ok(()));
		// The mock lets orphaned patients make no call (the runtime leaves them protective ones).
		let not_permitted = Err(InvalidTransaction::Custom(invalidity::CALL_NOT_PERMITTED).into());
		force_status(1, crate::HospitalStatus::Suspended);
		for patient in patients {
			assert_eq!(Hospitals::signer(&patient), Some(Signer::OrphanedPatient { hospital: 1 }));
			assert_eq!(validate(patient, &deregister), not_permitted);
		}
		// Reinstating the hospital restores them; removing it ends them for good.
		force_status(1, crate::HospitalStatus::Active);
		assert_eq!(validate(PATIENT, &deregister), Ok(()));
		force_status(1, crate::HospitalStatus::Removed);
		assert_eq!(validate(PATIENT, &deregister), not_permitted);
	});
}

#[test]
fn a_hospitals_patients_share_one_budget_per_block() {
	new_test_ext().execute_with(|| {
		// More pseudonyms than the shared budget: minting signers buys no more block space.
		let patients: Vec<u64> =
			(0..u64::from(MAX_PATIENT_EXTRINSICS_PER_BLOCK) + 1).map(|n| PATIENT + n).collect();
		for patient in &patients {
			assert_ok!(Hospitals::register_patient(RuntimeOrigin::signed(OPERATOR_A), *patient));
			System::set_block_number(System::block_number() + 1);
		}
		let (last, within) = patients.split_last().expect("several patients");
		for patient in within {
			assert_eq!(include_any(*patient, deregister_call()), Ok(()));
		}
		assert_eq!(Hospitals::patient_extrinsics_this_block(0), MAX_PATIENT_EXTRINSICS_PER_BLOCK);
		assert_eq!(
			validate(*last, &deregister_call()),
			Err(InvalidTransaction::ExhaustsResources.into())
		);
		// Another hospital's patients have their own budget.
		assert_ok!(Hospitals::register_patient(RuntimeOrigin::signed(OPERATOR_B), 5000));
		assert_eq!(validate(5000, &deregister_call()), Ok(()));
		System::set_block_number(System::block_number() + 1);
		assert_eq!(validate(*last, &deregister_call()), Ok(()));
	});
}

#[test]
fn a_general_transaction_without_a_signer_passes_only_for_an_allowed_call() {
	new_test_ext().execute_with(|| {
		let validate_unsigned = |call: &RuntimeCall| {
			let info: DispatchInfo = call.get_dispatch_info();
			CheckPermission::<Test>::new()
				.validate_only(
					RuntimeOrigin::none(),
					call,
					&info,
					0,
					TransactionSource::External,
					0,
				)
				.map(|_| ())
		};
		let refused = Err(InvalidTransaction::Custom(invalidity::UNSIGNED_NOT_PERMITTED).into());
		assert_eq!(validate_unsigned(&register(PATIENT)), refused);
		assert_eq!(validate_unsigned(&remark()), refused);
		// An allowed call passes this extension; the origin must then still be authorized by an
		// extension such as `frame_system::AuthorizeCall`, which this test runtime lacks.
		assert_eq!(
			validate_unsigned(&deregister_call()),
			Err(InvalidTransaction::UnknownOrigin.into())
		);
	});
}

fn deregister_call() -> RuntimeCall {
	RuntimeCall::Hospitals(crate::Call::deregister_patient { patient: PATIENT })
}

/// Runs `validate` and `prepare`, then dispatches whatever the call's outcome.
fn include_any(who: u64, call: RuntimeCall) -> Result<(), TransactionValidityError> {
	let info = call.get_dispatch_info();
	CheckPermission::<Test>::new()
		.dispatch_transaction(RuntimeOrigin::signed(who), call, &info, 0, 0)
		.map(|_| ())
}

#[test]
fn the_rate_limit_defers_to_the_next_block_instead_of_banning() {
	new_test_ext().execute_with(|| {
		for patient in 0..u64::from(MAX_EXTRINSICS_PER_BLOCK) {
			assert_eq!(include(OPERATOR_A, register(2000 + patient)), Ok(()));
		}
		assert_eq!(Hospitals::extrinsics_this_block(&OPERATOR_A), MAX_EXTRINSICS_PER_BLOCK);
		// Over the limit: resources exhausted for this block, which the pool keeps and retries.
		assert_eq!(
			validate(OPERATOR_A, &register(3000)),
			Err(InvalidTransaction::ExhaustsResources.into())
		);
		// Another account is not affected.
		assert_eq!(validate(OPERATOR_B, &register(3001)), Ok(()));

		System::set_block_number(2);
		assert_eq!(Hospitals::extrinsics_this_block(&OPERATOR_A), 0);
		assert_eq!(include(OPERATOR_A, register(3000)), Ok(()));
	});
}

#[test]
fn the_extension_adds_nothing_to_the_signed_payload() {
	assert!(codec::Encode::encode(&CheckPermission::<Test>::new()).is_empty());
	assert_eq!(CheckPermission::<Test>::new().implicit(), Ok(()));
}

#[test]
fn governance_outranks_operators_and_operators_outrank_patients_in_the_pool() {
	new_test_ext().execute_with(|| {
		assert_ok!(Hospitals::register_patient(RuntimeOrigin::signed(OPERATOR_A), PATIENT));
		let priority = |who: u64, call: &RuntimeCall| {
			let info: DispatchInfo = call.get_dispatch_info();
			CheckPermission::<Test>::new()
				.validate_only(
					RuntimeOrigin::signed(who),
					call,
					&info,
					0,
					TransactionSource::External,
					0,
				)
				.map(|(validity, _, _)| validity.priority)
		};
		assert_eq!(
			priority(OPERATOR_A, &register(2000)),
			Ok(crate::permission::priority::OPERATOR)
		);
		assert_eq!(priority(PATIENT, &deregister_call()), Ok(crate::permission::priority::PATIENT));
		assert_eq!(
			crate::permission::priority::of(&Signer::Hospital {
				hospital: 0,
				role: HospitalRole::Admin
			}),
			crate::permission::priority::ADMIN
		);
		const { assert!(crate::permission::priority::ADMIN > crate::permission::priority::OPERATOR) };
		const { assert!(crate::permission::priority::OPERATOR > crate::permission::priority::PATIENT) };
	});
}
