//! Prescriptions: anchoring with terms, every refusal of `fill`, shared fill counts across
//! versions, the same-block race for the last fill, and the queries behind `RecordsApi`.

use frame_support::{
	assert_noop, assert_ok,
	dispatch::{DispatchResult, DispatchResultWithPostInfo, GetDispatchInfo},
	pallet_prelude::Get,
	BoundedVec,
};
use medchain_pallet_testing::{clock::TestClock, consortium};
use medchain_primitives::{
	commitment::RecordId,
	prescription::{Fill, FillRefusal, PrescriptionRequest, PrescriptionTerms},
	RecordType,
};
use sp_runtime::{AccountId32, DispatchError};

use crate::{
	mock::*, weights::WeightInfo, AnchorRequest, Error, Event, FillCount, Prescriptions,
	Records as RecordsMap,
};

const PRESCRIPTION: RecordType = RecordType::Prescription;
const LAB: RecordType = RecordType::LabResult;
/// Each fill in these tests dispenses 30 units.
const QUANTITY: u32 = 30;

fn terms(refills: u32, expires_at: Option<u64>) -> Option<PrescriptionRequest> {
	Some(PrescriptionRequest { refills, expires_at })
}

/// Item `id` of a batch: a record of `patient()` with root `[id; 32]`.
fn item(
	id: u8,
	record_type: RecordType,
	prescription: Option<PrescriptionRequest>,
) -> AnchorRequest<AccountId32> {
	AnchorRequest {
		request_id: [id; 32],
		patient: patient(),
		record_type,
		field_root: [id; 32],
		ciphertext_digest: [0xcc; 32],
		prescription,
	}
}

fn anchor_batch(items: Vec<AnchorRequest<AccountId32>>) -> DispatchResultWithPostInfo {
	let items = BoundedVec::try_from(items).expect("within the bound");
	Records::anchor_batch(RuntimeOrigin::signed(operator_a()), items)
}

fn id_of(id: u8) -> RecordId {
	Records::record_id(HOSPITAL_A, &[id; 32])
}

/// Anchors prescription `id` at Hospital A with `refills` and `expires_at`; returns its id.
fn prescribe(id: u8, refills: u32, expires_at: Option<u64>) -> RecordId {
	assert_ok!(anchor_batch(vec![item(id, PRESCRIPTION, terms(refills, expires_at))]));
	let record_id = id_of(id);
	assert!(Prescriptions::<Test>::contains_key(record_id), "anchored with its terms");
	record_id
}

/// Prescription `id` with `refills`, opened by pharmacy P.
fn opened_by_p(id: u8, refills: u32) -> RecordId {
	let record_id = prescribe(id, refills, None);
	consortium::record_access(record_id, PHARMACY_P);
	record_id
}

fn fill(who: AccountId32, prescription: RecordId) -> DispatchResult {
	Records::fill(RuntimeOrigin::signed(who), prescription, QUANTITY)
}

/// P's fill of `prescription` is refused with `refusal`, by dispatch and by the query alike.
fn refused(prescription: RecordId, refusal: FillRefusal, error: Error<Test>) {
	assert_eq!(Records::fill_refusal(&prescription, PHARMACY_P), Some(refusal));
	assert_noop!(fill(operator_p(), prescription), error);
}

fn dispatch_error(error: Error<Test>) -> DispatchError {
	error.into()
}

fn failures() -> Vec<(u32, DispatchError)> {
	events()
		.into_iter()
		.filter_map(|event| match event {
			Event::AnchorFailed { index, error } => Some((index, error)),
			_ => None,
		})
		.collect()
}

fn filled() -> Vec<Event<Test>> {
	events().into_iter().filter(|event| matches!(event, Event::Filled { .. })).collect()
}

