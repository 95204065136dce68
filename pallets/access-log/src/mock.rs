//! A test runtime with the real shares pallet over `medchain_pallet_testing`'s
//! consortium (hospitals A and B active, C suspended; pharmacies P and Q active; patients 0 and
//! 1 registered). Grants last 10 to 100 blocks; a hospital may break the glass twice per 100
//! blocks; the clock is `TestClock`. Hospitals' and pharmacies' operators may `access`.

use frame_support::{derive_impl, parameter_types};
use medchain_pallet_testing::{clock::TestClock, consortium::TestConsortium, CheckedExternalities};
use sp_runtime::{traits::IdentityLookup, AccountId32, BuildStorage, MultiSignature};

use crate as pallet_access_log;

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

	#[runtime::pallet_index(14)]
	pub type AccessLog = pallet_access_log;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId32;
	type Lookup = IdentityLookup<AccountId32>;
}

pub const BREAK_GLASS_PERIOD: u64 = 100;
pub const BREAK_GLASS_LIMIT: u32 = 2;
pub const MAX_PAGE: u32 = 3;

/// The access quotas' rolling window, and their limits in it.
pub const QUOTA_PERIOD: u64 = 70;
pub const MAX_HOSPITAL_ACCESSES: u32 = 6;
pub const MAX_PATIENT_ACCESSES: u32 = 3;
pub const MAX_PATIENT_ACCESSES_PER_HOSPITAL: u32 = 5;

parameter_types! {
	pub const MaxRecordsPerGrant: u32 = 4;
	pub const MaxPendingPerRequester: u32 = 2;
	pub const MaxGrantsPerPatient: u32 = 8;
	pub const MaxNewSharesPerHospitalPerBlock: u32 = 8;
	pub const MaxPrunedPerBlock: u32 = 2;
	pub const MaxConsentValidity: u64 = 100;
	pub const MaxPageSize: u32 = MAX_PAGE;
	pub const QuotaPeriod: u64 = QUOTA_PERIOD;
	pub const MaxAccessesPerHospital: u32 = MAX_HOSPITAL_ACCESSES;
	pub const MaxPatientAccesses: u32 = MAX_PATIENT_ACCESSES;
	pub const MaxPatientAccessesPerHospital: u32 = MAX_PATIENT_ACCESSES_PER_HOSPITAL;
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
	type GrantRetention = frame_support::traits::ConstU64<0>;
	type MaxConsentValidity = MaxConsentValidity;
	type MaxPageSize = MaxPageSize;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchmarkConsortium;
}

impl pallet_access_log::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type OperatorOrigin =
		medchain_pallet_support::EnsureHospitalOperator<TestConsortium, AccountId32>;
	type PharmacyOrigin =
		medchain_pallet_support::EnsurePharmacyOperator<TestConsortium, AccountId32>;
	type Patients = TestConsortium;
	type Records = TestConsortium;
	type Grants = Shares;
	type UnixTime = TestClock;
	type MaxPageSize = MaxPageSize;
	type QuotaPeriod = QuotaPeriod;
	type MaxAccessesPerHospital = MaxAccessesPerHospital;
	type MaxPatientAccesses = MaxPatientAccesses;
	type MaxPatientAccessesPerHospital = MaxPatientAccessesPerHospital;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchmarkConsortium;
}

/// The benchmarks' registry, records and grants (only with `runtime-benchmarks`).
#[cfg(feature = "runtime-benchmarks")]
pub struct BenchmarkConsortium;

#[cfg(feature = "runtime-benchmarks")]
mod benchmark_helpers {
	use medchain_pallet_testing::consortium::{self as testing, HOSPITAL_A};
	use medchain_primitives::{
		commitment::RecordId,
		shares::{FieldSelection, GrantId, GrantTerms, Grantor, PurposeOfUse, TokenKey},
		HospitalId, RecordType,
	};
	use sp_runtime::{AccountId32, BoundedVec};

	use sp_runtime::MultiSignature;

	use super::{BenchmarkConsortium, Shares};

	impl pallet_shares::BenchmarkHelper<AccountId32, MultiSignature> for BenchmarkConsortium {
		fn patient() -> AccountId32 {
			testing::patient(0)
		}

		fn record(patient: &AccountId32, custodian: HospitalId, seed: u32) -> RecordId {
			let id = testing::record_id(seed);
			testing::add_record(id, patient.clone(), custodian, RecordType::LabResult);
			id
		}

		fn sign(_: &AccountId32, payload: &[u8]) -> MultiSignature {
			testing::patient_signature(0, payload)
		}
	}

	impl crate::BenchmarkHelper<AccountId32> for BenchmarkConsortium {
		fn record(seed: u32) -> (RecordId, AccountId32) {
			let id = testing::record_id(seed);
			testing::add_record(id, testing::patient(0), HOSPITAL_A, RecordType::LabResult);
			(id, testing::patient(0))
		}

		fn grant(patient: AccountId32, record: RecordId, token_key: TokenKey) -> GrantId {
			let terms = GrantTerms {
				records: BoundedVec::truncate_from(vec![record]),
				fields: FieldSelection::AllButNotes,
				grantee: None,
				duration: 50,
				max_uses: None,
				purpose: PurposeOfUse::Treatment,
				token_key,
			};
			Shares::insert_grant(patient, terms, Grantor::Patient)
				.unwrap_or_else(|error| panic!("benchmark grant refused: {error:?}"))
		}
	}
}

pub fn new_test_ext() -> CheckedExternalities {
	let genesis = RuntimeGenesisConfig {
		shares: pallet_shares::GenesisConfig {
			min_grant_duration: 10,
			max_grant_duration: 100,
			consent_request_lifetime: 20,
		},
		access_log: pallet_access_log::GenesisConfig {
			break_glass_period: BREAK_GLASS_PERIOD,
			break_glass_limit: BREAK_GLASS_LIMIT,
		},
		..Default::default()
	};
	let storage = genesis.build_storage().expect("mock genesis builds");
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.register_extension(sp_keystore::KeystoreExt::new(
		sp_keystore::testing::MemoryKeystore::new(),
	));
	ext.execute_with(|| System::set_block_number(1));
	CheckedExternalities::new(ext, AccessLog::do_try_state)
}

/// Moves to block `n`, running the shares pallet's pruning.
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
			RuntimeEvent::AccessLog(event) => Some(event),
			_ => None,
		})
		.collect()
}
