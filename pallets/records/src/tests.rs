//! Every call and error of the records pallet, and the queries behind `RecordsApi`.

mod prescriptions;

use codec::{Decode, Encode};
use frame_support::{
	assert_noop, assert_ok, dispatch::GetDispatchInfo, pallet_prelude::Get, BoundedVec,
};
use medchain_primitives::{
	commitment::{CommittedRecord, DisclosedField, Hash256, RecordId},
	records::RecordStatus,
	FieldMask, RecordType,
};

use sp_runtime::AccountId32;

use crate::{mock::*, weights::WeightInfo, AnchorRequest, Error, Event, Records as RecordsMap};

fn root(byte: u8) -> Hash256 {
	[byte; 32]
}

fn request(id: u8, patient: AccountId32, field_root: Hash256) -> AnchorRequest<AccountId32> {
	AnchorRequest {
		request_id: [id; 32],
		patient,
		record_type: RecordType::Diagnosis,
		field_root,
		ciphertext_digest: [0xcc; 32],
		prescription: None,
	}
}

fn anchor_as(
	operator: AccountId32,
	request: AnchorRequest<AccountId32>,
) -> frame_support::dispatch::DispatchResult {
	Records::anchor(
		RuntimeOrigin::signed(operator),
		request.request_id,
		request.patient,
		request.record_type,
		request.field_root,
		request.ciphertext_digest,
	)
}

/// Anchors request `id` for `patient()` as Hospital A with root `[id; 32]`; returns its id.
fn anchored(id: u8) -> RecordId {
	anchored_with_root(id, root(id))
}

fn anchored_with_root(id: u8, field_root: Hash256) -> RecordId {
	assert_ok!(anchor_as(operator_a(), request(id, patient(), field_root)));
	Records::record_id(HOSPITAL_A, &[id; 32])
}

fn batch(
	items: Vec<AnchorRequest<AccountId32>>,
) -> BoundedVec<AnchorRequest<AccountId32>, MaxBatchSize> {
	BoundedVec::try_from(items).expect("within the bound")
}

fn status(record_id: RecordId) -> RecordStatus<AccountId32, u64> {
	RecordsMap::<Test>::get(record_id).expect("record exists").status
}

#[test]
fn anchor_stores_only_hashes_and_indexes_the_record() {
	new_test_ext().execute_with(|| {
		let record_id = anchored(1);
		let record = RecordsMap::<Test>::get(record_id).expect("anchored");
		assert_eq!(record.patient, patient());
		assert_eq!(record.custodian, HOSPITAL_A);
		assert_eq!(record.record_type, RecordType::Diagnosis);
		assert_eq!((record.field_root, record.ciphertext_digest), (root(1), [0xcc; 32]));
		assert_eq!((record.version, record.previous), (1, None));
		assert_eq!((record.status, record.block, record.time), (RecordStatus::Active, 1, NOW_MS));
		assert_eq!(
			events(),
			vec![Event::RecordAnchored {
				record_id,
				custodian: HOSPITAL_A,
				patient: patient(),
				record_type: RecordType::Diagnosis,
				field_root: root(1),
			}]
		);
		assert_eq!(Records::records_of_patient(&patient(), 0, 10), vec![record_id]);
		assert_eq!(Records::records_of_custodian(HOSPITAL_A, 0, 10), vec![record_id]);
		let verification = Records::verify(record_id, root(1)).expect("root is anchored");
		assert_eq!(verification.record_id, record_id);
		assert_eq!((verification.custodian, verification.block), (HOSPITAL_A, 1));
		assert_eq!(verification.time, NOW_MS);
		assert_eq!(Records::verify(record_id, root(9)), None);
		assert_eq!(Records::verify(Records::record_id(HOSPITAL_A, &[9; 32]), root(1)), None);
	});
}

