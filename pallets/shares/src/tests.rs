use frame_support::{assert_noop, assert_ok, traits::Get, BoundedVec};
use medchain_primitives::{
	commitment::RecordId,
	records::RecordStatus,
	shares::{
		grant_consent_payload, wrap_in_bytes_tags, FieldSelection, GrantId, GrantRefusal,
		GrantStatus, GrantTerms, Grantor, PurposeOfUse,
	},
	FieldMask, RecordType,
};
use medchain_token::ShareToken;
use sp_runtime::{AccountId32, MultiSignature};

use medchain_pallet_testing::consortium::{
	self as testing, HOSPITAL_A, HOSPITAL_B, HOSPITAL_C, PHARMACY_P,
};

use crate::{mock::*, *};

fn origin(who: &AccountId32) -> RuntimeOrigin {
	RuntimeOrigin::signed(who.clone())
}

/// Record `seed` of `patient` in `custodian`'s custody, a lab result.
fn record(
	seed: u32,
	patient: &AccountId32,
	custodian: medchain_primitives::HospitalId,
) -> RecordId {
	let id = record_id(seed);
	testing::add_record(id, patient.clone(), custodian, RecordType::LabResult);
	id
}

fn terms(records: &[RecordId]) -> GrantTermsOf<Test> {
	GrantTerms {
		records: BoundedVec::truncate_from(records.to_vec()),
		fields: FieldSelection::default(),
		grantee: None,
		duration: 50,
		max_uses: None,
		purpose: PurposeOfUse::Treatment,
		token_key: ShareToken::generate().public_key(),
	}
}

/// Patient 0 shares record 1 (custodian A) with default terms; returns the grant id.
fn patient_grant() -> GrantId {
	let patient = testing::patient(0);
	let record = record(1, &patient, HOSPITAL_A);
	assert_ok!(Shares::create_grant(origin(&patient), terms(&[record])));
	NextGrantId::<Test>::get() - 1
}

/// Patient 0's signature of `terms` with `nonce` and `deadline`: of the `<Bytes>`-wrapped
/// message, or of the bare payload when `wrap` is false.
fn consent_signature(
	terms: &GrantTermsOf<Test>,
	nonce: u64,
	deadline: u64,
	wrap: bool,
) -> MultiSignature {
	let payload = grant_consent_payload(
		&medchain_pallet_support::chain::genesis_hash_bytes::<Test>(),
		&testing::patient(0),
		terms,
		nonce,
		&deadline,
	);
	let message = if wrap { wrap_in_bytes_tags(&payload) } else { payload };
	testing::patient_signature(0, &message)
}

#[test]
fn a_patient_shares_chosen_records_and_notes_stay_out_by_default() {
	new_test_ext().execute_with(|| {
		let patient = testing::patient(0);
		let first = record(1, &patient, HOSPITAL_A);
		let second = record(2, &patient, HOSPITAL_B);
		let terms =
			GrantTerms { grantee: Some(HOSPITAL_B), max_uses: Some(3), ..terms(&[first, second]) };
		assert_ok!(Shares::create_grant(origin(&patient), terms.clone()));

		let grant = Grants::<Test>::get(0).expect("stored");
		assert_eq!(grant.patient, patient);
		assert_eq!(grant.terms, terms);
		assert_eq!(grant.grantor, Grantor::Patient);
		assert_eq!((grant.created_at, grant.expires_at, grant.uses), (1, 51, 0));
		assert_eq!(grant.status, GrantStatus::Active);
		assert_eq!(
			grant.terms.fields.mask_for(RecordType::LabResult),
			FieldMask::without_notes(RecordType::LabResult)
		);
		assert!(!grant.terms.fields.mask_for(RecordType::LabResult).contains(9));
		assert_eq!(PatientGrants::<Test>::get(&patient).into_inner(), vec![(0, 51)]);
		assert!(GrantPruneQueue::<Test>::contains_key(51, 0));
		assert_eq!(
			events(),
			vec![Event::GrantCreated {
				grant: 0,
				patient,
				grantor: Grantor::Patient,
				grantee: Some(HOSPITAL_B),
				expires_at: 51
			}]
		);
	});
}

#[test]
fn a_patient_shares_with_an_active_pharmacy_but_not_a_suspended_one() {
	new_test_ext().execute_with(|| {
		let patient = testing::patient(0);
		let prescription = record(1, &patient, HOSPITAL_A);
		let to_pharmacy = || GrantTerms { grantee: Some(PHARMACY_P), ..terms(&[prescription]) };
		assert_ok!(Shares::create_grant(origin(&patient), to_pharmacy()));
		assert_eq!(Grants::<Test>::get(0).and_then(|grant| grant.terms.grantee), Some(PHARMACY_P));
		testing::set_pharmacy_active(PHARMACY_P, false);
		assert_noop!(
			Shares::create_grant(origin(&patient), to_pharmacy()),
			Error::<Test>::GranteeNotActive
		);
	});
}

