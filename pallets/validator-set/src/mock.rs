//! A test runtime whose registry is a list of active hospital ids (founders 0 to 3).
//!
//! Hospital `h` has Aura key `100 + h` and GRANDPA key `[h + 1; 32]`. Sessions last
//! [`SESSION_LENGTH`] blocks.

use core::cell::RefCell;
use frame_support::{
	derive_impl,
	traits::{ConstBool, ConstU32, ConstU64, Hooks},
};
use medchain_primitives::{HospitalId, ValidatorRegistry};
use sp_runtime::{testing::UintAuthorityId, BuildStorage};

use crate as pallet_validator_set;

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

	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;

	#[runtime::pallet_index(2)]
	pub type Aura = pallet_aura;

	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;

	#[runtime::pallet_index(11)]
	pub type ValidatorSet = pallet_validator_set;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

impl pallet_timestamp::Config for Test {
	type Moment = u64;
	type OnTimestampSet = Aura;
	type MinimumPeriod = ConstU64<1500>;
	type WeightInfo = ();
}

impl pallet_aura::Config for Test {
	type AuthorityId = UintAuthorityId;
	type DisabledValidators = ();
	type MaxAuthorities = ConstU32<MAX_VALIDATORS>;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = ConstU64<3000>;
}

impl pallet_grandpa::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<MAX_VALIDATORS>;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

impl pallet_validator_set::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type Registry = MockRegistry;
	type MinValidators = ConstU32<4>;
	type LivenessWindow = ConstU64<LIVENESS_WINDOW>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockRegistry;
}

pub const MAX_VALIDATORS: u32 = 8;
pub const SESSION_LENGTH: u64 = 10;
/// Milliseconds a validator may go without authoring and still count as live.
pub const LIVENESS_WINDOW: u64 = 9_000;

thread_local! {
	static ACTIVE: RefCell<Vec<HospitalId>> = RefCell::new(vec![0, 1, 2, 3]);
}

pub fn aura_key(hospital: HospitalId) -> UintAuthorityId {
	UintAuthorityId(100 + u64::from(hospital))
}

pub fn grandpa_key(hospital: HospitalId) -> pallet_grandpa::AuthorityId {
	let byte = u8::try_from(hospital + 1).expect("small test ids");
	sp_core::ed25519::Public::from_raw([byte; 32]).into()
}

/// Replaces the registry's active hospitals.
pub fn set_active(hospitals: &[HospitalId]) {
	ACTIVE.with(|active| *active.borrow_mut() = hospitals.to_vec());
}

pub struct MockRegistry;
impl ValidatorRegistry for MockRegistry {
	type AuraId = UintAuthorityId;
	type GrandpaId = pallet_grandpa::AuthorityId;

	fn active_validators() -> Vec<(HospitalId, UintAuthorityId, pallet_grandpa::AuthorityId)> {
		ACTIVE.with(|active| {
			active.borrow().iter().map(|&h| (h, aura_key(h), grandpa_key(h))).collect()
		})
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper for MockRegistry {
	fn set_active_validators(count: u32) {
		set_active(&(0..count).collect::<Vec<_>>());
	}
}

/// Genesis with `founders` active.
pub fn new_test_ext_with(founders: &[HospitalId]) -> medchain_pallet_testing::CheckedExternalities {
	set_active(founders);
	let storage = RuntimeGenesisConfig {
		validator_set: pallet_validator_set::GenesisConfig { session_length: SESSION_LENGTH },
		..Default::default()
	}
	.build_storage()
	.expect("mock genesis builds");
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	medchain_pallet_testing::CheckedExternalities::new(ext, ValidatorSet::do_try_state)
}

/// Genesis with hospitals 0 to 3 active.
pub fn new_test_ext() -> medchain_pallet_testing::CheckedExternalities {
	new_test_ext_with(&[0, 1, 2, 3])
}

/// Runs the validator-set and GRANDPA hooks of every block up to `n`.
pub fn run_to_block(n: u64) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::reset_events();
		System::initialize(&next, &Default::default(), &Default::default());
		ValidatorSet::on_initialize(next);
		Grandpa::on_finalize(next);
	}
}

/// This pallet's events in the current block.
pub fn events() -> Vec<crate::Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::ValidatorSet(event) => Some(event),
			_ => None,
		})
		.collect()
}

/// Runs block `n` as Aura slot `slot` authored it (the validator at `slot % validators`).
pub fn author_block(n: u64, slot: u64) {
	use codec::Encode;
	let digest = sp_runtime::Digest {
		logs: vec![sp_runtime::DigestItem::PreRuntime(*b"aura", slot.encode())],
	};
	System::reset_events();
	System::initialize(&n, &Default::default(), &digest);
	Aura::on_initialize(n);
	ValidatorSet::on_initialize(n);
	Grandpa::on_finalize(n);
}