#[test]
fn anchor_refuses_non_operators_unregistered_patients_and_duplicates() {
	new_test_ext().execute_with(|| {
		for signer in [admin_a(), stranger(), patient()] {
			assert_noop!(
				anchor_as(signer, request(1, patient(), root(1))),
				Error::<Test>::NotHospitalOperator
			);
		}
		assert_noop!(
			anchor_as(operator_a(), request(1, stranger(), root(1))),
			Error::<Test>::PatientNotRegistered
		);
		// B can't fill A's patient's record list.
		assert_noop!(
			anchor_as(operator_b(), request(1, patient(), root(1))),
			Error::<Test>::NotCustodiansPatient
		);
		anchored(1);
		assert_noop!(
			anchor_as(operator_a(), request(1, patient(), root(2))),
			Error::<Test>::DuplicateRequest
		);
	});
}

#[test]
fn the_record_id_is_the_custodians_so_nobody_can_front_run_it() {
	new_test_ext().execute_with(|| {
		// B uses A's request id first; A's anchor with it still succeeds, as A's record.
		assert_ok!(anchor_as(operator_b(), request(1, patient_of_b(), root(1))));
		let a = anchored_with_root(1, root(2));
		assert_eq!(a, Records::record_id(HOSPITAL_A, &[1; 32]));
		assert_eq!(RecordsMap::<Test>::get(a).map(|r| r.custodian), Some(HOSPITAL_A));
		assert_eq!(
			RecordsMap::<Test>::get(Records::record_id(HOSPITAL_B, &[1; 32])).map(|r| r.custodian),
			Some(HOSPITAL_B)
		);
	});
}

#[test]
fn a_root_copied_by_another_hospital_neither_blocks_nor_impersonates_the_custodian() {
	new_test_ext().execute_with(|| {
		// B sees A's pending anchor of root 1 and anchors the same root first.
		assert_ok!(anchor_as(operator_b(), request(7, patient_of_b(), root(1))));
		let a = anchored_with_root(1, root(1));
		// The root commits to A's record id, so verifying it names A.
		let verification = Records::verify(a, root(1)).expect("A's anchor verifies");
		assert_eq!((verification.record_id, verification.custodian), (a, HOSPITAL_A));
		// A copy under B's id is B's own anchor, never an answer about A's record.
		let copy = Records::record_id(HOSPITAL_B, &[7; 32]);
		assert_eq!(Records::verify(copy, root(1)).map(|v| v.custodian), Some(HOSPITAL_B));
		// An amendment may reuse a root too.
		assert_ok!(Records::amend(RuntimeOrigin::signed(operator_a()), a, root(1), [0xdd; 32]));
	});
}

#[test]
fn a_custodian_anchors_at_most_its_quota_in_any_quota_period() {
	new_test_ext().execute_with(|| {
		for id in 0..MAX_ANCHORS as u8 {
			anchored(id);
		}
		assert_noop!(
			anchor_as(operator_a(), request(100, patient(), root(100))),
			Error::<Test>::AnchorQuotaReached
		);
		let latest = Records::record_id(HOSPITAL_A, &[0; 32]);
		assert_noop!(
			Records::amend(RuntimeOrigin::signed(operator_a()), latest, root(101), [0xdd; 32]),
			Error::<Test>::AnchorQuotaReached
		);
		// Another custodian has its own quota.
		assert_ok!(anchor_as(operator_b(), request(100, patient_of_b(), root(100))));
		// Just before the period has passed, still refused; a period later, allowed again.
		System::set_block_number(QUOTA_PERIOD);
		assert_noop!(
			anchor_as(operator_a(), request(100, patient(), root(100))),
			Error::<Test>::AnchorQuotaReached
		);
		System::set_block_number(1 + 2 * QUOTA_PERIOD);
		assert_ok!(anchor_as(operator_a(), request(100, patient(), root(100))));
	});
}