#[test]
fn a_grant_is_refused_for_a_bad_scope_with_the_reason() {
	new_test_ext().execute_with(|| {
		let patient = testing::patient(0);
		let own = record(1, &patient, HOSPITAL_A);
		let others = record(2, &testing::patient(1), HOSPITAL_A);
		let erased = record(3, &patient, HOSPITAL_A);
		testing::set_record_status(
			erased,
			RecordStatus::Erased { at: 1, time: 0, by: patient.clone() },
		);
		let amended = record(4, &patient, HOSPITAL_A);
		testing::set_record_status(amended, RecordStatus::Amended { by: own });
		let refused = |terms: GrantTermsOf<Test>, error: Error<Test>| {
			assert_noop!(Shares::create_grant(origin(&patient), terms), error);
		};

		refused(terms(&[]), Error::NoRecords);
		refused(terms(&[own, own]), Error::DuplicateRecord);
		refused(terms(&[own, record_id(99)]), Error::RecordNotFound);
		refused(terms(&[own, others]), Error::NotPatientsRecord);
		refused(terms(&[erased]), Error::RecordNotActive);
		refused(terms(&[amended]), Error::RecordNotActive);
		let beyond_type = FieldSelection::Only(FieldMask::only(10));
		refused(
			GrantTerms { fields: beyond_type, ..terms(&[own]) },
			Error::FieldsOutsideRecordType,
		);
		let empty = FieldSelection::Only(FieldMask::default());
		refused(GrantTerms { fields: empty, ..terms(&[own]) }, Error::FieldsOutsideRecordType);
		refused(
			GrantTerms { duration: MIN_DURATION - 1, ..terms(&[own]) },
			Error::DurationOutOfRange,
		);
		refused(
			GrantTerms { duration: MAX_DURATION + 1, ..terms(&[own]) },
			Error::DurationOutOfRange,
		);
		refused(GrantTerms { grantee: Some(HOSPITAL_C), ..terms(&[own]) }, Error::GranteeNotActive);
		refused(GrantTerms { grantee: Some(7), ..terms(&[own]) }, Error::GranteeNotActive);
		refused(GrantTerms { max_uses: Some(0), ..terms(&[own]) }, Error::ZeroMaxUses);

		for signer in [testing::stranger(), testing::operator(HOSPITAL_A), testing::patient(2)] {
			assert_noop!(
				Shares::create_grant(origin(&signer), terms(&[own])),
				Error::<Test>::NotRegisteredPatient
			);
		}
		for duration in [MIN_DURATION, MAX_DURATION] {
			assert_ok!(Shares::create_grant(
				origin(&patient),
				GrantTerms { duration, ..terms(&[own]) }
			));
		}
	});
}

#[test]
fn a_custodian_submits_the_patients_consent_signed_wrapped_in_bytes_tags_never_raw() {
	new_test_ext().execute_with(|| {
		let patient = testing::patient(0);
		let operator = testing::operator(HOSPITAL_A);
		let record = record(1, &patient, HOSPITAL_A);
		let terms = terms(&[record]);

		// The bare payload: the same key signs extrinsics, so only wrapped messages count.
		let raw = consent_signature(&terms, 0, 10, false);
		assert_noop!(
			Shares::create_grant_for(origin(&operator), patient.clone(), terms.clone(), 0, 10, raw),
			Error::<Test>::BadPatientSignature
		);

		let wrapped = consent_signature(&terms, 0, 10, true);
		assert_ok!(Shares::create_grant_for(
			origin(&operator),
			patient.clone(),
			terms.clone(),
			0,
			10,
			wrapped
		));
		let grant = Grants::<Test>::get(0).expect("stored");
		assert_eq!((grant.grantor, grant.terms), (Grantor::Custodian(HOSPITAL_A), terms));
		assert_eq!(ConsentNonce::<Test>::get(&patient), 1);
		assert!(events().contains(&Event::GrantCreated {
			grant: 0,
			patient,
			grantor: Grantor::Custodian(HOSPITAL_A),
			grantee: None,
			expires_at: 51
		}));
	});
}

