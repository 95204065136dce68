//! Transactions through the runtime's real `TxExtension`: who may sign what. Refusals are
//! checked twice: at the pool (`validate_transaction`) and in a block
//! (`Executive::apply_extrinsic`), where a refused extrinsic is not included at all.

use frame_support::pallet_prelude::TransactionSource;
use medchain_runtime::{
	genesis_config_presets::{DEVELOPMENT_PRESET, LOCAL_TESTNET_PRESET},
	Executive, Header, Runtime, RuntimeCall, System, UncheckedExtrinsic,
};
use pallet_hospitals::permission::invalidity;
use sp_keyring::Sr25519Keyring;
use sp_runtime::{
	traits::Header as _,
	transaction_validity::{InvalidTransaction, TransactionValidity, TransactionValidityError},
};

use super::{genesis_of, signed, start_block};

/// Validates as the pool does: on top of the current state, keeping none of its changes.
fn validate(signer: Sr25519Keyring, call: RuntimeCall) -> TransactionValidity {
	let parent = System::block_hash(System::block_number());
	sp_io::storage::start_transaction();
	let validity =
		Executive::validate_transaction(TransactionSource::External, signed(signer, call), parent);
	sp_io::storage::rollback_transaction();
	validity
}

fn refused(code: u8) -> TransactionValidity {
	Err(TransactionValidityError::Invalid(InvalidTransaction::Custom(code)))
}

/// Asserts that `call` signed by `signer` is refused with `code` at the pool and, in the block
/// already started, at inclusion, leaving the signer's nonce as it was.
fn refused_everywhere(signer: Sr25519Keyring, call: RuntimeCall, code: u8) {
	assert_eq!(validate(signer, call.clone()), refused(code), "pool: {call:?}");
	let nonce = System::account_nonce(signer.to_account_id());
	let error = TransactionValidityError::Invalid(InvalidTransaction::Custom(code));
	assert_eq!(Executive::apply_extrinsic(signed(signer, call.clone())), Err(error), "{call:?}");
	assert_eq!(System::account_nonce(signer.to_account_id()), nonce, "included: {call:?}");
}

fn sudo(call: RuntimeCall) -> RuntimeCall {
	RuntimeCall::Sudo(pallet_sudo::Call::sudo { call: Box::new(call) })
}

fn upgrade(code: &[u8]) -> RuntimeCall {
	RuntimeCall::System(frame_system::Call::apply_authorized_upgrade { code: code.to_vec() })
}

fn remark() -> RuntimeCall {
	RuntimeCall::System(frame_system::Call::remark { remark: b"free text".to_vec() })
}

fn register(patient: Sr25519Keyring) -> RuntimeCall {
	RuntimeCall::Hospitals(pallet_hospitals::Call::register_patient {
		patient: patient.to_account_id(),
	})
}

#[test]
fn only_the_sudo_key_signs_sudo_on_the_development_chain() {
	genesis_of(DEVELOPMENT_PRESET).execute_with(|| {
		assert!(validate(Sr25519Keyring::Alice, sudo(remark())).is_ok());
		start_block(1);
		// Hospital A's operator is a member but holds no sudo key.
		let heavy = RuntimeCall::Sudo(pallet_sudo::Call::sudo_unchecked_weight {
			call: Box::new(remark()),
			weight: frame_support::weights::Weight::MAX,
		});
		for call in [sudo(remark()), heavy] {
			refused_everywhere(Sr25519Keyring::AliceStash, call, invalidity::CALL_NOT_PERMITTED);
		}
	});
}

#[test]
fn sudo_is_refused_at_the_pool_and_in_a_block_on_a_chain_without_a_sudo_key() {
	genesis_of(LOCAL_TESTNET_PRESET).execute_with(|| {
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), None);
		start_block(1);
		let heavy = RuntimeCall::Sudo(pallet_sudo::Call::sudo_unchecked_weight {
			call: Box::new(remark()),
			weight: frame_support::weights::Weight::MAX,
		});
		for admin in [Sr25519Keyring::Alice, Sr25519Keyring::Bob] {
			for call in [sudo(remark()), heavy.clone()] {
				refused_everywhere(admin, call, invalidity::CALL_NOT_PERMITTED);
			}
		}
	});
}