#[test]
fn a_batch_past_the_quota_anchors_what_is_left_and_reports_the_rest() {
	new_test_ext().execute_with(|| {
		for id in 0..(MAX_ANCHORS - 2) as u8 {
			anchored(id);
		}
		let items = (100..104).map(|id| request(id, patient(), root(id))).collect();
		assert_ok!(Records::anchor_batch(RuntimeOrigin::signed(operator_a()), batch(items)));
		assert!(RecordsMap::<Test>::contains_key(Records::record_id(HOSPITAL_A, &[101; 32])));
		assert!(!RecordsMap::<Test>::contains_key(Records::record_id(HOSPITAL_A, &[102; 32])));
		let failures: Vec<_> = events()
			.into_iter()
			.filter_map(|event| match event {
				Event::AnchorFailed { index, error } => Some((index, error)),
				_ => None,
			})
			.collect();
		let quota_reached: sp_runtime::DispatchError = Error::<Test>::AnchorQuotaReached.into();
		assert_eq!(failures, vec![(2, quota_reached), (3, quota_reached)]);
		assert_noop!(
			anchor_as(operator_a(), request(110, patient(), root(110))),
			Error::<Test>::AnchorQuotaReached
		);
	});
}

#[test]
fn a_batch_appends_to_each_patients_index_and_the_custodians_in_order() {
	new_test_ext().execute_with(|| {
		let first = anchored(1);
		let items = vec![
			request(2, patient(), root(2)),
			request(3, other_patient(), root(3)),
			request(4, patient(), root(4)),
		];
		assert_ok!(Records::anchor_batch(RuntimeOrigin::signed(operator_a()), batch(items)));
		let id = |n: u8| Records::record_id(HOSPITAL_A, &[n; 32]);
		assert_eq!(Records::records_of_patient(&patient(), 0, 10), vec![first, id(2), id(4)]);
		assert_eq!(Records::records_of_patient(&other_patient(), 0, 10), vec![id(3)]);
		// Pages hold at most three here.
		assert_eq!(Records::records_of_custodian(HOSPITAL_A, 0, 10), vec![first, id(2), id(3)]);
		assert_eq!(Records::records_of_custodian(HOSPITAL_A, 3, 10), vec![id(4)]);
		let quota = crate::AnchorQuota::<Test>::get(HOSPITAL_A);
		assert_eq!(quota.used_at(System::block_number(), QUOTA_PERIOD), 4);
	});
}

#[test]
fn record_pages_hold_at_most_the_page_size() {
	new_test_ext().execute_with(|| {
		let ids: Vec<RecordId> = (1..=5).map(anchored).collect();
		let page_size: u32 = <Test as crate::Config>::MaxPageSize::get();
		assert_eq!(Records::records_of_patient(&patient(), 0, 100), ids[..page_size as usize]);
		assert_eq!(Records::records_of_custodian(HOSPITAL_A, 3, 100), ids[3..]);
	});
}

#[test]
fn an_empty_batch_is_refused_and_one_over_the_bound_does_not_decode() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Records::anchor_batch(RuntimeOrigin::signed(operator_a()), batch(vec![])),
			Error::<Test>::EmptyBatch
		);
		assert_noop!(
			Records::anchor_batch(
				RuntimeOrigin::signed(stranger()),
				batch(vec![request(1, patient(), root(1))])
			),
			Error::<Test>::NotHospitalOperator
		);
		let too_many: Vec<_> =
			(0..=MAX_BATCH as u8).map(|i| request(i, patient(), root(i))).collect();
		let encoded = too_many.encode();
		assert!(BoundedVec::<AnchorRequest<AccountId32>, MaxBatchSize>::decode(&mut &encoded[..])
			.is_err());
		assert!(BoundedVec::<AnchorRequest<AccountId32>, MaxBatchSize>::try_from(too_many).is_err());
	});
}

