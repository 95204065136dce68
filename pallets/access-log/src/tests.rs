use frame_support::{assert_noop, assert_ok, BoundedVec};
use medchain_primitives::{
	access::{AccessKind, AccessQuery, Accessor, BreakGlassReason, ReleaseReceipt},
	commitment::RecordId,
	prescription::AccessLookup,
	records::RecordStatus,
	shares::{AccessRequest, FieldSelection, GrantId, GrantTerms, PurposeOfUse, TokenSignature},
	FieldMask, HospitalId, RecordType,
};
use medchain_token::ShareToken;
use sp_runtime::AccountId32;

use medchain_pallet_testing::clock::TestClock;
use medchain_pallet_testing::consortium::{
	self as testing, HOSPITAL_A, HOSPITAL_B, HOSPITAL_C, PHARMACY_P,
};

use crate::{mock::*, *};

const LAB: RecordType = RecordType::LabResult;

fn origin(who: &AccountId32) -> RuntimeOrigin {
	RuntimeOrigin::signed(who.clone())
}

fn record(seed: u8, patient: &AccountId32) -> RecordId {
	record_of(seed, patient, LAB)
}

fn record_of(seed: u8, patient: &AccountId32, kind: RecordType) -> RecordId {
	let id = [seed; 32];
	testing::add_record(id, patient.clone(), HOSPITAL_A, kind);
	id
}

/// Patient 0's record 1 at hospital A, shared with hospital B (at most twice, for treatment).
struct Shared {
	record: RecordId,
	grant: GrantId,
	token: ShareToken,
}

fn share_with(grantee: Option<HospitalId>, fields: FieldSelection) -> Shared {
	share_of(LAB, grantee, fields)
}

fn share_of(kind: RecordType, grantee: Option<HospitalId>, fields: FieldSelection) -> Shared {
	let patient = testing::patient(0);
	let record = record_of(1, &patient, kind);
	let token = ShareToken::generate();
	let terms = GrantTerms {
		records: BoundedVec::truncate_from(vec![record]),
		fields,
		grantee,
		duration: 50,
		max_uses: Some(2),
		purpose: PurposeOfUse::Treatment,
		token_key: token.public_key(),
	};
	let grant = pallet_shares::NextGrantId::<Test>::get();
	assert_ok!(Shares::create_grant(origin(&patient), terms));
	Shared { record, grant, token }
}

fn shared() -> Shared {
	share_with(Some(HOSPITAL_B), FieldSelection::AllButNotes)
}

/// What the token holder asks the accessor's node to submit.
struct Request {
	accessor: HospitalId,
	grant: GrantId,
	record: RecordId,
	purpose: PurposeOfUse,
	uses: u32,
	valid_until: u64,
}

impl Request {
	fn for_(shared: &Shared) -> Self {
		Request {
			accessor: HOSPITAL_B,
			grant: shared.grant,
			record: shared.record,
			purpose: PurposeOfUse::Treatment,
			uses: 0,
			valid_until: 20,
		}
	}

	fn signed_by(&self, token: &ShareToken) -> TokenSignature {
		token.sign(&AccessRequest {
			genesis_hash: medchain_pallet_support::chain::genesis_hash_bytes::<Test>(),
			grant: self.grant,
			record: self.record,
			accessor: self.accessor,
			purpose: self.purpose,
			uses: self.uses,
			valid_until: self.valid_until,
		})
	}

	fn submit(&self, signature: TokenSignature) -> frame_support::dispatch::DispatchResult {
		let operator = testing::operator(self.accessor);
		AccessLog::access(
			origin(&operator),
			self.grant,
			self.record,
			self.purpose,
			self.uses,
			self.valid_until,
			signature,
		)
	}

	/// Signs with `token` and submits.
	fn send(&self, token: &ShareToken) -> frame_support::dispatch::DispatchResult {
		self.submit(self.signed_by(token))
	}
}