#[test]
fn a_signed_consent_is_refused_when_forged_late_replayed_or_not_the_custodians() {
	new_test_ext().execute_with(|| {
		let patient = testing::patient(0);
		let operator = testing::operator(HOSPITAL_A);
		let own = record(1, &patient, HOSPITAL_A);
		let at_b = record(2, &patient, HOSPITAL_B);
		let terms = terms(&[own]);
		let submit = |terms: &GrantTermsOf<Test>, nonce, deadline, signature, by: &AccountId32| {
			Shares::create_grant_for(
				origin(by),
				patient.clone(),
				terms.clone(),
				nonce,
				deadline,
				signature,
			)
		};

		// Signed by another patient, or for other terms.
		let payload = grant_consent_payload(
			&medchain_pallet_support::chain::genesis_hash_bytes::<Test>(),
			&patient,
			&terms,
			0,
			&10u64,
		);
		let by_other = testing::patient_signature(1, &payload);
		assert_noop!(
			submit(&terms, 0, 10, by_other, &operator),
			Error::<Test>::BadPatientSignature
		);
		let signature = consent_signature(&terms, 0, 10, true);
		let longer = GrantTerms { duration: 60, ..terms.clone() };
		assert_noop!(
			submit(&longer, 0, 10, signature.clone(), &operator),
			Error::<Test>::BadPatientSignature
		);
		assert_noop!(
			submit(&terms, 0, 11, signature.clone(), &operator),
			Error::<Test>::BadPatientSignature
		);
		// A nonce ahead of the patient's.
		let ahead = consent_signature(&terms, 1, 10, true);
		assert_noop!(submit(&terms, 1, 10, ahead, &operator), Error::<Test>::ConsentNonceAhead);
		// Not a hospital operator; not the custodian of every record.
		assert_noop!(
			submit(&terms, 0, 10, signature.clone(), &testing::admin(HOSPITAL_A)),
			Error::<Test>::NotHospitalOperator
		);
		let both =
			GrantTerms { records: BoundedVec::truncate_from(vec![own, at_b]), ..terms.clone() };
		let both_signature = consent_signature(&both, 0, 10, true);
		assert_noop!(submit(&both, 0, 10, both_signature, &operator), Error::<Test>::NotCustodian);

		// Used once, revoked, then replayed.
		assert_ok!(submit(&terms, 0, 10, signature.clone(), &operator));
		assert_ok!(Shares::revoke(origin(&patient), 0));
		assert_noop!(
			submit(&terms, 0, 10, signature.clone(), &operator),
			Error::<Test>::ConsentNonceUsed
		);

		// Past its deadline.
		run_to_block(11);
		let late = consent_signature(&terms, 1, 10, true);
		assert_noop!(submit(&terms, 1, 10, late, &operator), Error::<Test>::ConsentExpired);
	});
}

#[test]
fn the_patient_or_the_granting_custodian_revokes_once() {
	new_test_ext().execute_with(|| {
		let patient = testing::patient(0);
		let by_patient = patient_grant();
		for who in [testing::operator(HOSPITAL_A), testing::patient(1), testing::stranger()] {
			assert_noop!(
				Shares::revoke(origin(&who), by_patient),
				Error::<Test>::NotGrantorOrPatient
			);
		}
		assert_ok!(Shares::revoke(origin(&patient), by_patient));
		assert_eq!(
			Grants::<Test>::get(by_patient).map(|grant| grant.status),
			Some(GrantStatus::Revoked { at: 1, by: patient.clone() })
		);
		assert!(events().contains(&Event::GrantRevoked { grant: by_patient, by: patient.clone() }));
		assert_noop!(Shares::revoke(origin(&patient), by_patient), Error::<Test>::AlreadyRevoked);
		assert_noop!(Shares::revoke(origin(&patient), 42), Error::<Test>::GrantNotFound);

		let terms = terms(&[record_id(1)]);
		let signature = consent_signature(&terms, 0, 10, true);
		let operator = testing::operator(HOSPITAL_A);
		assert_ok!(Shares::create_grant_for(origin(&operator), patient, terms, 0, 10, signature));
		let by_custodian = by_patient + 1;
		assert_noop!(
			Shares::revoke(origin(&testing::operator(HOSPITAL_B)), by_custodian),
			Error::<Test>::NotGrantorOrPatient
		);
		assert_ok!(Shares::revoke(origin(&operator), by_custodian));
		assert!(events().contains(&Event::GrantRevoked { grant: by_custodian, by: operator }));
	});
}

