//! Runtime benchmarks (`--features runtime-benchmarks`): the pallets `frame-omni-bencher`
//! measures, and what their benchmarks need from the rest of the runtime.
//!
//! Benchmarks run on the genesis of the preset the bencher is given. The benchmark hospital
//! gets an id far above the founders' (`BENCHMARK_HOSPITAL`), so it never overwrites one, and
//! the benchmark patient is an sr25519 key in the bencher's keystore, so it can sign consents.

use alloc::vec;
use frame_system::RawOrigin;
use medchain_primitives::{
	commitment::RecordId,
	shares::{FieldSelection, GrantId, GrantTerms, Grantor, PurposeOfUse, TokenKey},
	HospitalId, RecordType,
};
use sp_core::{crypto::KeyTypeId, sr25519};
use sp_runtime::{BoundedVec, MultiSignature};

use crate::{AccountId, Hospitals, Records, Runtime, Shares};

frame_benchmarking::define_benchmarks!(
	[pallet_hospitals, Hospitals]
	[pallet_validator_set, ValidatorSet]
	[pallet_records, Records]
	[pallet_shares, Shares]
	[pallet_access_log, AccessLog]
);

use pallet_hospitals::BENCHMARK_HOSPITAL;
/// Key type of the benchmark patient's key in the bencher's keystore.
const PATIENT_KEY_TYPE: KeyTypeId = KeyTypeId(*b"mcbp");
const PATIENT_SEED: &[u8] = b"//medchain-benchmark-patient";

pub struct BenchmarkHelpers;

impl BenchmarkHelpers {
	fn patient_key() -> sr25519::Public {
		sp_io::crypto::sr25519_generate(PATIENT_KEY_TYPE, Some(PATIENT_SEED.to_vec()))
	}

	/// The benchmark patient, registered by the benchmark hospital on first use.
	fn patient() -> AccountId {
		let patient = AccountId::from(Self::patient_key());
		Self::register(&patient);
		patient
	}

	/// The benchmark hospital's operator, inserting the hospital on first use.
	fn operator() -> AccountId {
		use medchain_primitives::{HospitalRegistry, HospitalRole};
		Hospitals::benchmark_hospital(HospitalRole::Operator)
			.map(|(operator, _)| operator)
			.unwrap_or_else(|| AccountId::from([0; 32]))
	}

	fn register(patient: &AccountId) {
		if pallet_hospitals::Patients::<Runtime>::get(patient).is_none() {
			// The benchmarks' own checks fail if this did.
			let origin = RawOrigin::Signed(Self::operator()).into();
			let _ = Hospitals::register_patient(origin, patient.clone());
		}
	}

	/// Anchors record `seed` of `patient` at `custodian` (whose operator must exist).
	fn anchor(patient: &AccountId, custodian: HospitalId, seed: u32) -> RecordId {
		let mut request_id = [0x5e; 32];
		request_id[..4].copy_from_slice(&seed.to_le_bytes());
		let operator = pallet_hospitals::Hospitals::<Runtime>::get(custodian)
			.map(|hospital| hospital.operator)
			.unwrap_or_else(Self::operator);
		// The benchmarks' own checks fail if this did (the record would not exist).
		let _ = Records::anchor(
			RawOrigin::Signed(operator).into(),
			request_id,
			patient.clone(),
			RecordType::LabResult,
			request_id,
			request_id,
		);
		Records::record_id(custodian, &request_id)
	}
}

impl pallet_validator_set::BenchmarkHelper for BenchmarkHelpers {
	/// Adds hospitals after the founders until `count` are active.
	fn set_active_validators(count: u32) {
		let active = pallet_hospitals::Pallet::<Runtime>::active_count();
		let first = pallet_hospitals::NextHospitalId::<Runtime>::get();
		for id in first..first.saturating_add(count.saturating_sub(active)) {
			pallet_hospitals::active_hospital::<Runtime>(id);
		}
	}
}

impl pallet_records::BenchmarkHelper<AccountId> for BenchmarkHelpers {
	/// Pseudonym `seed`, registered by the benchmark hospital on first use.
	fn patient(seed: u32) -> AccountId {
		let mut bytes = [0xbe; 32];
		bytes[..4].copy_from_slice(&seed.to_le_bytes());
		let patient = AccountId::from(bytes);
		Self::register(&patient);
		patient
	}

	/// An access entry of `accessor` for `record`, as `access` would leave it.
	fn access(record: medchain_primitives::commitment::RecordId, accessor: HospitalId) {
		pallet_access_log::AccessedBy::<Runtime>::insert(record, accessor, 0);
	}
}

impl pallet_shares::BenchmarkHelper<AccountId, MultiSignature> for BenchmarkHelpers {
	fn patient() -> AccountId {
		Self::patient()
	}

	fn record(patient: &AccountId, custodian: HospitalId, seed: u32) -> RecordId {
		Self::anchor(patient, custodian, seed)
	}

	fn sign(_: &AccountId, payload: &[u8]) -> MultiSignature {
		let signature =
			sp_io::crypto::sr25519_sign(PATIENT_KEY_TYPE, &Self::patient_key(), payload);
		MultiSignature::Sr25519(signature.unwrap_or_else(|| sr25519::Signature::from_raw([0; 64])))
	}
}

impl pallet_access_log::BenchmarkHelper<AccountId> for BenchmarkHelpers {
	fn record(seed: u32) -> (RecordId, AccountId) {
		let patient = Self::patient();
		(Self::anchor(&patient, BENCHMARK_HOSPITAL, seed), patient)
	}

	fn grant(patient: AccountId, record: RecordId, token_key: TokenKey) -> GrantId {
		let terms = GrantTerms {
			records: BoundedVec::truncate_from(vec![record]),
			fields: FieldSelection::AllButNotes,
			grantee: None,
			duration: pallet_shares::MinGrantDuration::<Runtime>::get(),
			max_uses: None,
			purpose: PurposeOfUse::Treatment,
			token_key,
		};
		// On failure the access benchmark fails with `GrantNotFound`.
		Shares::insert_grant(patient, terms, Grantor::Patient).unwrap_or(GrantId::MAX)
	}
}