fn uses(grant: GrantId) -> u32 {
	pallet_shares::Grants::<Test>::get(grant).map_or(0, |grant| grant.uses)
}

#[test]
fn an_access_records_exactly_the_grants_fields_and_counts_a_use() {
	new_test_ext().execute_with(|| {
		let shared = shared();
		assert_ok!(Request::for_(&shared).send(&shared.token));

		let entry = Entries::<Test>::get(0).expect("written");
		let without_notes = FieldMask::without_notes(LAB);
		assert_eq!(entry.fields, without_notes);
		assert_eq!(entry.kind, AccessKind::Normal { grant: shared.grant });
		assert_eq!(entry.record, shared.record);
		assert_eq!(entry.patient, testing::patient(0));
		assert_eq!(entry.accessor, Accessor::Hospital(HOSPITAL_B));
		assert_eq!(entry.custodian, HOSPITAL_A);
		assert_eq!(entry.purpose, PurposeOfUse::Treatment);
		assert_eq!((entry.block, entry.time, entry.release), (1, 1_700_000_000_000, None));
		assert_eq!(uses(shared.grant), 1);
		assert_eq!(
			events(),
			vec![Event::AccessRecorded {
				access: 0,
				kind: AccessKind::Normal { grant: shared.grant },
				record: shared.record,
				custodian: HOSPITAL_A,
				fields: without_notes
			}]
		);

		// The next use signs the new count.
		assert_ok!(Request { uses: 1, ..Request::for_(&shared) }.send(&shared.token));
		assert_eq!(uses(shared.grant), 2);
	});
}

#[test]
fn a_grant_with_chosen_fields_releases_those_and_no_others() {
	new_test_ext().execute_with(|| {
		let mask = FieldMask::only(0).with(2).with(9);
		let shared = share_with(None, FieldSelection::Only(mask));
		// No grantee: any active hospital holding the token.
		assert_ok!(Request { accessor: HOSPITAL_A, ..Request::for_(&shared) }.send(&shared.token));
		assert_eq!(Entries::<Test>::get(0).map(|entry| entry.fields), Some(mask));
	});
}

#[test]
fn an_expired_grant_is_refused() {
	new_test_ext().execute_with(|| {
		let shared = shared();
		// Created in block 1 for 50 blocks: usable up to block 50, refused from block 51 even
		// while the pruning queue has not reached it (no `on_initialize` here).
		run_to_block(50);
		assert_ok!(Request { valid_until: 60, ..Request::for_(&shared) }.send(&shared.token));
		System::set_block_number(51);
		let request = Request { uses: 1, valid_until: 60, ..Request::for_(&shared) };
		assert_noop!(request.send(&shared.token), Error::<Test>::GrantExpired);
	});
}

#[test]
fn an_expired_and_pruned_grant_is_not_found() {
	new_test_ext().execute_with(|| {
		let shared = shared();
		run_to_block(52);
		assert!(pallet_shares::Grants::<Test>::get(shared.grant).is_none());
		let request = Request { valid_until: 60, ..Request::for_(&shared) };
		assert_noop!(request.send(&shared.token), Error::<Test>::GrantNotFound);
	});
}

#[test]
fn a_grant_revoked_in_block_n_is_refused_in_block_n_plus_one() {
	new_test_ext().execute_with(|| {
		let shared = shared();
		run_to_block(5);
		assert_ok!(Shares::revoke(origin(&testing::patient(0)), shared.grant));
		run_to_block(6);
		assert_noop!(Request::for_(&shared).send(&shared.token), Error::<Test>::GrantRevoked);
	});
}

#[test]
fn another_hospital_than_the_grantee_is_refused() {
	new_test_ext().execute_with(|| {
		let shared = shared();
		let request = Request { accessor: HOSPITAL_A, ..Request::for_(&shared) };
		assert_noop!(request.send(&shared.token), Error::<Test>::WrongGrantee);
	});
}