#[test]
fn check_use_answers_what_an_access_would_meet_and_spends_nothing() {
	new_test_ext().execute_with(|| {
		let patient = testing::patient(0);
		let record = record(1, &patient, HOSPITAL_A);
		let mut terms = terms(&[record]);
		terms.grantee = Some(HOSPITAL_B);
		terms.max_uses = Some(1);
		assert_ok!(Shares::create_grant(origin(&patient), terms));
		let grant = NextGrantId::<Test>::get() - 1;
		let check =
			|grant, record, accessor, purpose| Shares::check_use(grant, &record, accessor, purpose);
		let treatment = PurposeOfUse::Treatment;
		assert_eq!(check(grant, record, HOSPITAL_B, treatment), Ok(()));
		assert_eq!(
			check(grant + 1, record, HOSPITAL_B, treatment),
			Err(GrantRefusal::GrantNotFound)
		);
		assert_eq!(check(grant, record, HOSPITAL_C, treatment), Err(GrantRefusal::WrongGrantee));
		assert_eq!(
			check(grant, record_id(9), HOSPITAL_B, treatment),
			Err(GrantRefusal::RecordNotInGrant)
		);
		assert_eq!(
			check(grant, record, HOSPITAL_B, PurposeOfUse::EmergencyTreatment),
			Err(GrantRefusal::PurposeMismatch)
		);
		assert_eq!(Grants::<Test>::get(grant).map(|grant| grant.uses), Some(0), "no use spent");

		Grants::<Test>::mutate(grant, |grant| grant.as_mut().map(|grant| grant.uses = 1));
		assert_eq!(check(grant, record, HOSPITAL_B, treatment), Err(GrantRefusal::UsesExhausted));
		Grants::<Test>::mutate(grant, |grant| grant.as_mut().map(|grant| grant.uses = 0));
		// Expires at 51; pruned in block 51's on_initialize, which this jump skips.
		System::set_block_number(51);
		assert_eq!(check(grant, record, HOSPITAL_B, treatment), Err(GrantRefusal::GrantExpired));
		System::set_block_number(1);
		assert_ok!(Shares::revoke(origin(&patient), grant));
		assert_eq!(check(grant, record, HOSPITAL_B, treatment), Err(GrantRefusal::GrantRevoked));
	});
}

#[test]
fn an_expired_grant_cannot_be_revoked() {
	new_test_ext().execute_with(|| {
		let grant = patient_grant();
		// Expires at 51; pruned in block 51's on_initialize.
		System::set_block_number(51);
		assert_noop!(
			Shares::revoke(origin(&testing::patient(0)), grant),
			Error::<Test>::GrantExpired
		);
	});
}

#[test]
fn a_hospital_asks_and_the_patient_approves_with_a_token_key() {
	new_test_ext().execute_with(|| {
		let patient = testing::patient(0);
		let record = record(1, &patient, HOSPITAL_A);
		let fields = FieldSelection::Only(FieldMask::only(0).with(2));
		assert_ok!(Shares::request_consent(
			origin(&testing::operator(HOSPITAL_B)),
			patient.clone(),
			BoundedVec::truncate_from(vec![record]),
			fields,
			30,
			PurposeOfUse::CoordinationOfCare
		));
		assert!(PatientConsentRequests::<Test>::contains_key(&patient, 0));
		assert_eq!(RequesterPending::<Test>::get(&patient, HOSPITAL_B).len(), 1);

		let token = ShareToken::generate();
		assert_ok!(Shares::approve_consent(origin(&patient), 0, token.public_key(), Some(2)));
		let grant = Grants::<Test>::get(0).expect("created");
		assert_eq!(grant.grantor, Grantor::ConsentRequest { request: 0, requester: HOSPITAL_B });
		assert_eq!(grant.terms.grantee, Some(HOSPITAL_B));
		assert_eq!(grant.terms.fields, fields);
		assert_eq!(grant.terms.token_key, token.public_key());
		assert_eq!((grant.terms.max_uses, grant.expires_at), (Some(2), 31));
		assert_eq!(grant.terms.purpose, PurposeOfUse::CoordinationOfCare);
		assert!(!ConsentRequests::<Test>::contains_key(0));
		assert!(!RequesterPending::<Test>::contains_key(&patient, HOSPITAL_B));
		assert_eq!(RequestsExpiringAt::<Test>::iter().count(), 0);
		assert_eq!(
			events(),
			vec![
				Event::ConsentRequested {
					request: 0,
					patient: patient.clone(),
					requester: HOSPITAL_B,
					expires_at: 1 + REQUEST_LIFETIME
				},
				Event::GrantCreated {
					grant: 0,
					patient: patient.clone(),
					grantor: Grantor::ConsentRequest { request: 0, requester: HOSPITAL_B },
					grantee: Some(HOSPITAL_B),
					expires_at: 31
				},
				Event::ConsentApproved { request: 0, grant: 0 },
			]
		);
		assert_noop!(
			Shares::approve_consent(origin(&patient), 0, token.public_key(), None),
			Error::<Test>::ConsentRequestNotFound
		);
	});
}