#[test]
fn an_upgrade_nobody_authorized_is_refused_and_only_the_authorized_code_passes() {
	use sp_runtime::traits::Hash as _;
	genesis_of(LOCAL_TESTNET_PRESET).execute_with(|| {
		start_block(1);
		// No upgrade is authorized: a stolen operator key can't fill blocks with 5 MiB calls.
		let code = b"\0asm new medchain runtime".to_vec();
		for hospital_account in [Sr25519Keyring::AliceStash, Sr25519Keyring::Alice] {
			refused_everywhere(hospital_account, upgrade(&code), invalidity::CALL_NOT_PERMITTED);
		}
		let code_hash = <Runtime as frame_system::Config>::Hashing::hash(&code);
		let proposal =
			pallet_hospitals::Proposal::UpgradeRuntime { code_hash, check_version: false };
		let propose = RuntimeCall::Hospitals(pallet_hospitals::Call::propose { proposal });
		assert_eq!(Executive::apply_extrinsic(signed(Sr25519Keyring::Alice, propose)), Ok(Ok(())));
		for admin in [Sr25519Keyring::Bob, Sr25519Keyring::Charlie] {
			let vote = RuntimeCall::Hospitals(pallet_hospitals::Call::vote { id: 0 });
			assert_eq!(Executive::apply_extrinsic(signed(admin, vote)), Ok(Ok(())));
		}
		// Authorized now, but only for exactly this code; patients may not submit it.
		let other_code = b"\0asm another runtime".to_vec();
		refused_everywhere(
			Sr25519Keyring::AliceStash,
			upgrade(&other_code),
			invalidity::CALL_NOT_PERMITTED,
		);
		assert!(validate(Sr25519Keyring::AliceStash, upgrade(&code)).is_ok());
	});
}

#[test]
fn a_general_transaction_without_a_signer_is_refused_at_the_pool_and_in_a_block() {
	genesis_of(LOCAL_TESTNET_PRESET).execute_with(|| {
		let unsigned_refusal = Err(TransactionValidityError::Invalid(InvalidTransaction::Custom(
			invalidity::UNSIGNED_NOT_PERMITTED,
		)));
		start_block(1);
		let parent = System::block_hash(0);
		for call in [register(Sr25519Keyring::Ferdie), remark(), upgrade(b"\0asm")] {
			let general = || {
				UncheckedExtrinsic::new_transaction(
					call.clone(),
					medchain_runtime::tx_extension(sp_runtime::generic::Era::Immortal, 0),
				)
			};
			sp_io::storage::start_transaction();
			let validity =
				Executive::validate_transaction(TransactionSource::External, general(), parent);
			sp_io::storage::rollback_transaction();
			assert_eq!(validity, unsigned_refusal, "pool: {call:?}");
			assert_eq!(
				Executive::apply_extrinsic(general()),
				unsigned_refusal.clone().map(|_| Ok(())),
				"block: {call:?}"
			);
		}
	});
}

#[test]
fn remark_is_refused_for_admins_and_operators() {
	genesis_of(LOCAL_TESTNET_PRESET).execute_with(|| {
		start_block(1);
		for signer in [Sr25519Keyring::Alice, Sr25519Keyring::AliceStash, Sr25519Keyring::Dave] {
			refused_everywhere(signer, remark(), invalidity::CALL_NOT_PERMITTED);
		}
	});
}

#[test]
fn an_account_outside_the_consortium_is_refused_at_the_pool_and_in_a_block() {
	genesis_of(LOCAL_TESTNET_PRESET).execute_with(|| {
		start_block(1);
		refused_everywhere(
			Sr25519Keyring::Eve,
			register(Sr25519Keyring::Ferdie),
			invalidity::NOT_A_MEMBER,
		);
	});
}