#[test]
fn a_batch_anchors_each_item_on_its_own_and_refunds_failed_items() {
	new_test_ext().execute_with(|| {
		let items = vec![
			request(1, patient(), root(1)),
			request(2, other_patient(), root(2)),
			request(1, patient(), root(3)),
			request(4, stranger(), root(4)),
		];
		let call = crate::Call::<Test>::anchor_batch { items: batch(items.clone()) };
		let declared = call.get_dispatch_info().call_weight;
		assert_eq!(declared, <() as WeightInfo>::anchor_batch(4));
		let post = Records::anchor_batch(RuntimeOrigin::signed(operator_a()), batch(items))
			.expect("a batch succeeds as a whole");
		let db: frame_support::weights::RuntimeDbWeight =
			<Test as frame_system::Config>::DbWeight::get();
		let unwritten = db.writes(8);
		assert_eq!(post.actual_weight, Some(<() as WeightInfo>::anchor_batch(4) - unwritten));
		assert!(post.actual_weight.is_some_and(|actual| actual.all_lte(declared)));

		let events = events();
		assert_eq!(events.len(), 4);
		assert!(
			matches!(events[0], Event::RecordAnchored { field_root, .. } if field_root == root(1))
		);
		assert!(
			matches!(&events[1], Event::RecordAnchored { patient, .. } if *patient == other_patient())
		);
		assert_eq!(
			events[2],
			Event::AnchorFailed { index: 2, error: Error::<Test>::DuplicateRequest.into() }
		);
		assert_eq!(
			events[3],
			Event::AnchorFailed { index: 3, error: Error::<Test>::PatientNotRegistered.into() }
		);
		assert_eq!(Records::records_of_custodian(HOSPITAL_A, 0, 10).len(), 2);
	});
}

#[test]
fn amend_links_a_new_version_and_marks_the_old_one_amended() {
	new_test_ext().execute_with(|| {
		let first = anchored(1);
		System::set_block_number(5);
		assert_ok!(Records::amend(RuntimeOrigin::signed(operator_a()), first, root(2), [0xdd; 32]));
		let second = Records::version_id(&first, 2);
		assert_eq!(status(first), RecordStatus::Amended { by: second });
		let record = RecordsMap::<Test>::get(second).expect("new version");
		assert_eq!((record.version, record.previous, record.block), (2, Some(first), 5));
		assert_eq!((record.field_root, record.ciphertext_digest), (root(2), [0xdd; 32]));
		assert_eq!((record.patient, record.record_type), (patient(), RecordType::Diagnosis));
		assert!(events().contains(&Event::RecordAmended {
			previous: first,
			record_id: second,
			version: 2
		}));
		assert_eq!(Records::records_of_patient(&patient(), 0, 10), vec![first, second]);
		assert_eq!(Records::records_of_patient(&patient(), 1, 10), vec![second]);
		assert_eq!(Records::records_of_patient(&patient(), 0, 1), vec![first]);
	});
}

#[test]
fn amend_refuses_others_missing_amended_and_erased_records() {
	new_test_ext().execute_with(|| {
		let first = anchored(1);
		let origin = |who| RuntimeOrigin::signed(who);
		assert_noop!(
			Records::amend(origin(operator_b()), first, root(2), [0; 32]),
			Error::<Test>::NotCustodian
		);
		assert_noop!(
			Records::amend(origin(patient()), first, root(2), [0; 32]),
			Error::<Test>::NotHospitalOperator
		);
		assert_noop!(
			Records::amend(origin(operator_a()), [7; 32], root(2), [0; 32]),
			Error::<Test>::RecordNotFound
		);
		assert_ok!(Records::amend(origin(operator_a()), first, root(2), [0; 32]));
		assert_noop!(
			Records::amend(origin(operator_a()), first, root(3), [0; 32]),
			Error::<Test>::AlreadyAmended
		);
		let erased = anchored(4);
		assert_ok!(Records::erase(origin(patient()), erased));
		assert_noop!(
			Records::amend(origin(operator_a()), erased, root(5), [0; 32]),
			Error::<Test>::RecordIsErased
		);
	});
}