#[test]
fn consent_requests_are_checked_limited_denied_and_expire() {
	new_test_ext().execute_with(|| {
		let patient = testing::patient(0);
		let operator = testing::operator(HOSPITAL_B);
		let records = BoundedVec::truncate_from(vec![record(1, &patient, HOSPITAL_A)]);
		let ask = |who: &AccountId32, patient: &AccountId32, duration| {
			Shares::request_consent(
				origin(who),
				patient.clone(),
				records.clone(),
				FieldSelection::AllButNotes,
				duration,
				PurposeOfUse::Treatment,
			)
		};
		assert_noop!(
			ask(&testing::admin(HOSPITAL_B), &patient, 30),
			Error::<Test>::NotHospitalOperator
		);
		assert_noop!(ask(&operator, &testing::patient(2), 30), Error::<Test>::NotRegisteredPatient);
		assert_noop!(ask(&operator, &testing::patient(1), 30), Error::<Test>::NotPatientsRecord);
		assert_noop!(ask(&operator, &patient, MAX_DURATION + 1), Error::<Test>::DurationOutOfRange);
		for _ in 0..MAX_PENDING {
			assert_ok!(ask(&operator, &patient, 30));
		}
		assert_noop!(ask(&operator, &patient, 30), Error::<Test>::TooManyRequestsFromHospital);
		// B's requests fill only B's slots: A still reaches the patient.
		assert_ok!(ask(&testing::operator(HOSPITAL_A), &patient, 30));

		let key = ShareToken::generate().public_key();
		assert_noop!(
			Shares::approve_consent(origin(&testing::patient(1)), 0, key, None),
			Error::<Test>::ConsentRequestNotFound
		);
		assert_ok!(Shares::deny_consent(origin(&patient), 0));
		assert!(events().contains(&Event::ConsentDenied {
			request: 0,
			patient: patient.clone(),
			requester: HOSPITAL_B
		}));
		assert_noop!(
			Shares::deny_consent(origin(&patient), 0),
			Error::<Test>::ConsentRequestNotFound
		);

		// Requests 1 (B) and 2 (A) expire unanswered and are pruned in their expiry block.
		System::reset_events();
		run_to_block(1 + REQUEST_LIFETIME);
		let pruned: Vec<_> = events()
			.into_iter()
			.filter(|event| matches!(event, Event::ConsentRequestPruned { .. }))
			.collect();
		assert_eq!(pruned.len(), 2);
		assert_noop!(
			Shares::approve_consent(origin(&patient), 1, key, None),
			Error::<Test>::ConsentRequestNotFound
		);
		assert_eq!(Shares::pending_consent_requests(&patient, None, 10), vec![]);
		assert_eq!(RequesterPending::<Test>::iter().count(), 0);
		assert_eq!(ConsentRequests::<Test>::iter().count(), 0);
		assert_eq!(NextGrantId::<Test>::get(), 0);
		// B's slots are free again.
		assert_ok!(ask(&operator, &patient, 30));
	});
}

#[test]
fn an_expired_request_stops_counting_before_pruning_reaches_it() {
	new_test_ext().execute_with(|| {
		let patient = testing::patient(0);
		let operator = testing::operator(HOSPITAL_B);
		let records = BoundedVec::truncate_from(vec![record(1, &patient, HOSPITAL_A)]);
		let ask = || {
			Shares::request_consent(
				origin(&operator),
				patient.clone(),
				records.clone(),
				FieldSelection::AllButNotes,
				30,
				PurposeOfUse::Treatment,
			)
		};
		for _ in 0..MAX_PENDING {
			assert_ok!(ask());
		}
		assert_noop!(ask(), Error::<Test>::TooManyRequestsFromHospital);
		// Pruning lags (block 21's `on_initialize` does not run): at their expiry block the
		// requests stop counting all the same.
		run_to_block(REQUEST_LIFETIME);
		System::set_block_number(1 + REQUEST_LIFETIME);
		assert_ok!(ask());
		assert_eq!(RequesterPending::<Test>::get(&patient, HOSPITAL_B).len(), 1);
		// A chain whose pruning lags is a healthy chain.
		assert_ok!(Shares::do_try_state());
		// Pruning later removes the old two without touching the new one.
		run_to_block(2 + REQUEST_LIFETIME);
		assert_eq!(ConsentRequests::<Test>::iter().count(), 1);
		assert!(ConsentRequests::<Test>::contains_key(2));
	});
}