#[test]
fn an_operator_registers_a_patient_who_may_then_sign_a_patients_calls() {
	genesis_of(LOCAL_TESTNET_PRESET).execute_with(|| {
		assert_eq!(validate(Sr25519Keyring::Ferdie, remark()), refused(invalidity::NOT_A_MEMBER));
		// An admin is not an operator.
		assert_eq!(
			validate(Sr25519Keyring::Bob, register(Sr25519Keyring::Ferdie)),
			refused(invalidity::CALL_NOT_PERMITTED)
		);

		let header = Header::new(
			1,
			Default::default(),
			Default::default(),
			System::block_hash(0),
			Default::default(),
		);
		Executive::initialize_block(&header);
		let registration = signed(Sr25519Keyring::BobStash, register(Sr25519Keyring::Ferdie));
		assert_eq!(Executive::apply_extrinsic(registration), Ok(Ok(())));
		assert_eq!(
			pallet_hospitals::Patients::<Runtime>::get(Sr25519Keyring::Ferdie.to_account_id())
				.map(|p| (p.hospital, p.active)),
			Some((1, true)),
			"Hospital B (id 1) registered Ferdie"
		);

		// Ferdie is now a member, but may make only a patient's calls.
		assert_eq!(
			validate(Sr25519Keyring::Ferdie, remark()),
			refused(invalidity::CALL_NOT_PERMITTED)
		);

		// Operators anchor; admins and patients may not. Patients may erase.
		let anchor = RuntimeCall::Records(pallet_records::Call::anchor {
			request_id: [1; 32],
			patient: Sr25519Keyring::Ferdie.to_account_id(),
			record_type: medchain_primitives::RecordType::Diagnosis,
			field_root: [2; 32],
			ciphertext_digest: [3; 32],
		});
		assert!(validate(Sr25519Keyring::BobStash, anchor.clone()).is_ok());
		for signer in [Sr25519Keyring::Bob, Sr25519Keyring::Ferdie] {
			assert_eq!(validate(signer, anchor.clone()), refused(invalidity::CALL_NOT_PERMITTED));
		}
		let erase = RuntimeCall::Records(pallet_records::Call::erase { record_id: [9; 32] });
		assert!(validate(Sr25519Keyring::Ferdie, erase).is_ok());
	});
}

#[test]
fn patients_share_and_read_their_records_and_operators_access_under_grants() {
	use medchain_primitives::{
		access::BreakGlassReason,
		shares::{FieldSelection, GrantTerms, PurposeOfUse, TokenKey},
	};
	use pallet_access_log::Call as AccessCall;
	use pallet_shares::Call as SharesCall;

	genesis_of(LOCAL_TESTNET_PRESET).execute_with(|| {
		let patient = Sr25519Keyring::Ferdie;
		assert!(pallet_hospitals::Pallet::<Runtime>::register_patient(
			medchain_runtime::RuntimeOrigin::signed(Sr25519Keyring::AliceStash.to_account_id()),
			patient.to_account_id()
		)
		.is_ok());
		let terms = GrantTerms {
			records: Default::default(),
			fields: FieldSelection::AllButNotes,
			grantee: None,
			duration: 100,
			max_uses: None,
			purpose: PurposeOfUse::Treatment,
			token_key: TokenKey::from_raw([1; 32]),
		};
		let record = [1; 32];
		let patients_calls = [
			RuntimeCall::Shares(SharesCall::create_grant { terms: terms.clone() }),
			RuntimeCall::Shares(SharesCall::approve_consent {
				request: 0,
				token_key: TokenKey::from_raw([1; 32]),
				max_uses: None,
			}),
			RuntimeCall::Shares(SharesCall::deny_consent { request: 0 }),
			RuntimeCall::Shares(SharesCall::withdraw_consents { next_nonce: 1 }),
			RuntimeCall::AccessLog(AccessCall::patient_access { record }),
		];
		let operators_calls = [
			RuntimeCall::Shares(SharesCall::create_grant_for {
				patient: patient.to_account_id(),
				terms: terms.clone(),
				nonce: 0,
				deadline: 10,
				signature: patient.sign(b"consent").into(),
			}),
			RuntimeCall::Shares(SharesCall::request_consent {
				patient: patient.to_account_id(),
				records: Default::default(),
				fields: FieldSelection::AllButNotes,
				duration: 100,
				purpose: PurposeOfUse::Treatment,
			}),
			RuntimeCall::AccessLog(AccessCall::access {
				grant: 0,
				record,
				purpose: PurposeOfUse::Treatment,
				uses: 0,
				valid_until: 10,
				signature: sp_core::ed25519::Signature::from_raw([0; 64]),
			}),
			RuntimeCall::AccessLog(AccessCall::break_glass {
				record,
				reason: BreakGlassReason::LifeThreatening,
			}),
			RuntimeCall::AccessLog(AccessCall::confirm_release {
				access: 0,
				response_hash: [0; 32],
			}),
		];
		let not_permitted = invalidity::CALL_NOT_PERMITTED;
		start_block(1);
		for call in patients_calls.iter() {
			assert!(validate(patient, call.clone()).is_ok(), "{call:?}");
			for signer in [Sr25519Keyring::AliceStash, Sr25519Keyring::Alice] {
				refused_everywhere(signer, call.clone(), not_permitted);
			}
		}
		for call in operators_calls.iter() {
			assert!(validate(Sr25519Keyring::BobStash, call.clone()).is_ok(), "{call:?}");
			for signer in [patient, Sr25519Keyring::Bob] {
				refused_everywhere(signer, call.clone(), not_permitted);
			}
		}
		// Patients and operators revoke (the pallet checks who granted); admins don't.
		let revoke = RuntimeCall::Shares(SharesCall::revoke { grant: 0 });
		assert!(validate(patient, revoke.clone()).is_ok());
		assert!(validate(Sr25519Keyring::BobStash, revoke.clone()).is_ok());
		refused_everywhere(Sr25519Keyring::Bob, revoke.clone(), not_permitted);

		// The patient of a suspended hospital (and any sybil it minted) can create nothing, but
		// may still revoke, deny and withdraw.
		pallet_hospitals::Hospitals::<Runtime>::mutate(0, |hospital| {
			if let Some(hospital) = hospital {
				hospital.status = pallet_hospitals::HospitalStatus::Suspended;
			}
		});
		for creating in [&patients_calls[0], &patients_calls[1], &patients_calls[4]] {
			refused_everywhere(patient, creating.clone(), not_permitted);
		}
		for protective in [&revoke, &patients_calls[2], &patients_calls[3]] {
			assert!(validate(patient, protective.clone()).is_ok(), "{protective:?}");
		}
	});
}