#[test]
fn the_custodian_or_the_patient_erases_once_and_the_hashes_stay() {
	new_test_ext().execute_with(|| {
		let by_custodian = anchored(1);
		let by_patient = anchored(2);
		System::set_block_number(9);
		let origin = |who| RuntimeOrigin::signed(who);
		for stranger in [operator_b(), other_patient(), admin_a()] {
			assert_noop!(
				Records::erase(origin(stranger), by_custodian),
				Error::<Test>::NotCustodianOrPatient
			);
		}
		assert_noop!(Records::erase(origin(patient()), [7; 32]), Error::<Test>::RecordNotFound);
		assert_ok!(Records::erase(origin(operator_a()), by_custodian));
		assert_ok!(Records::erase(origin(patient()), by_patient));
		// The custodian's erasure waits its delay; the patient's is immediate.
		assert_eq!(status(by_custodian), RecordStatus::Active);
		System::set_block_number(9 + ERASE_DELAY);
		assert_ok!(Records::complete_erasure(origin(operator_a()), by_custodian));
		assert_eq!(
			status(by_custodian),
			RecordStatus::Erased { at: 9 + ERASE_DELAY, time: NOW_MS, by: operator_a() }
		);
		assert_eq!(status(by_patient), RecordStatus::Erased { at: 9, time: NOW_MS, by: patient() });
		assert_noop!(
			Records::erase(origin(operator_a()), by_patient),
			Error::<Test>::AlreadyErased
		);
		assert!(events().contains(&Event::RecordErased { record_id: by_patient, by: patient() }));
		assert_noop!(Records::erase(origin(patient()), by_custodian), Error::<Test>::AlreadyErased);
		let record = RecordsMap::<Test>::get(by_custodian).expect("tombstone");
		assert_eq!((record.field_root, record.ciphertext_digest), (root(1), [0xcc; 32]));
		assert!(Records::verify(by_custodian, root(1))
			.is_some_and(|v| matches!(v.status, RecordStatus::Erased { .. })));
	});
}

/// Anchors a Diagnosis committed with `CommittedRecord` under request `id`; returns its id and
/// its disclosed fields (all but notes).
fn anchor_committed(id: u8) -> (RecordId, Vec<DisclosedField>) {
	let record_type = RecordType::Diagnosis;
	let record_id = Records::record_id(HOSPITAL_A, &[id; 32]);
	let values = (0..7).map(|i| (i % 2 == 0).then(|| vec![b'a' + i])).collect();
	let committed = CommittedRecord::new(record_type, values, vec![[id; 32]; 7]).expect("7");
	assert_ok!(anchor_as(operator_a(), request(id, patient(), committed.root(&record_id))));
	let fields = committed.disclose(&record_id, FieldMask::without_notes(record_type));
	(record_id, fields.expect("mask fits"))
}

#[test]
fn verify_fields_is_true_only_for_correct_proofs_of_an_active_record() {
	new_test_ext().execute_with(|| {
		let (record_id, fields) = anchor_committed(1);
		assert!(Records::verify_fields(record_id, &fields));
		let mut tampered = fields.clone();
		tampered[0].value = Some(b"tampered".to_vec());
		assert!(!Records::verify_fields(record_id, &tampered));
		let mut wrong_proof = fields.clone();
		wrong_proof[1].proof[0][0] ^= 1;
		assert!(!Records::verify_fields(record_id, &wrong_proof));
		assert!(!Records::verify_fields(record_id, &[]));
		// More fields than a Diagnosis has is refused before any hashing.
		let oversized: Vec<DisclosedField> = fields.iter().cycle().take(8).cloned().collect();
		assert!(!Records::verify_fields(record_id, &oversized));
		assert!(!Records::verify_fields([9; 32], &fields));

		assert_ok!(Records::amend(
			RuntimeOrigin::signed(operator_a()),
			record_id,
			root(2),
			[0; 32]
		));
		assert!(!Records::verify_fields(record_id, &fields), "an Amended record does not verify");

		let (erased, fields) = anchor_committed(5);
		assert!(Records::verify_fields(erased, &fields));
		assert_ok!(Records::erase(RuntimeOrigin::signed(patient()), erased));
		assert!(!Records::verify_fields(erased, &fields), "an Erased record does not verify");
	});
}