#[test]
fn another_token_is_refused() {
	new_test_ext().execute_with(|| {
		let shared = shared();
		assert_noop!(
			Request::for_(&shared).send(&ShareToken::generate()),
			Error::<Test>::BadTokenSignature
		);
		// The right token's signature of another request.
		let other = Request { purpose: PurposeOfUse::Research, ..Request::for_(&shared) };
		assert_noop!(
			Request::for_(&shared).submit(other.signed_by(&shared.token)),
			Error::<Test>::BadTokenSignature
		);
	});
}

#[test]
fn a_replayed_signature_is_refused() {
	new_test_ext().execute_with(|| {
		let shared = shared();
		let request = Request::for_(&shared);
		let signature = request.signed_by(&shared.token);
		assert_ok!(request.submit(signature));
		assert_noop!(request.submit(signature), Error::<Test>::SignatureReplayed);
		assert_eq!(uses(shared.grant), 1);
	});
}

#[test]
fn a_use_count_ahead_of_the_grants_is_refused() {
	new_test_ext().execute_with(|| {
		let shared = shared();
		let request = Request { uses: 1, ..Request::for_(&shared) };
		assert_noop!(request.send(&shared.token), Error::<Test>::UseCountMismatch);
	});
}

#[test]
fn uses_beyond_the_maximum_are_refused() {
	new_test_ext().execute_with(|| {
		let shared = shared();
		for used in 0..2 {
			assert_ok!(Request { uses: used, ..Request::for_(&shared) }.send(&shared.token));
		}
		let third = Request { uses: 2, ..Request::for_(&shared) };
		assert_noop!(third.send(&shared.token), Error::<Test>::UsesExhausted);
	});
}

#[test]
fn a_record_outside_the_grant_is_refused() {
	new_test_ext().execute_with(|| {
		let shared = shared();
		let other = record(2, &testing::patient(0));
		let request = Request { record: other, ..Request::for_(&shared) };
		assert_noop!(request.send(&shared.token), Error::<Test>::RecordNotInGrant);
	});
}

#[test]
fn an_erased_or_amended_record_is_refused() {
	new_test_ext().execute_with(|| {
		let shared = shared();
		let patient = testing::patient(0);
		testing::set_record_status(shared.record, RecordStatus::Amended { by: [9; 32] });
		assert_noop!(Request::for_(&shared).send(&shared.token), Error::<Test>::RecordSuperseded);
		testing::set_record_status(
			shared.record,
			RecordStatus::Erased { at: 1, time: 0, by: patient },
		);
		assert_noop!(Request::for_(&shared).send(&shared.token), Error::<Test>::RecordIsErased);
		let unknown = Request { record: [7; 32], ..Request::for_(&shared) };
		assert_noop!(unknown.send(&shared.token), Error::<Test>::RecordNotFound);
	});
}

#[test]
fn only_active_hospitals_operators_access() {
	new_test_ext().execute_with(|| {
		let shared = shared();
		let request = Request::for_(&shared);
		let signature = request.signed_by(&shared.token);
		let outsiders = [
			testing::stranger(),
			testing::admin(HOSPITAL_B),
			testing::operator(HOSPITAL_C),
			testing::patient(0),
			testing::pharmacy_admin(PHARMACY_P),
		];
		for who in outsiders {
			assert_noop!(
				AccessLog::access(
					origin(&who),
					shared.grant,
					shared.record,
					PurposeOfUse::Treatment,
					0,
					20,
					signature
				),
				Error::<Test>::NotHospitalOperator
			);
		}
	});
}

#[test]
fn a_late_request_another_purpose_or_an_unknown_grant_is_refused() {
	new_test_ext().execute_with(|| {
		let shared = shared();
		run_to_block(21);
		assert_noop!(
			Request::for_(&shared).send(&shared.token),
			Error::<Test>::AccessRequestExpired
		);
		let research =
			Request { purpose: PurposeOfUse::Research, valid_until: 30, ..Request::for_(&shared) };
		assert_noop!(research.send(&shared.token), Error::<Test>::PurposeMismatch);
		let unknown = Request { grant: 9, valid_until: 30, ..Request::for_(&shared) };
		assert_noop!(unknown.send(&shared.token), Error::<Test>::GrantNotFound);
	});
}