/// Pharmacy P's admin and operator: accounts outside the local consortium until admitted.
const PHARMACY_ADMIN: Sr25519Keyring = Sr25519Keyring::Eve;
const PHARMACY_OPERATOR: Sr25519Keyring = Sr25519Keyring::EveStash;

/// A value of type `V` decoded from zeros: a placeholder key or proof for a call that the pool
/// judges by its signer alone.
fn placeholder<V: codec::Decode>() -> V {
	V::decode(&mut sp_runtime::traits::TrailingZeroInput::zeroes()).expect("zeros decode")
}

/// `propose_pharmacy` for pharmacy `name` with one node, whose key (seed `node_seed`) signs
/// the admission.
fn pharmacy_admission(
	name: &str,
	admin: Sr25519Keyring,
	operator: Sr25519Keyring,
	node_seed: u8,
) -> RuntimeCall {
	use sp_core::Pair as _;
	let node_key = sp_core::ed25519::Pair::from_seed(&[node_seed; 32]);
	let peer_id = medchain_primitives::peer::peer_id_of_ed25519_key(&node_key.public());
	let node = pallet_hospitals::HospitalNode::<Runtime> {
		peer_id: peer_id.into_bytes().try_into().unwrap(),
		address: b"/dns/node.pharmacy.example/tcp/30333".to_vec().try_into().unwrap(),
	};
	let pharmacy = pallet_hospitals::NewPharmacy::<Runtime> {
		name: name.as_bytes().to_vec().try_into().unwrap(),
		admin: admin.to_account_id(),
		operator: operator.to_account_id(),
		nodes: vec![node].try_into().unwrap(),
	};
	let message = pallet_hospitals::governance::pharmacy_admission_message::<Runtime>(
		&System::block_hash(0),
		&pharmacy,
	);
	let node_proofs = vec![node_key.sign(&message)].try_into().unwrap();
	RuntimeCall::Hospitals(pallet_hospitals::Call::propose_pharmacy { pharmacy, node_proofs })
}

fn apply(signer: Sr25519Keyring, call: RuntimeCall) {
	assert_eq!(Executive::apply_extrinsic(signed(signer, call.clone())), Ok(Ok(())), "{call:?}");
}

fn vote(id: u32) -> RuntimeCall {
	RuntimeCall::Hospitals(pallet_hospitals::Call::vote { id })
}

/// Admits pharmacy P in the block already started: Hospital A proposes it, B and C approve
/// (three of the four hospitals). Returns its id.
fn admit_pharmacy() -> u32 {
	let pharmacy = pallet_hospitals::NextHospitalId::<Runtime>::get();
	let proposal = pallet_hospitals::NextProposalId::<Runtime>::get();
	let admission = pharmacy_admission("Pharmacy P", PHARMACY_ADMIN, PHARMACY_OPERATOR, 0x9f);
	apply(Sr25519Keyring::Alice, admission);
	for admin in [Sr25519Keyring::Bob, Sr25519Keyring::Charlie] {
		apply(admin, vote(proposal));
	}
	assert!(pallet_hospitals::Pharmacies::<Runtime>::get(pharmacy)
		.is_some_and(|p| p.status == pallet_hospitals::HospitalStatus::Active));
	pharmacy
}