#[test]
fn a_patient_holds_at_most_the_grant_cap_and_pruning_frees_room() {
	new_test_ext().execute_with(|| {
		let patient = testing::patient(0);
		let own = record(1, &patient, HOSPITAL_A);
		let other = record(2, &testing::patient(1), HOSPITAL_A);
		let grant = |duration| {
			Shares::create_grant(origin(&patient), GrantTerms { duration, ..terms(&[own]) })
		};
		for n in 0..MAX_GRANTS_PER_PATIENT {
			// One grant per block keeps clear of the per-block rate.
			run_to_block(1 + u64::from(n));
			assert_ok!(grant(if n == 0 { MIN_DURATION } else { MAX_DURATION }));
		}
		assert_eq!(PatientGrants::<Test>::get(&patient).len(), MAX_GRANTS_PER_PATIENT as usize);
		assert_noop!(grant(MAX_DURATION), Error::<Test>::TooManyGrants);
		// Revoking does not free room (the grant stays until it expires); expiry does.
		assert_ok!(Shares::revoke(origin(&patient), 1));
		assert_noop!(grant(MAX_DURATION), Error::<Test>::TooManyGrants);
		run_to_block(1 + MIN_DURATION);
		assert_eq!(PatientGrants::<Test>::get(&patient).len(), MAX_GRANTS_PER_PATIENT as usize - 1);
		assert_ok!(grant(MAX_DURATION));
		// Another patient has their own cap.
		assert_ok!(Shares::create_grant(origin(&testing::patient(1)), terms(&[other])));
	});
}

#[test]
fn a_hospital_and_its_patients_create_at_most_the_share_rate_per_block() {
	new_test_ext().execute_with(|| {
		// Patients 0 and 1 are both registered by A: their grants share A's rate.
		let first = record(1, &testing::patient(0), HOSPITAL_A);
		let second = record(2, &testing::patient(1), HOSPITAL_A);
		for n in 0..MAX_NEW_SHARES {
			let (patient, record) = if n % 2 == 0 {
				(testing::patient(0), first)
			} else {
				(testing::patient(1), second)
			};
			assert_ok!(Shares::create_grant(origin(&patient), terms(&[record])));
		}
		assert_noop!(
			Shares::create_grant(origin(&testing::patient(1)), terms(&[second])),
			Error::<Test>::HospitalShareRateReached
		);
		// A's operator asking for consent counts against A too; B has its own rate.
		let ask = |operator| {
			Shares::request_consent(
				origin(&testing::operator(operator)),
				testing::patient(0),
				BoundedVec::truncate_from(vec![first]),
				FieldSelection::AllButNotes,
				30,
				PurposeOfUse::Treatment,
			)
		};
		assert_noop!(ask(HOSPITAL_A), Error::<Test>::HospitalShareRateReached);
		assert_ok!(ask(HOSPITAL_B));
		run_to_block(2);
		assert_ok!(Shares::create_grant(origin(&testing::patient(1)), terms(&[second])));
	});
}

#[test]
fn a_patient_withdraws_consents_signed_but_not_yet_submitted() {
	new_test_ext().execute_with(|| {
		let patient = testing::patient(0);
		let record = record(1, &patient, HOSPITAL_A);
		let terms = terms(&[record]);
		let signature = consent_signature(&terms, 0, 10, true);
		assert_noop!(
			Shares::withdraw_consents(origin(&patient), 0),
			Error::<Test>::BadNonceWithdrawal
		);
		assert_noop!(
			Shares::withdraw_consents(origin(&patient), MAX_NONCE_WITHDRAWAL + 1),
			Error::<Test>::BadNonceWithdrawal
		);
		assert_ok!(Shares::withdraw_consents(origin(&patient), 1));
		System::assert_last_event(
			Event::ConsentsWithdrawn { patient: patient.clone(), next_nonce: 1 }.into(),
		);
		assert_noop!(
			Shares::create_grant_for(
				origin(&testing::operator(HOSPITAL_A)),
				patient,
				terms,
				0,
				10,
				signature
			),
			Error::<Test>::ConsentNonceUsed
		);
	});
}