#[test]
fn amend_refuses_a_record_whose_version_counter_is_exhausted() {
	new_test_ext().execute_with(|| {
		let record_id = anchored(1);
		RecordsMap::<Test>::mutate(record_id, |record| {
			if let Some(record) = record {
				record.version = u32::MAX;
			}
		});
		assert_noop!(
			Records::amend(RuntimeOrigin::signed(operator_a()), record_id, root(2), [0; 32]),
			Error::<Test>::TooManyVersions
		);
	});
}

#[test]
fn a_custodians_erasure_waits_and_the_patient_or_its_admin_can_cancel_it() {
	new_test_ext().execute_with(|| {
		let origin = |who| RuntimeOrigin::signed(who);
		let record = anchored(1);
		// A stolen operator key asks to erase the record.
		assert_ok!(Records::erase(origin(operator_a()), record));
		System::assert_last_event(
			Event::ErasureScheduled { record_id: record, by: operator_a(), due: 1 + ERASE_DELAY }
				.into(),
		);
		assert_noop!(
			Records::erase(origin(operator_a()), record),
			Error::<Test>::ErasureAlreadyScheduled
		);
		assert_noop!(
			Records::complete_erasure(origin(operator_a()), record),
			Error::<Test>::ErasureNotDue
		);
		System::set_block_number(ERASE_DELAY);
		assert_noop!(
			Records::complete_erasure(origin(operator_a()), record),
			Error::<Test>::ErasureNotDue
		);
		// Neither another hospital nor the operator itself may cancel; A's admin does.
		for who in [operator_b(), operator_a(), other_patient()] {
			assert_noop!(
				Records::cancel_erasure(origin(who), record),
				Error::<Test>::NotPatientOrCustodianAdmin
			);
		}
		assert_ok!(Records::cancel_erasure(origin(admin_a()), record));
		System::assert_last_event(
			Event::ErasureCancelled { record_id: record, by: admin_a() }.into(),
		);
		System::set_block_number(1 + ERASE_DELAY);
		assert_noop!(
			Records::complete_erasure(origin(operator_a()), record),
			Error::<Test>::NoErasureScheduled
		);
		assert_eq!(status(record), RecordStatus::Active);

		// The patient may cancel too, and nothing is left to cancel twice.
		assert_ok!(Records::erase(origin(operator_a()), record));
		assert_ok!(Records::cancel_erasure(origin(patient()), record));
		assert_noop!(
			Records::cancel_erasure(origin(patient()), record),
			Error::<Test>::NoErasureScheduled
		);
		assert_eq!(status(record), RecordStatus::Active);
	});
}

#[test]
fn an_erasure_scheduled_by_a_rotated_operator_key_never_completes() {
	new_test_ext().execute_with(|| {
		let record = anchored(1);
		assert_ok!(Records::erase(RuntimeOrigin::signed(operator_a()), record));
		System::set_block_number(1 + ERASE_DELAY);
		// A's admin rotates the stolen key away: the mock's registry no longer knows it.
		medchain_pallet_testing::consortium::rotate_operator(HOSPITAL_A);
		assert_noop!(
			Records::complete_erasure(RuntimeOrigin::signed(patient()), record),
			Error::<Test>::ErasureRequesterRotated
		);
		// The new operator may schedule its own erasure over the void one.
		assert_ok!(Records::erase(RuntimeOrigin::signed(operator_a_rotated()), record));
		assert_ok!(Records::cancel_erasure(RuntimeOrigin::signed(patient()), record));
		assert_eq!(status(record), RecordStatus::Active);
	});
}

#[test]
fn try_state_catches_an_index_that_miscounts_its_records() {
	new_test_ext().execute_with(|| {
		anchored(1);
		assert_ok!(Records::do_try_state());
		crate::PatientRecordCount::<Test>::insert(patient(), 2);
		assert!(Records::do_try_state().is_err());
		crate::PatientRecordCount::<Test>::insert(patient(), 1);
	});
}