/// An admission of Hospital E with placeholder keys and no nodes: the pool judges the signer,
/// the pallet the rest.
fn hospital_admission() -> RuntimeCall {
	let hospital = pallet_hospitals::NewHospital::<Runtime> {
		name: b"Hospital E".to_vec().try_into().unwrap(),
		admin: Sr25519Keyring::Ferdie.to_account_id(),
		operator: Sr25519Keyring::FerdieStash.to_account_id(),
		aura: placeholder(),
		grandpa: placeholder(),
		nodes: Default::default(),
	};
	RuntimeCall::Hospitals(pallet_hospitals::Call::propose_hospital {
		hospital,
		aura_proof: placeholder(),
		grandpa_proof: placeholder(),
		node_proofs: Default::default(),
	})
}

#[test]
fn a_pharmacys_admin_rotates_its_own_accounts_and_admits_members_only_where_genesis_says_so() {
	use medchain_primitives::HospitalRole;
	use pallet_hospitals::{Call as HospitalsCall, Signer};

	genesis_of(LOCAL_TESTNET_PRESET).execute_with(|| {
		start_block(1);
		// Before its admission the pharmacy's accounts are nobody's.
		assert_eq!(validate(PHARMACY_ADMIN, vote(0)), refused(invalidity::NOT_A_MEMBER));
		let pharmacy = admit_pharmacy();
		assert_eq!(
			pallet_hospitals::Pallet::<Runtime>::signer(&PHARMACY_ADMIN.to_account_id()),
			Some(Signer::Pharmacy { pharmacy, role: HospitalRole::Admin })
		);

		let admins_calls = [
			RuntimeCall::Hospitals(HospitalsCall::rotate_operator {
				new_operator: Sr25519Keyring::Ferdie.to_account_id(),
			}),
			RuntimeCall::Hospitals(HospitalsCall::rotate_nodes {
				nodes: Default::default(),
				node_proofs: Default::default(),
			}),
		];
		for call in admins_calls.iter() {
			assert!(validate(PHARMACY_ADMIN, call.clone()).is_ok(), "{call:?}");
			refused_everywhere(PHARMACY_OPERATOR, call.clone(), invalidity::CALL_NOT_PERMITTED);
		}
		// This chain's genesis does not let pharmacies vote on admissions: the pool refuses
		// their proposals and votes, so none takes operational block space only to fail.
		let admissions = [
			pharmacy_admission(
				"Pharmacy Q",
				Sr25519Keyring::Ferdie,
				Sr25519Keyring::FerdieStash,
				0x9e,
			),
			hospital_admission(),
			vote(0),
		];
		for call in admissions {
			refused_everywhere(PHARMACY_ADMIN, call, invalidity::CALL_NOT_PERMITTED);
		}
		// Where genesis lets them, the pool admits them.
		pallet_hospitals::PharmaciesVoteOnAdmissions::<Runtime>::put(true);
		assert!(validate(PHARMACY_ADMIN, hospital_admission()).is_ok());
		assert!(validate(PHARMACY_ADMIN, vote(0)).is_ok());
		pallet_hospitals::PharmaciesVoteOnAdmissions::<Runtime>::put(false);

		// Suspensions, upgrades, closing and session keys are the hospitals' governance.
		let hospital_admins_calls = [
			RuntimeCall::Hospitals(HospitalsCall::propose {
				proposal: pallet_hospitals::Proposal::Suspend { hospital: 3 },
			}),
			RuntimeCall::Hospitals(HospitalsCall::close { id: 0 }),
			RuntimeCall::Hospitals(HospitalsCall::rotate_session_keys {
				aura: placeholder(),
				grandpa: placeholder(),
				aura_proof: placeholder(),
				grandpa_proof: placeholder(),
			}),
			RuntimeCall::Records(pallet_records::Call::cancel_erasure { record_id: [9; 32] }),
		];
		for call in hospital_admins_calls {
			refused_everywhere(PHARMACY_ADMIN, call, invalidity::CALL_NOT_PERMITTED);
		}
	});
}