#[test]
fn a_prescription_is_anchored_with_its_terms_and_its_expiry_capped_at_the_maximum() {
	new_test_ext().execute_with(|| {
		let latest = NOW_MS + MAX_VALIDITY_MS;
		let open_ended = prescribe(1, 0, None);
		let too_long = prescribe(2, 3, Some(NOW_MS + 2 * MAX_VALIDITY_MS));
		let short = prescribe(3, MAX_REFILLS, Some(NOW_MS + 1_000));
		let stored = |id| Prescriptions::<Test>::get(id).expect("terms");
		let expected = |root, fills, expires_at| PrescriptionTerms { root, fills, expires_at };
		assert_eq!(stored(open_ended), expected(open_ended, 1, latest));
		assert_eq!(stored(too_long), expected(too_long, 4, latest));
		assert_eq!(stored(short), expected(short, MAX_REFILLS + 1, NOW_MS + 1_000));
		assert!(events().contains(&Event::RecordAnchored {
			record_id: short,
			custodian: HOSPITAL_A,
			patient: patient(),
			record_type: PRESCRIPTION,
			field_root: [3; 32],
		}));
		let state = Records::prescription(&short).expect("a prescription");
		assert_eq!((state.terms, state.fills_used, state.fills_left()), (stored(short), 0, 12));
		assert_eq!(state.record.record_type, PRESCRIPTION);
	});
}

#[test]
fn a_batch_refuses_bad_terms_item_by_item_without_spending_quota() {
	new_test_ext().execute_with(|| {
		assert_ok!(anchor_batch(vec![
			item(1, PRESCRIPTION, None),
			item(2, LAB, terms(0, None)),
			item(3, PRESCRIPTION, terms(MAX_REFILLS + 1, None)),
			item(4, PRESCRIPTION, terms(MAX_REFILLS, None)),
		]));
		assert_ok!(anchor_batch(vec![
			item(5, PRESCRIPTION, terms(0, Some(NOW_MS))),
			item(6, PRESCRIPTION, terms(0, Some(NOW_MS - 1))),
			item(7, PRESCRIPTION, terms(0, Some(NOW_MS + 1))),
		]));
		assert_eq!(
			failures(),
			vec![
				(0, dispatch_error(Error::PrescriptionTermsMissing)),
				(1, dispatch_error(Error::UnexpectedPrescriptionTerms)),
				(2, dispatch_error(Error::TooManyRefills)),
				(0, dispatch_error(Error::ExpiryInPast)),
				(1, dispatch_error(Error::ExpiryInPast)),
			]
		);
		for failed in [1, 2, 3, 5, 6] {
			assert!(!RecordsMap::<Test>::contains_key(id_of(failed)));
			assert!(!Prescriptions::<Test>::contains_key(id_of(failed)));
		}
		assert!(Prescriptions::<Test>::contains_key(id_of(4)));
		assert!(Prescriptions::<Test>::contains_key(id_of(7)));
		let quota = crate::AnchorQuota::<Test>::get(HOSPITAL_A);
		assert_eq!(quota.used_at(System::block_number(), QUOTA_PERIOD), 2);
	});
}

#[test]
fn anchor_cannot_anchor_a_prescription() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Records::anchor(
				RuntimeOrigin::signed(operator_a()),
				[1; 32],
				patient(),
				PRESCRIPTION,
				[1; 32],
				[0xcc; 32],
			),
			Error::<Test>::PrescriptionTermsMissing
		);
	});
}

#[test]
fn a_batch_is_charged_a_write_for_each_prescriptions_terms() {
	new_test_ext().execute_with(|| {
		let items = vec![
			item(1, PRESCRIPTION, terms(0, None)),
			item(2, LAB, None),
			item(3, PRESCRIPTION, None),
			item(4, LAB, terms(0, None)),
		];
		let db: frame_support::weights::RuntimeDbWeight =
			<Test as frame_system::Config>::DbWeight::get();
		let bounded = BoundedVec::try_from(items.clone()).expect("within the bound");
		let declared = crate::Call::<Test>::anchor_batch { items: bounded }.get_dispatch_info();
		assert_eq!(declared.call_weight, <() as WeightInfo>::anchor_batch(4) + db.writes(2));
		let post = anchor_batch(items).expect("a batch succeeds as a whole");
		// Two items failed (their four writes each are refunded); one wrote terms.
		let actual = <() as WeightInfo>::anchor_batch(4) - db.writes(8) + db.writes(1);
		assert_eq!(post.actual_weight, Some(actual));
		assert!(actual.all_lte(declared.call_weight));
	});
}