#[test]
fn a_pharmacys_operator_opens_a_record_shared_with_it_and_the_lookup_finds_the_entry() {
	new_test_ext().execute_with(|| {
		let shared =
			share_of(RecordType::Prescription, Some(PHARMACY_P), FieldSelection::AllButNotes);
		let request = Request { accessor: PHARMACY_P, ..Request::for_(&shared) };
		assert_eq!(AccessLog::accessed_by(&shared.record, PHARMACY_P), None);
		assert_ok!(request.send(&shared.token));
		let entry = Entries::<Test>::get(0).expect("written");
		assert_eq!(entry.accessor, Accessor::Hospital(PHARMACY_P));
		assert_eq!(entry.kind, AccessKind::Normal { grant: shared.grant });
		assert_eq!(AccessedBy::<Test>::get(shared.record, PHARMACY_P), Some(0));
		assert_eq!(AccessLog::accessed_by(&shared.record, PHARMACY_P), Some(0));
		assert_eq!(AccessLog::accessed_by(&shared.record, HOSPITAL_B), None);
		assert_eq!(AccessLog::accessed_by(&[7; 32], PHARMACY_P), None);
		// A fill spends it.
		assert_eq!(AccessLog::spend_access(&shared.record, PHARMACY_P), Some(0));
		assert_eq!(AccessLog::accessed_by(&shared.record, PHARMACY_P), None);

		// The lookup names the latest entry.
		assert_ok!(Request { uses: 1, ..request }.send(&shared.token));
		assert_eq!(AccessLog::accessed_by(&shared.record, PHARMACY_P), Some(1));
		let page = AccessLog::entries(AccessQuery::Accessor(PHARMACY_P), 0, u64::MAX, 0, 10);
		let ids: Vec<_> = page.entries.into_iter().map(|(id, _)| id).collect();
		assert_eq!(ids, vec![0, 1]);

		// A suspended pharmacy's operator opens nothing.
		testing::set_pharmacy_active(PHARMACY_P, false);
		let third = Request { accessor: PHARMACY_P, uses: 2, ..Request::for_(&shared) };
		assert_noop!(third.send(&shared.token), Error::<Test>::NotHospitalOperator);
	});
}

#[test]
fn a_pharmacy_neither_breaks_the_glass_nor_confirms_releases() {
	new_test_ext().execute_with(|| {
		let record = record(1, &testing::patient(0));
		let pharmacy = origin(&testing::pharmacy_operator(PHARMACY_P));
		let reason = BreakGlassReason::LifeThreatening;
		assert_noop!(
			AccessLog::break_glass(pharmacy.clone(), record, reason),
			Error::<Test>::NotHospitalOperator
		);
		// Only a pharmacy's access is kept for a fill.
		assert_ok!(AccessLog::break_glass(origin(&testing::operator(HOSPITAL_B)), record, reason));
		assert_eq!(AccessLog::accessed_by(&record, HOSPITAL_B), None);
		assert_noop!(
			AccessLog::confirm_release(pharmacy, 0, [5; 32]),
			Error::<Test>::NotHospitalOperator
		);
		// A patient's own read is no member's entry.
		assert_ok!(AccessLog::patient_access(origin(&testing::patient(0)), record));
		assert_eq!(AccessLog::accessed_by(&record, HOSPITAL_B), None);
	});
}