#[test]
fn a_pharmacys_operator_opens_shared_records_and_fills_prescriptions_only() {
	use medchain_primitives::{
		access::BreakGlassReason,
		shares::{FieldSelection, GrantTerms, PurposeOfUse, TokenKey},
	};
	use pallet_access_log::Call as AccessCall;
	use pallet_shares::Call as SharesCall;

	genesis_of(LOCAL_TESTNET_PRESET).execute_with(|| {
		start_block(1);
		admit_pharmacy();
		let record = [1; 32];
		let fill =
			RuntimeCall::Records(pallet_records::Call::fill { prescription: record, quantity: 1 });
		let access = RuntimeCall::AccessLog(AccessCall::access {
			grant: 0,
			record,
			purpose: PurposeOfUse::Treatment,
			uses: 0,
			valid_until: 10,
			signature: sp_core::ed25519::Signature::from_raw([0; 64]),
		});
		for call in [&access, &fill] {
			assert!(validate(PHARMACY_OPERATOR, call.clone()).is_ok(), "{call:?}");
			refused_everywhere(PHARMACY_ADMIN, call.clone(), invalidity::CALL_NOT_PERMITTED);
		}
		// A hospital's operator fills nothing.
		refused_everywhere(Sr25519Keyring::BobStash, fill.clone(), invalidity::CALL_NOT_PERMITTED);

		// None of a hospital's day-to-day work, nor any governance.
		let anchor = RuntimeCall::Records(pallet_records::Call::anchor {
			request_id: [1; 32],
			patient: Sr25519Keyring::Ferdie.to_account_id(),
			record_type: medchain_primitives::RecordType::Prescription,
			field_root: [2; 32],
			ciphertext_digest: [3; 32],
		});
		let break_glass = RuntimeCall::AccessLog(AccessCall::break_glass {
			record,
			reason: BreakGlassReason::LifeThreatening,
		});
		let propose = RuntimeCall::Hospitals(pallet_hospitals::Call::propose {
			proposal: pallet_hospitals::Proposal::Suspend { hospital: 3 },
		});
		let operators_refused = [
			anchor,
			break_glass,
			register(Sr25519Keyring::Ferdie),
			propose,
			vote(0),
			RuntimeCall::AccessLog(AccessCall::confirm_release {
				access: 0,
				response_hash: [0; 32],
			}),
			RuntimeCall::Hospitals(pallet_hospitals::Call::rotate_operator {
				new_operator: Sr25519Keyring::Ferdie.to_account_id(),
			}),
		];
		for call in operators_refused {
			refused_everywhere(PHARMACY_OPERATOR, call, invalidity::CALL_NOT_PERMITTED);
		}

		// Pharmacy signers are not patients: no patient's calls either.
		let terms = GrantTerms {
			records: Default::default(),
			fields: FieldSelection::AllButNotes,
			grantee: None,
			duration: 100,
			max_uses: None,
			purpose: PurposeOfUse::Treatment,
			token_key: TokenKey::from_raw([1; 32]),
		};
		let patients_calls = [
			RuntimeCall::Shares(SharesCall::create_grant { terms }),
			RuntimeCall::Shares(SharesCall::revoke { grant: 0 }),
			RuntimeCall::AccessLog(AccessCall::patient_access { record }),
			RuntimeCall::Records(pallet_records::Call::erase { record_id: record }),
		];
		for call in patients_calls {
			for signer in [PHARMACY_OPERATOR, PHARMACY_ADMIN] {
				refused_everywhere(signer, call.clone(), invalidity::CALL_NOT_PERMITTED);
			}
		}
	});
}

#[test]
fn a_suspended_pharmacy_signs_nothing() {
	genesis_of(LOCAL_TESTNET_PRESET).execute_with(|| {
		start_block(1);
		let pharmacy = admit_pharmacy();
		let suspension = pallet_hospitals::NextProposalId::<Runtime>::get();
		apply(
			Sr25519Keyring::Alice,
			RuntimeCall::Hospitals(pallet_hospitals::Call::propose {
				proposal: pallet_hospitals::Proposal::Suspend { hospital: pharmacy },
			}),
		);
		// A pharmacy is no validator: the four hospitals stay, and three of them suspend it.
		for admin in [Sr25519Keyring::Bob, Sr25519Keyring::Charlie] {
			apply(admin, vote(suspension));
		}
		assert_eq!(pallet_hospitals::Pallet::<Runtime>::active_count(), 4);
		let fill =
			RuntimeCall::Records(pallet_records::Call::fill { prescription: [1; 32], quantity: 1 });
		refused_everywhere(PHARMACY_OPERATOR, fill, invalidity::NOT_A_MEMBER);
		refused_everywhere(PHARMACY_ADMIN, vote(0), invalidity::NOT_A_MEMBER);
	});
}
