//! The `RecordsApi` runtime API over real runtime state: `verify` and `verify_fields` for a
//! correct proof, a tampered proof, an Amended record and an Erased record.

use frame_support::assert_ok;
use medchain_primitives::{
	commitment::{CommittedRecord, RecordId},
	records::RecordStatus,
	FieldMask, RecordType,
};
use medchain_runtime::{
	genesis_config_presets::LOCAL_TESTNET_PRESET, AccountId, Block, BlockNumber, Runtime,
	RuntimeOrigin,
};
use medchain_runtime_api::runtime_decl_for_records_api::RecordsApi;
use sp_keyring::Sr25519Keyring;

use super::genesis_of;

const OPERATOR_A: Sr25519Keyring = Sr25519Keyring::AliceStash;
const PATIENT: Sr25519Keyring = Sr25519Keyring::Ferdie;

fn operator() -> RuntimeOrigin {
	RuntimeOrigin::signed(OPERATOR_A.to_account_id())
}

/// Hospital A registers the patient and anchors a lab result with request `id`.
fn anchor_lab_result(id: u8) -> (RecordId, CommittedRecord) {
	let record_type = RecordType::LabResult;
	let record_id = pallet_records::Pallet::<Runtime>::record_id(0, &[id; 32]);
	let values = record_type.fields().iter().map(|f| Some(f.as_bytes().to_vec())).collect();
	let record = CommittedRecord::with_random_salts(record_type, values).expect("one per field");
	assert_ok!(pallet_records::Pallet::<Runtime>::anchor(
		operator(),
		[id; 32],
		PATIENT.to_account_id(),
		record_type,
		record.root(&record_id),
		[0xcc; 32],
	));
	(record_id, record)
}

#[test]
fn verify_and_verify_fields_through_the_runtime_api() {
	genesis_of(LOCAL_TESTNET_PRESET).execute_with(|| {
		frame_system::Pallet::<Runtime>::set_block_number(1);
		assert_ok!(pallet_hospitals::Pallet::<Runtime>::register_patient(
			operator(),
			PATIENT.to_account_id()
		));
		let (record_id, record) = anchor_lab_result(1);
		let verification = <Runtime as RecordsApi<Block, AccountId, BlockNumber>>::verify(
			record_id,
			record.root(&record_id),
		)
		.expect("anchored");
		assert_eq!((verification.record_id, verification.custodian), (record_id, 0));
		assert_eq!(verification.status, RecordStatus::Active);
		let patient_records =
			<Runtime as RecordsApi<Block, AccountId, BlockNumber>>::records_of_patient(
				PATIENT.to_account_id(),
				0,
				10,
			);
		assert_eq!(patient_records, vec![record_id]);

		let mask = FieldMask::without_notes(RecordType::LabResult);
		let fields = record.disclose(&record_id, mask).expect("mask fits");
		assert!(<Runtime as RecordsApi<Block, AccountId, BlockNumber>>::verify_fields(
			record_id,
			fields.clone()
		));
		let mut tampered = fields.clone();
		tampered[2].value = Some(b"9.9 mmol/L".to_vec());
		assert!(!<Runtime as RecordsApi<Block, AccountId, BlockNumber>>::verify_fields(
			record_id, tampered
		));

		// Amended: the old version no longer verifies.
		assert_ok!(pallet_records::Pallet::<Runtime>::amend(
			operator(),
			record_id,
			[7; 32],
			[8; 32]
		));
		assert!(!<Runtime as RecordsApi<Block, AccountId, BlockNumber>>::verify_fields(
			record_id, fields
		));

		// Erased by the patient: no longer verifies either.
		let (erased_id, erased) = anchor_lab_result(2);
		let fields = erased.disclose(&erased_id, mask).expect("mask fits");
		assert!(<Runtime as RecordsApi<Block, AccountId, BlockNumber>>::verify_fields(
			erased_id,
			fields.clone()
		));
		let patient = RuntimeOrigin::signed(PATIENT.to_account_id());
		assert_ok!(pallet_records::Pallet::<Runtime>::erase(patient, erased_id));
		assert!(!<Runtime as RecordsApi<Block, AccountId, BlockNumber>>::verify_fields(
			erased_id, fields
		));
		let record = <Runtime as RecordsApi<Block, AccountId, BlockNumber>>::record(erased_id)
			.expect("tombstone stays");
		assert!(matches!(record.status, RecordStatus::Erased { .. }));
	});
}