#[test]
fn break_glass_is_flagged_announced_to_the_patient_and_limited_per_period() {
	new_test_ext().execute_with(|| {
		let patient = testing::patient(0);
		let record = record(1, &patient);
		let operator = testing::operator(HOSPITAL_B);
		let reason = BreakGlassReason::PatientUnableToConsent;
		// The allowance is used up just before a fixed window would have started afresh.
		run_to_block(BREAK_GLASS_PERIOD - 1);
		for access in 0..u64::from(BREAK_GLASS_LIMIT) {
			assert_ok!(AccessLog::break_glass(origin(&operator), record, reason));
			let entry = Entries::<Test>::get(access).expect("written");
			assert_eq!(entry.kind, AccessKind::Emergency { reason });
			assert_eq!(entry.fields, FieldMask::all(LAB));
			assert_eq!(entry.purpose, PurposeOfUse::EmergencyTreatment);
			assert!(events().contains(&Event::EmergencyAccess {
				access,
				patient: patient.clone(),
				record,
				accessor: HOSPITAL_B,
				reason
			}));
		}
		assert_noop!(
			AccessLog::break_glass(origin(&operator), record, reason),
			Error::<Test>::BreakGlassLimitReached
		);
		// Another hospital has its own allowance.
		assert_ok!(AccessLog::break_glass(origin(&testing::operator(HOSPITAL_A)), record, reason));
		// The window rolls: a period after the first uses is still within reach of them…
		for block in [BREAK_GLASS_PERIOD, 2 * BREAK_GLASS_PERIOD - 2] {
			run_to_block(block);
			assert_noop!(
				AccessLog::break_glass(origin(&operator), record, reason),
				Error::<Test>::BreakGlassLimitReached
			);
		}
		// …and once they are more than a period old, the allowance is back.
		run_to_block(3 * BREAK_GLASS_PERIOD);
		assert_ok!(AccessLog::break_glass(origin(&operator), record, reason));

		assert_noop!(
			AccessLog::break_glass(origin(&testing::stranger()), record, reason),
			Error::<Test>::NotHospitalOperator
		);
		testing::set_record_status(record, RecordStatus::Erased { at: 1, time: 0, by: patient });
		assert_noop!(
			AccessLog::break_glass(origin(&testing::operator(HOSPITAL_A)), record, reason),
			Error::<Test>::RecordIsErased
		);
	});
}

#[test]
fn a_patient_reads_only_their_own_records() {
	new_test_ext().execute_with(|| {
		let patient = testing::patient(0);
		let record = record(1, &patient);
		assert_noop!(
			AccessLog::patient_access(origin(&testing::patient(1)), record),
			Error::<Test>::NotRecordPatient
		);
		assert_ok!(AccessLog::patient_access(origin(&patient), record));
		let entry = Entries::<Test>::get(0).expect("written");
		assert_eq!((entry.kind, entry.accessor), (AccessKind::Patient, Accessor::Patient));
		assert_eq!(
			(entry.fields, entry.purpose),
			(FieldMask::all(LAB), PurposeOfUse::PatientRequested)
		);
		assert_eq!(
			events(),
			vec![Event::AccessRecorded {
				access: 0,
				kind: AccessKind::Patient,
				record,
				custodian: HOSPITAL_A,
				fields: FieldMask::all(LAB)
			}]
		);
	});
}

#[test]
fn the_custodian_confirms_a_release_once() {
	new_test_ext().execute_with(|| {
		let shared = shared();
		assert_ok!(Request::for_(&shared).send(&shared.token));
		let custodian = testing::operator(HOSPITAL_A);
		let response_hash = [5; 32];
		assert_noop!(
			AccessLog::confirm_release(origin(&testing::operator(HOSPITAL_B)), 0, response_hash),
			Error::<Test>::NotEntryCustodian
		);
		assert_noop!(
			AccessLog::confirm_release(origin(&custodian), 1, response_hash),
			Error::<Test>::AccessNotFound
		);
		assert_noop!(
			AccessLog::confirm_release(origin(&testing::patient(0)), 0, response_hash),
			Error::<Test>::NotHospitalOperator
		);
		run_to_block(3);
		TestClock::set(1_700_000_006_000);
		assert_ok!(AccessLog::confirm_release(origin(&custodian), 0, response_hash));
		assert_eq!(
			Entries::<Test>::get(0).and_then(|entry| entry.release),
			Some(ReleaseReceipt { response_hash, block: 3, time: 1_700_000_006_000 })
		);
		assert!(events().contains(&Event::ReleaseConfirmed {
			access: 0,
			custodian: HOSPITAL_A,
			response_hash
		}));
		assert_noop!(
			AccessLog::confirm_release(origin(&custodian), 0, [6; 32]),
			Error::<Test>::AlreadyReleased
		);
	});
}

