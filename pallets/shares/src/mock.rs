//! A test runtime over `medchain_pallet_testing`'s consortium: hospitals A and B active,
//! C suspended, patients 0 and 1 registered; grants last 10 to 100 blocks, consent requests 20.

use frame_support::{derive_impl, parameter_types};
use medchain_pallet_testing::{
	consortium::{self as testing, TestConsortium},
	CheckedExternalities,
};
use sp_runtime::{traits::IdentityLookup, AccountId32, BuildStorage, MultiSignature};

use crate as pallet_shares;

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

	#[runtime::pallet_index(13)]
	pub type Shares = pallet_shares;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId32;
	type Lookup = IdentityLookup<AccountId32>;
}

pub const MIN_DURATION: u64 = 10;
pub const MAX_DURATION: u64 = 100;
pub const REQUEST_LIFETIME: u64 = 20;
pub const MAX_RECORDS: u32 = 4;
/// Unexpired consent requests one hospital may have waiting for one patient.
pub const MAX_PENDING: u32 = 2;
pub const MAX_PRUNED: u32 = 2;
pub const MAX_GRANTS_PER_PATIENT: u32 = 6;
/// Grants and consent requests per hospital per block.
pub const MAX_NEW_SHARES: u32 = 5;
pub const MAX_CONSENT_VALIDITY: u64 = 50;
pub const MAX_PAGE: u32 = 4;

parameter_types! {
	pub const MaxRecordsPerGrant: u32 = MAX_RECORDS;
	pub const MaxPendingPerRequester: u32 = MAX_PENDING;
	pub const MaxGrantsPerPatient: u32 = MAX_GRANTS_PER_PATIENT;
	pub const MaxNewSharesPerHospitalPerBlock: u32 = MAX_NEW_SHARES;
	pub const MaxPrunedPerBlock: u32 = MAX_PRUNED;
	pub const MaxConsentValidity: u64 = MAX_CONSENT_VALIDITY;
	pub const MaxPageSize: u32 = MAX_PAGE;
	/// Expired grants are pruned at once unless a test sets a retention.
	pub static GrantRetention: u64 = 0;
}

impl pallet_shares::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Hospitals = TestConsortium;
	type OperatorOrigin =
		medchain_pallet_support::EnsureHospitalOperator<TestConsortium, AccountId32>;
	type Patients = TestConsortium;
	type Records = TestConsortium;
	type PatientSignature = MultiSignature;
	type MaxRecordsPerGrant = MaxRecordsPerGrant;
	type MaxPendingPerRequester = MaxPendingPerRequester;
	type MaxGrantsPerPatient = MaxGrantsPerPatient;
	type MaxNewSharesPerHospitalPerBlock = MaxNewSharesPerHospitalPerBlock;
	type MaxPrunedPerBlock = MaxPrunedPerBlock;
	type GrantRetention = GrantRetention;
	type MaxConsentValidity = MaxConsentValidity;
	type MaxPageSize = MaxPageSize;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = TestBenchmarkHelper;
}

pub use testing::record_id;

pub fn new_test_ext() -> CheckedExternalities {
	let genesis = RuntimeGenesisConfig {
		shares: pallet_shares::GenesisConfig {
			min_grant_duration: MIN_DURATION,
			max_grant_duration: MAX_DURATION,
			consent_request_lifetime: REQUEST_LIFETIME,
		},
		..Default::default()
	};
	let storage = genesis.build_storage().expect("mock genesis builds");
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	CheckedExternalities::new(ext, Shares::do_try_state)
}

/// Moves to block `n`, running this pallet's `on_initialize`.
pub fn run_to_block(n: u64) {
	use frame_support::traits::Hooks;
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Shares::on_initialize(next);
	}
}

/// This pallet's events so far.
pub fn events() -> Vec<crate::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::Shares(event) => Some(event),
			_ => None,
		})
		.collect()
}

/// The benchmarks' patient, records and signatures (only with `runtime-benchmarks`): patient 0
/// and lab results added to the test record store.
#[cfg(feature = "runtime-benchmarks")]
pub struct TestBenchmarkHelper;

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<sp_runtime::AccountId32, sp_runtime::MultiSignature>
	for TestBenchmarkHelper
{
	fn patient() -> sp_runtime::AccountId32 {
		testing::patient(0)
	}

	fn record(
		patient: &sp_runtime::AccountId32,
		custodian: medchain_primitives::HospitalId,
		seed: u32,
	) -> medchain_primitives::commitment::RecordId {
		let id = record_id(seed);
		testing::add_record(
			id,
			patient.clone(),
			custodian,
			medchain_primitives::RecordType::LabResult,
		);
		id
	}

	fn sign(_: &sp_runtime::AccountId32, payload: &[u8]) -> sp_runtime::MultiSignature {
		testing::patient_signature(0, payload)
	}
}