#[test]
fn a_consent_deadline_is_at_most_the_validity_bound_ahead() {
	new_test_ext().execute_with(|| {
		let patient = testing::patient(0);
		let terms = terms(&[record(1, &patient, HOSPITAL_A)]);
		let submit = |deadline| {
			Shares::create_grant_for(
				origin(&testing::operator(HOSPITAL_A)),
				patient.clone(),
				terms.clone(),
				0,
				deadline,
				consent_signature(&terms, 0, deadline, true),
			)
		};
		assert_noop!(submit(1 + MAX_CONSENT_VALIDITY + 1), Error::<Test>::ConsentDeadlineTooFar);
		assert_noop!(submit(u64::MAX), Error::<Test>::ConsentDeadlineTooFar);
		assert_ok!(submit(1 + MAX_CONSENT_VALIDITY));
	});
}

#[test]
fn grant_and_request_pages_are_ascending_and_bounded() {
	new_test_ext().execute_with(|| {
		let patient = testing::patient(0);
		let record = record(1, &patient, HOSPITAL_A);
		for n in 0..MAX_GRANTS_PER_PATIENT {
			run_to_block(1 + u64::from(n));
			assert_ok!(Shares::create_grant(origin(&patient), terms(&[record])));
		}
		let all: Vec<GrantId> = (0..u64::from(MAX_GRANTS_PER_PATIENT)).collect();
		let first = Shares::grants_of_patient(&patient, None, 100);
		assert_eq!(first, all[..MAX_PAGE as usize]);
		let rest = Shares::grants_of_patient(&patient, first.last().copied(), 100);
		assert_eq!(rest, all[MAX_PAGE as usize..]);
		assert_eq!(Shares::grants_of_patient(&patient, Some(1), 2), vec![2, 3]);
		assert_eq!(Shares::pending_consent_requests(&patient, None, 10), vec![]);
	});
}

#[test]
fn the_patients_of_a_suspended_hospital_can_no_longer_share() {
	new_test_ext().execute_with(|| {
		// Patient 3 was registered by the suspended hospital C.
		let patient = testing::patient(testing::PATIENT_OF_C);
		let own = record(1, &patient, HOSPITAL_A);
		assert_noop!(
			Shares::create_grant(origin(&patient), terms(&[own])),
			Error::<Test>::NotRegisteredPatient
		);
		testing::set_active(HOSPITAL_C, true);
		assert_ok!(Shares::create_grant(origin(&patient), terms(&[own])));
		// Suspending the registering hospital again stops the patient at once.
		testing::set_active(HOSPITAL_C, false);
		assert_noop!(
			Shares::create_grant(origin(&patient), terms(&[own])),
			Error::<Test>::NotRegisteredPatient
		);
	});
}

#[test]
fn expired_grants_are_pruned_a_bounded_number_per_block() {
	new_test_ext().execute_with(|| {
		let patient = testing::patient(0);
		let record = record(1, &patient, HOSPITAL_A);
		// Five grants expire in block 11, one in block 12.
		for _ in 0..5 {
			assert_ok!(Shares::create_grant(
				origin(&patient),
				GrantTerms { duration: 10, ..terms(&[record]) }
			));
		}
		run_to_block(2);
		assert_ok!(Shares::create_grant(
			origin(&patient),
			GrantTerms { duration: 10, ..terms(&[record]) }
		));
		assert_ok!(Shares::revoke(origin(&patient), 1));

		let pruned_in = |block: u64| {
			System::reset_events();
			run_to_block(block);
			events()
				.into_iter()
				.filter_map(|event| match event {
					Event::GrantPruned { grant } => Some(grant),
					_ => None,
				})
				.collect::<Vec<_>>()
		};
		assert_eq!(pruned_in(10), Vec::<GrantId>::new());
		assert_eq!(<MaxPrunedPerBlock as Get<u32>>::get(), 2);
		// Two per block, oldest expiry first: the grant expiring in block 12 goes with the last
		// of block 11's five. Within one expiry block the order is the storage order.
		let mut by_block: Vec<Vec<GrantId>> = (11..=14).map(pruned_in).collect();
		assert_eq!(by_block.iter().map(Vec::len).collect::<Vec<_>>(), vec![2, 2, 2, 0]);
		assert_eq!(by_block[2].last(), Some(&5));
		let mut all: Vec<GrantId> = by_block.drain(..).flatten().collect();
		all.sort();
		assert_eq!(all, vec![0, 1, 2, 3, 4, 5]);
		assert_eq!(pruned_in(20), Vec::<GrantId>::new());
		assert_eq!(Grants::<Test>::iter().count(), 0);
		assert_eq!(PatientGrants::<Test>::iter().count(), 0);
		assert_eq!(GrantPruneQueue::<Test>::iter().count(), 0);
		assert_eq!(PruneCursor::<Test>::get(), 21);
	});
}