#[test]
fn auditors_page_through_each_index_in_time_order_within_a_time_range() {
	new_test_ext().execute_with(|| {
		let patient = testing::patient(0);
		let other_patient = testing::patient(1);
		let first = record(1, &patient);
		let second = record(2, &patient);
		let others = record(3, &other_patient);
		let reason = BreakGlassReason::LifeThreatening;
		let by_b = origin(&testing::operator(HOSPITAL_B));
		// Entry i happens at time 1000 * (i + 1): 0 B→first, 1 patient→second, 2 B→others,
		// 3 patient→first, 4 A→first, 5 B→second.
		let steps: [&dyn Fn() -> frame_support::dispatch::DispatchResult; 6] = [
			&|| AccessLog::break_glass(by_b.clone(), first, reason),
			&|| AccessLog::patient_access(origin(&patient), second),
			&|| AccessLog::break_glass(by_b.clone(), others, reason),
			&|| AccessLog::patient_access(origin(&patient), first),
			&|| AccessLog::break_glass(origin(&testing::operator(HOSPITAL_A)), first, reason),
			&|| AccessLog::patient_access(origin(&patient), second),
		];
		for (step, time) in steps.iter().zip((1u64..).map(|i| i * 1000)) {
			TestClock::set(time);
			assert_ok!(step());
		}
		let ids = |query, from, to, cursor, limit| {
			let page = AccessLog::entries(query, from, to, cursor, limit);
			(page.entries.into_iter().map(|(id, _)| id).collect::<Vec<_>>(), page.next_cursor)
		};
		let all = (0, u64::MAX);
		let patient_query = AccessQuery::Patient(patient.clone());
		assert_eq!(ids(patient_query.clone(), all.0, all.1, 0, 10), (vec![0, 1, 3], Some(3)));
		assert_eq!(ids(patient_query.clone(), all.0, all.1, 3, 10), (vec![4, 5], None));
		assert_eq!(ids(AccessQuery::Accessor(HOSPITAL_B), all.0, all.1, 0, 10), (vec![0, 2], None));
		assert_eq!(ids(AccessQuery::Accessor(HOSPITAL_A), all.0, all.1, 0, 10), (vec![4], None));
		assert_eq!(
			ids(AccessQuery::Custodian(HOSPITAL_A), all.0, all.1, 0, 2),
			(vec![0, 1], Some(2))
		);
		assert_eq!(ids(AccessQuery::Record(first), all.0, all.1, 0, 10), (vec![0, 3, 4], None));
		assert_eq!(ids(AccessQuery::Patient(other_patient), all.0, all.1, 0, 10), (vec![2], None));
		// Time ranges: [2000, 5000) of the patient's entries; the end bound stops paging.
		assert_eq!(ids(patient_query.clone(), 2000, 5000, 0, 10), (vec![1, 3], None));
		assert_eq!(ids(patient_query.clone(), 2000, 5000, 0, 1), (vec![1], Some(2)));
		assert_eq!(ids(patient_query.clone(), 2000, 5000, 2, 1), (vec![3], None));
		assert_eq!(ids(patient_query, 7000, u64::MAX, 0, 10), (vec![], None));
		assert_eq!(ids(AccessQuery::Record([8; 32]), all.0, all.1, 0, 10), (vec![], None));
	});
}