#[test]
fn a_pharmacy_fills_as_often_as_the_refills_allow() {
	new_test_ext().execute_with(|| {
		let prescription = opened_by_p(1, 1);
		assert_eq!(Records::fill_refusal(&prescription, PHARMACY_P), None);
		assert_ok!(fill(operator_p(), prescription));
		// The fill spent P's opening: the refill needs another.
		refused(prescription, FillRefusal::NoAccessEntry, Error::NoAccessEntry);
		System::set_block_number(4);
		TestClock::set(NOW_MS + 6_000);
		consortium::record_access(prescription, PHARMACY_P);
		assert_ok!(fill(operator_p(), prescription));
		// No fills left is said first, opened or not.
		refused(prescription, FillRefusal::NoFillsLeft, Error::NoFillsLeft);
		consortium::record_access(prescription, PHARMACY_P);
		refused(prescription, FillRefusal::NoFillsLeft, Error::NoFillsLeft);

		let event = |fill_no, at| Event::Filled {
			prescription,
			pharmacy: PHARMACY_P,
			fill_no,
			quantity: QUANTITY,
			at,
		};
		assert_eq!(filled(), vec![event(1, 1), event(2, 4)]);
		assert_eq!(FillCount::<Test>::get(prescription), 2);
		let expected_fill = |block, time| Fill {
			pharmacy: PHARMACY_P,
			prescription,
			quantity: QUANTITY,
			block,
			time,
		};
		assert_eq!(
			Records::fills(&prescription, 0, 10),
			vec![expected_fill(1, NOW_MS), expected_fill(4, NOW_MS + 6_000)]
		);
		assert_eq!(Records::fills(&prescription, 1, 10), vec![expected_fill(4, NOW_MS + 6_000)]);
		let state = Records::prescription(&prescription).expect("a prescription");
		assert_eq!((state.fills_used, state.fills_left()), (2, 0));
	});
}

#[test]
fn only_an_active_pharmacys_operator_fills() {
	new_test_ext().execute_with(|| {
		let prescription = opened_by_p(1, 0);
		consortium::record_access(prescription, HOSPITAL_A);
		let outsiders = [
			operator_a(),
			admin_a(),
			stranger(),
			patient(),
			consortium::pharmacy_admin(PHARMACY_P),
		];
		for who in outsiders {
			assert_noop!(fill(who, prescription), Error::<Test>::NotPharmacyOperator);
		}
		consortium::set_pharmacy_active(PHARMACY_P, false);
		assert_noop!(fill(operator_p(), prescription), Error::<Test>::NotPharmacyOperator);
		consortium::set_pharmacy_active(PHARMACY_P, true);
		assert_noop!(
			Records::fill(RuntimeOrigin::signed(operator_p()), prescription, 0),
			Error::<Test>::ZeroQuantity
		);
		assert_ok!(fill(operator_p(), prescription));
	});
}

#[test]
fn a_missing_record_or_one_that_is_no_prescription_is_refused() {
	new_test_ext().execute_with(|| {
		refused([7; 32], FillRefusal::RecordNotFound, Error::RecordNotFound);
		assert_ok!(anchor_batch(vec![item(1, LAB, None)]));
		consortium::record_access(id_of(1), PHARMACY_P);
		refused(id_of(1), FillRefusal::NotAPrescription, Error::NotAPrescription);
		assert_eq!(Records::prescription(&id_of(1)), None);
		assert_eq!(Records::fills(&id_of(1), 0, 10), vec![]);
	});
}

#[test]
fn an_erased_prescription_is_refused() {
	new_test_ext().execute_with(|| {
		let prescription = opened_by_p(1, 3);
		assert_ok!(fill(operator_p(), prescription));
		assert_ok!(Records::erase(RuntimeOrigin::signed(patient()), prescription));
		refused(prescription, FillRefusal::PrescriptionErased, Error::PrescriptionErased);
		// The fills made stay on record.
		assert_eq!(Records::fills(&prescription, 0, 10).len(), 1);
	});
}