#[test]
fn an_expired_grant_stops_counting_against_the_cap_before_pruning_reaches_it() {
	new_test_ext().execute_with(|| {
		let patient = testing::patient(0);
		let own = record(1, &patient, HOSPITAL_A);
		let grant = || {
			Shares::create_grant(
				origin(&patient),
				GrantTerms { duration: MIN_DURATION, ..terms(&[own]) },
			)
		};
		for n in 0..MAX_GRANTS_PER_PATIENT {
			run_to_block(1 + u64::from(n));
			assert_ok!(grant());
		}
		assert_noop!(grant(), Error::<Test>::TooManyGrants);
		// Every grant has expired, but `on_initialize` has not run since (pruning lags).
		System::set_block_number(100);
		assert_eq!(Grants::<Test>::iter().count(), MAX_GRANTS_PER_PATIENT as usize);
		assert_ok!(grant());
		assert_eq!(PatientGrants::<Test>::get(&patient).len(), 1);
		assert_eq!(
			Shares::grants_of_patient(&patient, None, 10),
			vec![u64::from(MAX_GRANTS_PER_PATIENT)]
		);
	});
}

#[test]
fn try_state_catches_a_grant_missing_from_the_expiry_queue() {
	new_test_ext().execute_with(|| {
		let grant = patient_grant();
		assert_ok!(Shares::do_try_state());
		let expires_at = Grants::<Test>::get(grant).expect("created").expires_at;
		GrantPruneQueue::<Test>::remove(expires_at, grant);
		assert!(Shares::do_try_state().is_err());
		GrantPruneQueue::<Test>::insert(expires_at, grant, ());
	});
}

#[test]
fn a_token_key_opens_one_grant_until_that_grant_is_pruned() {
	new_test_ext().execute_with(|| {
		let patient = testing::patient(0);
		let own = record(1, &patient, HOSPITAL_A);
		let shared = terms(&[own]);
		assert_ok!(Shares::create_grant(origin(&patient), shared.clone()));
		let grant = NextGrantId::<Test>::get() - 1;
		assert_eq!(Shares::grant_by_token(&shared.token_key), Some(grant));
		assert_eq!(Shares::grant_by_token(&terms(&[own]).token_key), None);

		// Neither the patient nor a consent approval can give the same key a second grant.
		assert_noop!(
			Shares::create_grant(origin(&patient), shared.clone()),
			Error::<Test>::TokenKeyInUse
		);
		assert_ok!(Shares::request_consent(
			origin(&testing::operator(HOSPITAL_B)),
			patient.clone(),
			BoundedVec::truncate_from(vec![own]),
			FieldSelection::default(),
			30,
			PurposeOfUse::Treatment
		));
		assert_noop!(
			Shares::approve_consent(origin(&patient), 0, shared.token_key, None),
			Error::<Test>::TokenKeyInUse
		);

		// A revoked grant keeps its key, so a node can tell the holder it was revoked.
		assert_ok!(Shares::revoke(origin(&patient), grant));
		assert_eq!(Shares::grant_by_token(&shared.token_key), Some(grant));

		run_to_block(1 + shared.duration);
		assert!(events().contains(&Event::GrantPruned { grant }));
		assert_eq!(Shares::grant_by_token(&shared.token_key), None);
		assert!(GrantByToken::<Test>::iter().all(|(_, id)| id != grant));
	});
}

#[test]
fn an_expired_grant_keeps_its_token_key_for_the_retention_period() {
	new_test_ext().execute_with(|| {
		GrantRetention::set(20);
		let patient = testing::patient(0);
		let own = record(1, &patient, HOSPITAL_A);
		let shared = terms(&[own]);
		assert_ok!(Shares::create_grant(origin(&patient), shared.clone()));
		let grant = NextGrantId::<Test>::get() - 1;
		let expires_at = 1 + shared.duration;
		assert!(GrantPruneQueue::<Test>::contains_key(expires_at + 20, grant));

		// Expired: refused as expired, and its token still finds it.
		run_to_block(expires_at);
		assert_noop!(Shares::revoke(origin(&patient), grant), Error::<Test>::GrantExpired);
		assert_eq!(Shares::grant_by_token(&shared.token_key), Some(grant));
		assert!(!events().contains(&Event::GrantPruned { grant }));

		run_to_block(expires_at + 20);
		assert!(events().contains(&Event::GrantPruned { grant }));
		assert_eq!(Shares::grant_by_token(&shared.token_key), None);
		assert_eq!(Shares::grant(grant), None);
	});
}