#[test]
fn a_hospital_logs_at_most_its_access_quota_in_any_quota_period() {
	new_test_ext().execute_with(|| {
		let shared = share_with(Some(HOSPITAL_B), FieldSelection::AllButNotes);
		pallet_shares::Grants::<Test>::mutate(shared.grant, |grant| {
			if let Some(grant) = grant {
				grant.terms.max_uses = None;
			}
		});
		for used in 0..MAX_HOSPITAL_ACCESSES {
			assert_ok!(Request { uses: used, ..Request::for_(&shared) }.send(&shared.token));
		}
		let next = Request { uses: MAX_HOSPITAL_ACCESSES, ..Request::for_(&shared) };
		assert_noop!(next.send(&shared.token), Error::<Test>::HospitalAccessQuotaReached);
		assert_eq!(uses(shared.grant), MAX_HOSPITAL_ACCESSES, "the refused use is not counted");
		// A period and a slot later the quota has rolled on (the old grant expired meanwhile).
		run_to_block(2 + QUOTA_PERIOD + QUOTA_PERIOD / 7 + 1);
		let fresh = share_with(Some(HOSPITAL_B), FieldSelection::AllButNotes);
		assert_ok!(Request { valid_until: 1_000, ..Request::for_(&fresh) }.send(&fresh.token));
	});
}

#[test]
fn own_reads_are_bounded_per_patient_and_per_registering_hospital() {
	new_test_ext().execute_with(|| {
		let (first, second) = (testing::patient(0), testing::patient(1));
		let (first_record, second_record) = (record(1, &first), record(2, &second));
		for _ in 0..MAX_PATIENT_ACCESSES {
			assert_ok!(AccessLog::patient_access(origin(&first), first_record));
		}
		assert_noop!(
			AccessLog::patient_access(origin(&first), first_record),
			Error::<Test>::PatientAccessQuotaReached
		);
		// Patient 1 is also A's: A's patients share one budget, so more pseudonyms buy nothing.
		let left = MAX_PATIENT_ACCESSES_PER_HOSPITAL - MAX_PATIENT_ACCESSES;
		for _ in 0..left {
			assert_ok!(AccessLog::patient_access(origin(&second), second_record));
		}
		assert_noop!(
			AccessLog::patient_access(origin(&second), second_record),
			Error::<Test>::HospitalPatientsAccessQuotaReached
		);
		// The patient of the suspended hospital C is no registered patient at all.
		let of_c = testing::patient(testing::PATIENT_OF_C);
		let record_of_c = record(3, &of_c);
		assert_noop!(
			AccessLog::patient_access(origin(&of_c), record_of_c),
			Error::<Test>::NotRegisteredPatient
		);
	});
}

#[test]
fn try_state_catches_an_entry_missing_from_its_patients_index() {
	new_test_ext().execute_with(|| {
		let patient = testing::patient(0);
		let record = record(1, &patient);
		let reason = BreakGlassReason::PatientUnableToConsent;
		assert_ok!(AccessLog::break_glass(origin(&testing::operator(HOSPITAL_B)), record, reason));
		assert_ok!(AccessLog::do_try_state());
		let query = AccessQuery::Patient(patient);
		IndexLength::<Test>::insert(&query, 0);
		assert!(AccessLog::do_try_state().is_err());
		IndexLength::<Test>::insert(&query, 1);
	});
}

#[test]
fn a_pharmacy_opens_prescriptions_only_even_with_an_open_grant() {
	new_test_ext().execute_with(|| {
		// A grant for any hospital of a lab result: hospitals open it, pharmacies don't.
		let shared = share_with(None, FieldSelection::AllButNotes);
		let pharmacy = Request { accessor: PHARMACY_P, ..Request::for_(&shared) };
		assert_noop!(pharmacy.send(&shared.token), Error::<Test>::PharmacyOpensPrescriptionsOnly);
		assert_ok!(Request::for_(&shared).send(&shared.token));
		assert_eq!(AccessLog::accessed_by(&shared.record, HOSPITAL_B), None);
	});
}