#[test]
fn only_the_latest_version_fills_and_an_amendment_keeps_the_count() {
	new_test_ext().execute_with(|| {
		let first = opened_by_p(1, 2);
		assert_ok!(fill(operator_p(), first));
		assert_ok!(Records::amend(RuntimeOrigin::signed(operator_a()), first, [2; 32], [0xdd; 32]));
		let second = Records::version_id(&first, 2);
		assert_eq!(Prescriptions::<Test>::get(second), Prescriptions::<Test>::get(first));
		refused(first, FillRefusal::PrescriptionAmended, Error::PrescriptionAmended);
		// P opened the first version only; the entry is for exactly that version.
		refused(second, FillRefusal::NoAccessEntry, Error::NoAccessEntry);
		consortium::record_access(second, PHARMACY_P);
		assert_ok!(fill(operator_p(), second));
		System::assert_last_event(
			Event::Filled {
				prescription: second,
				pharmacy: PHARMACY_P,
				fill_no: 2,
				quantity: QUANTITY,
				at: 1,
			}
			.into(),
		);
		assert_eq!(FillCount::<Test>::get(first), 2);
		assert!(!FillCount::<Test>::contains_key(second));
		let versions: Vec<RecordId> =
			Records::fills(&second, 0, 10).into_iter().map(|fill| fill.prescription).collect();
		assert_eq!(versions, vec![first, second]);
		assert_eq!(Records::prescription(&second).map(|state| state.fills_left()), Some(1));
		assert_eq!(Records::prescription(&first).map(|state| state.fills_used), Some(2));

		// Another record type's amendment carries no terms.
		assert_ok!(anchor_batch(vec![item(3, LAB, None)]));
		assert_ok!(Records::amend(
			RuntimeOrigin::signed(operator_a()),
			id_of(3),
			[4; 32],
			[0xdd; 32]
		));
		assert!(!Prescriptions::<Test>::contains_key(Records::version_id(&id_of(3), 2)));
	});
}

#[test]
fn an_expired_prescription_is_refused() {
	new_test_ext().execute_with(|| {
		let expires_at = NOW_MS + 1_000;
		let prescription = prescribe(1, 5, Some(expires_at));
		consortium::record_access(prescription, PHARMACY_P);
		TestClock::set(expires_at - 1);
		assert_ok!(fill(operator_p(), prescription));
		TestClock::set(expires_at);
		refused(prescription, FillRefusal::PrescriptionExpired, Error::PrescriptionExpired);
	});
}

#[test]
fn a_pharmacy_without_an_access_entry_is_refused() {
	new_test_ext().execute_with(|| {
		let prescription = opened_by_p(1, 0);
		assert_eq!(
			Records::fill_refusal(&prescription, PHARMACY_Q),
			Some(FillRefusal::NoAccessEntry)
		);
		assert_noop!(fill(operator_q(), prescription), Error::<Test>::NoAccessEntry);
		let unopened = prescribe(2, 0, None);
		refused(unopened, FillRefusal::NoAccessEntry, Error::NoAccessEntry);
	});
}

#[test]
fn two_pharmacies_racing_for_the_last_fill_in_one_block_fill_it_once() {
	new_test_ext().execute_with(|| {
		let prescription = opened_by_p(1, 0);
		consortium::record_access(prescription, PHARMACY_Q);
		// Both extrinsics are in block 1; they dispatch one after the other.
		let first = fill(operator_p(), prescription);
		let second = fill(operator_q(), prescription);
		assert_ok!(first);
		assert_eq!(second, Err(Error::<Test>::NoFillsLeft.into()));
		assert_eq!(filled().len(), 1);
		assert_eq!(FillCount::<Test>::get(prescription), 1);
		assert_eq!(Records::fills(&prescription, 0, 10).len(), 1);
	});
}

#[test]
fn fill_pages_hold_at_most_the_page_size() {
	new_test_ext().execute_with(|| {
		let prescription = opened_by_p(1, 4);
		for _ in 0..5 {
			consortium::record_access(prescription, PHARMACY_P);
			assert_ok!(fill(operator_p(), prescription));
		}
		let page_size: u32 = <Test as crate::Config>::MaxPageSize::get();
		assert_eq!(Records::fills(&prescription, 0, 100).len(), page_size as usize);
		assert_eq!(Records::fills(&prescription, 3, 100).len(), 2);
		assert_eq!(Records::fills(&prescription, 5, 100), vec![]);
		assert_eq!(Records::prescription(&prescription).map(|state| state.fills_used), Some(5));
	});
}

#[test]
fn try_state_catches_more_fills_than_the_terms_allow() {
	new_test_ext().execute_with(|| {
		let prescription = opened_by_p(1, 0);
		assert_ok!(fill(operator_p(), prescription));
		assert_ok!(Records::do_try_state());
		Prescriptions::<Test>::mutate(prescription, |terms| {
			if let Some(terms) = terms {
				terms.fills = 0;
			}
		});
		assert!(Records::do_try_state().is_err());
		Prescriptions::<Test>::mutate(prescription, |terms| {
			if let Some(terms) = terms {
				terms.fills = 1;
			}
		});
	});
}
