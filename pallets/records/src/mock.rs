//! A test runtime with a fixed registry: hospitals 0 and 1 (operators 11 and 21, admins 10
//! and 20) and registered patients 1000 and 1001; the clock reads `NOW_MS`.

use frame_support::{derive_impl, parameter_types};
use medchain_primitives::{HospitalId, HospitalRegistry, HospitalRole, PatientRegistry};
use sp_runtime::BuildStorage;

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
}

pub const MAX_BATCH: u32 = 4;
/// The anchoring quota: records per custodian in any `QUOTA_PERIOD` blocks.
pub const MAX_ANCHORS: u32 = 12;
pub const QUOTA_PERIOD: u64 = 70;
/// Blocks a custodian's erasure waits.
pub const ERASE_DELAY: u64 = 5;
pub const NOW_MS: u64 = medchain_pallet_testing::clock::START_MS;

parameter_types! {
	pub const MaxBatchSize: u32 = MAX_BATCH;
	pub const MaxAnchorsPerPeriod: u32 = MAX_ANCHORS;
	pub const QuotaPeriod: u64 = QUOTA_PERIOD;
	pub const MaxPageSize: u32 = 3;
}

impl pallet_records::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Hospitals = MockRegistry;
	type Patients = MockRegistry;
	type OperatorOrigin = medchain_pallet_support::EnsureHospitalOperator<MockRegistry, u64>;
	type UnixTime = medchain_pallet_testing::clock::TestClock;
	type MaxBatchSize = MaxBatchSize;
	type MaxAnchorsPerPeriod = MaxAnchorsPerPeriod;
	type QuotaPeriod = QuotaPeriod;
	type MaxPageSize = MaxPageSize;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockRegistry;
}

pub const ADMIN_A: u64 = 10;
pub const OPERATOR_A: u64 = 11;
/// Hospital A's operator after a rotation (both are A's unless `set_rotated_out`).
pub const OPERATOR_A_ROTATED: u64 = 12;
pub const OPERATOR_B: u64 = 21;
pub const PATIENT: u64 = 1000;
pub const OTHER_PATIENT: u64 = 1001;
/// Registered by hospital B.
pub const PATIENT_OF_B: u64 = 1002;
pub const STRANGER: u64 = 5000;
/// Benchmark patients are registered from this id on.
pub const FIRST_BENCHMARK_PATIENT: u64 = 100_000;
pub const HOSPITAL_A: HospitalId = 0;
pub const HOSPITAL_B: HospitalId = 1;

thread_local! {
	static ROTATED_OUT: core::cell::RefCell<Vec<u64>> = const { core::cell::RefCell::new(Vec::new()) };
}

/// Makes `account` serve no hospital any more, as a rotated-away operator key.
pub fn set_rotated_out(account: u64) {
	ROTATED_OUT.with(|rotated| rotated.borrow_mut().push(account));
}

pub struct MockRegistry;
impl HospitalRegistry<u64> for MockRegistry {
	fn active_hospital_of(who: &u64) -> Option<(HospitalId, HospitalRole)> {
		if ROTATED_OUT.with(|rotated| rotated.borrow().contains(who)) {
			return None;
		}
		match *who {
			ADMIN_A => Some((HOSPITAL_A, HospitalRole::Admin)),
			OPERATOR_A => Some((HOSPITAL_A, HospitalRole::Operator)),
			OPERATOR_A_ROTATED => Some((HOSPITAL_A, HospitalRole::Operator)),
			OPERATOR_B => Some((HOSPITAL_B, HospitalRole::Operator)),
			_ => None,
		}
	}

	fn is_active(hospital: HospitalId) -> bool {
		hospital <= HOSPITAL_B
	}

	fn active_hospital_of_peer(_: &[u8]) -> Option<HospitalId> {
		None
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_hospital(role: HospitalRole) -> Option<(u64, HospitalId)> {
		let account = match role {
			HospitalRole::Admin => ADMIN_A,
			HospitalRole::Operator => OPERATOR_A,
		};
		Some((account, HOSPITAL_A))
	}
}

impl PatientRegistry<u64> for MockRegistry {
	fn registering_hospital(who: &u64) -> Option<HospitalId> {
		if *who == PATIENT_OF_B {
			return Some(HOSPITAL_B);
		}
		(matches!(*who, PATIENT | OTHER_PATIENT) || *who >= FIRST_BENCHMARK_PATIENT)
			.then_some(HOSPITAL_A)
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<u64> for MockRegistry {
	fn patient(seed: u32) -> u64 {
		FIRST_BENCHMARK_PATIENT + u64::from(seed)
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
