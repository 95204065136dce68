//! A test runtime over `medchain_pallet_testing`'s consortium (Hospitals A and B active, C
//! suspended; pharmacies P and Q active; patients 0 and 1 registered by A, `PATIENT_OF_B` by
//! B); the clock reads `NOW_MS` until a test sets it, and the consortium's access lookup
//! stands in for the access log.

use frame_support::{derive_impl, parameter_types};
use medchain_pallet_testing::consortium::{self, TestConsortium};
pub use medchain_pallet_testing::consortium::{HOSPITAL_A, HOSPITAL_B, PHARMACY_P, PHARMACY_Q};
use sp_runtime::BuildStorage;
use sp_runtime::{traits::IdentityLookup, AccountId32};

use crate as pallet_records;

type Block = frame_system::mocking::MockBlock<Test>;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Test;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(12)]
	pub type Records = pallet_records;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId32;
	type Lookup = IdentityLookup<AccountId32>;
}

pub const MAX_BATCH: u32 = 4;
/// The anchoring quota: records per custodian in any `QUOTA_PERIOD` blocks.
pub const MAX_ANCHORS: u32 = 12;
pub const QUOTA_PERIOD: u64 = 70;
/// Blocks a custodian's erasure waits.
pub const ERASE_DELAY: u64 = 5;
pub const NOW_MS: u64 = medchain_pallet_testing::clock::START_MS;
/// Most refills of a prescription.
pub const MAX_REFILLS: u32 = 11;
/// A prescription's longest validity: 365 days, in milliseconds.
pub const MAX_VALIDITY_MS: u64 = 365 * 24 * 60 * 60 * 1000;

parameter_types! {
	pub const MaxBatchSize: u32 = MAX_BATCH;
	pub const MaxAnchorsPerPeriod: u32 = MAX_ANCHORS;
	pub const QuotaPeriod: u64 = QUOTA_PERIOD;
	pub const MaxPageSize: u32 = 3;
	pub const MaxRefills: u32 = MAX_REFILLS;
	pub const MaxPrescriptionValidity: u64 = MAX_VALIDITY_MS;
}

impl pallet_records::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Hospitals = TestConsortium;
	type Patients = TestConsortium;
	type OperatorOrigin =
		medchain_pallet_support::EnsureHospitalOperator<TestConsortium, AccountId32>;
	type UnixTime = medchain_pallet_testing::clock::TestClock;
	type MaxBatchSize = MaxBatchSize;
	type MaxAnchorsPerPeriod = MaxAnchorsPerPeriod;
	type QuotaPeriod = QuotaPeriod;
	type MaxPageSize = MaxPageSize;
	type MaxRefills = MaxRefills;
	type MaxPrescriptionValidity = MaxPrescriptionValidity;
	type PharmacyOrigin =
		medchain_pallet_support::EnsurePharmacyOperator<TestConsortium, AccountId32>;
	type Accesses = TestConsortium;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = TestConsortium;
}

/// Hospital A's admin.
pub fn admin_a() -> AccountId32 {
	consortium::admin(HOSPITAL_A)
}

/// Hospital A's operator (until `consortium::rotate_operator(HOSPITAL_A)`).
pub fn operator_a() -> AccountId32 {
	consortium::operator(HOSPITAL_A)
}

/// Hospital A's operator after a rotation.
pub fn operator_a_rotated() -> AccountId32 {
	consortium::rotated_operator(HOSPITAL_A)
}

/// Hospital B's operator.
pub fn operator_b() -> AccountId32 {
	consortium::operator(HOSPITAL_B)
}

/// Pharmacy P's operator.
pub fn operator_p() -> AccountId32 {
	consortium::pharmacy_operator(PHARMACY_P)
}

/// Pharmacy Q's operator.
pub fn operator_q() -> AccountId32 {
	consortium::pharmacy_operator(PHARMACY_Q)
}

/// A patient registered by Hospital A.
pub fn patient() -> AccountId32 {
	consortium::patient(0)
}

/// Another patient registered by Hospital A.
pub fn other_patient() -> AccountId32 {
	consortium::patient(1)
}

/// A patient registered by Hospital B.
pub fn patient_of_b() -> AccountId32 {
	consortium::patient(consortium::PATIENT_OF_B)
}

/// An account that is neither a hospital's nor a patient's.
pub fn stranger() -> AccountId32 {
	consortium::stranger()
}

/// The benchmarks' patients: `seed`, registered by Hospital A on first use.
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId32> for TestConsortium {
	fn patient(seed: u32) -> AccountId32 {
		let mut bytes = [0xbe; 32];
		bytes[..4].copy_from_slice(&seed.to_le_bytes());
		let patient = AccountId32::new(bytes);
		consortium::register_patient(patient.clone(), HOSPITAL_A);
		patient
	}

	fn access(
		record: medchain_primitives::commitment::RecordId,
		accessor: medchain_primitives::HospitalId,
	) {
		consortium::record_access(record, accessor);
	}
}

pub fn new_test_ext() -> medchain_pallet_testing::CheckedExternalities {
	let genesis = RuntimeGenesisConfig {
		records: crate::GenesisConfig { custodian_erase_delay: ERASE_DELAY },
		..Default::default()
	};
	let storage = genesis.build_storage().expect("mock genesis builds");
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	medchain_pallet_testing::CheckedExternalities::new(ext, Records::do_try_state)
}

/// This pallet's events so far.
pub fn events() -> Vec<crate::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::Records(event) => Some(event),
			_ => None,
		})
		.collect()
}
