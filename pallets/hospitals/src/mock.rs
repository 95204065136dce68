//! A test runtime with five founding hospitals, A to E (ids 0 to 4), at least four of which
//! must stay active.
//!
//! Accounts are `u64`: hospital `h` has admin `10 * (h + 1)` and operator `10 * (h + 1) + 1`;
//! its Aura key is `100 + h` and its GRANDPA key `200 + h`. Room for four active pharmacies;
//! none at genesis, and pharmacies vote on admissions only in
//! [`new_test_ext_where_pharmacies_vote`].

use frame_support::{derive_impl, parameter_types, traits::ConstU32};
use medchain_primitives::HospitalRole;
use sp_runtime::{
	testing::{TestSignature, UintAuthorityId},
	BuildStorage,
};

use crate::{self as pallet_hospitals, CallPermissions, GenesisHospital, GenesisNode, Signer};

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

	#[runtime::pallet_index(10)]
	pub type Hospitals = pallet_hospitals;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

impl pallet_hospitals::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type AuraId = UintAuthorityId;
	type AuraProof = TestSignature;
	type GrandpaId = UintAuthorityId;
	type GrandpaProof = TestSignature;
	type MaxHospitals = ConstU32<8>;
	type MaxPharmacies = ConstU32<MAX_PHARMACIES>;
	type MinActiveHospitals = ConstU32<4>;
	type ApprovalThreshold = ApprovalThreshold;
	type MaxNameLength = ConstU32<32>;
	type MaxNodesPerHospital = ConstU32<2>;
	type MaxPeerIdLength = ConstU32<64>;
	type MaxAddressLength = ConstU32<64>;
	type CallPermissions = OperatorsCallHospitals;
	type MaxExtrinsicsPerBlock = ConstU32<MAX_EXTRINSICS_PER_BLOCK>;
	type MaxPatientExtrinsicsPerBlock = ConstU32<MAX_PATIENT_EXTRINSICS_PER_BLOCK>;
	type MaxRegistrationsPerPeriod = ConstU32<MAX_REGISTRATIONS>;
	type QuotaPeriod = frame_support::traits::ConstU64<QUOTA_PERIOD>;
	type MaxOpenProposals = ConstU32<MAX_OPEN_PROPOSALS>;
	type MaxRecoveryDelay = frame_support::traits::ConstU64<MAX_RECOVERY_DELAY>;
	type StallRecovery = RecordStallRecovery;
	type WeightInfo = ();
}

pub const MAX_PHARMACIES: u32 = 4;
pub const MAX_EXTRINSICS_PER_BLOCK: u32 = 2;
/// The patients one hospital registered, together, per block.
pub const MAX_PATIENT_EXTRINSICS_PER_BLOCK: u32 = 3;
/// Patient registrations per hospital in any `QUOTA_PERIOD` blocks.
pub const MAX_REGISTRATIONS: u32 = 5;
pub const QUOTA_PERIOD: u64 = 70;
pub const MAX_OPEN_PROPOSALS: u32 = 2;
pub const MAX_RECOVERY_DELAY: u64 = 20;
pub const PROPOSAL_LIFETIME: u64 = 10;

parameter_types! {
	pub const ApprovalThreshold: (u32, u32) = (2, 3);
}

/// Operators may call this pallet, patients only `deregister_patient` (a stand-in for a
/// patient's call); nobody may call `System`; a general transaction without a signer may carry
/// only `deregister_patient` (a stand-in for a call a runtime would allow unsigned).
pub struct OperatorsCallHospitals;
impl CallPermissions<u64, RuntimeCall> for OperatorsCallHospitals {
	fn allows(_: &u64, signer: &Signer, call: &RuntimeCall) -> bool {
		match (signer, call) {
			(Signer::Hospital { role: HospitalRole::Operator, .. }, RuntimeCall::Hospitals(_)) => {
				true
			}
			(Signer::Patient { .. }, RuntimeCall::Hospitals(call)) => {
				matches!(call, crate::Call::deregister_patient { .. })
			}
			_ => false,
		}
	}

	fn allows_unsigned(call: &RuntimeCall) -> bool {
		matches!(call, RuntimeCall::Hospitals(crate::Call::deregister_patient { .. }))
	}
}

pub const ADMIN_A: u64 = 10;
pub const OPERATOR_A: u64 = 11;
pub const ADMIN_B: u64 = 20;
pub const OPERATOR_B: u64 = 21;
pub const ADMIN_C: u64 = 30;
pub const ADMIN_D: u64 = 40;
pub const ADMIN_E: u64 = 50;
pub const PATIENT: u64 = 1000;

pub fn founder(index: u64) -> GenesisHospital<Test> {
	let base = 10 * (index + 1);
	GenesisHospital {
		name: alloc::format!("Hospital {}", char::from(b'A' + index as u8)),
		admin: base,
		operator: base + 1,
		aura: UintAuthorityId(100 + index),
		grandpa: UintAuthorityId(200 + index),
		nodes: alloc::vec![GenesisNode {
			peer_id: node_peer_id(index as u8),
			address: alloc::format!("/ip4/127.0.0.1/tcp/{}", 30333 + index),
		}],
	}
}

/// The node key with seed `seed` (founder `h` runs node `h`).
pub fn node_pair(seed: u8) -> sp_core::ed25519::Pair {
	use sp_core::Pair;
	sp_core::ed25519::Pair::from_seed(&[seed; 32])
}

/// The peer id of the node whose key has seed `seed`.
pub fn node_peer_id(seed: u8) -> alloc::string::String {
	use sp_core::Pair;
	medchain_primitives::peer::peer_id_of_ed25519_key(&node_pair(seed).public())
}

pub fn new_test_ext_with(
	hospitals: alloc::vec::Vec<GenesisHospital<Test>>,
) -> medchain_pallet_testing::CheckedExternalities {
	genesis(hospitals, false)
}

/// The five founders, on a chain whose genesis lets pharmacies vote on admissions.
pub fn new_test_ext_where_pharmacies_vote() -> medchain_pallet_testing::CheckedExternalities {
	genesis((0..5).map(founder).collect(), true)
}

fn genesis(
	hospitals: alloc::vec::Vec<GenesisHospital<Test>>,
	pharmacies_vote_on_admissions: bool,
) -> medchain_pallet_testing::CheckedExternalities {
	let storage = RuntimeGenesisConfig {
		system: Default::default(),
		hospitals: pallet_hospitals::GenesisConfig {
			hospitals,
			proposal_lifetime: PROPOSAL_LIFETIME,
			pharmacies_vote_on_admissions,
		},
	}
	.build_storage()
	.expect("mock genesis builds");
	let mut ext = sp_io::TestExternalities::new(storage);
	// Benchmarks generate and sign with node keys through the keystore host functions.
	ext.register_extension(sp_keystore::KeystoreExt::new(
		sp_keystore::testing::MemoryKeystore::new(),
	));
	ext.execute_with(|| System::set_block_number(1));
	medchain_pallet_testing::CheckedExternalities::new(ext, Hospitals::do_try_state)
}

pub fn new_test_ext() -> medchain_pallet_testing::CheckedExternalities {
	new_test_ext_with((0..5).map(founder).collect())
}

/// Sets a hospital's status directly, bypassing governance, to test how others react to it.
pub fn force_status(hospital: u32, status: crate::HospitalStatus) {
	crate::Hospitals::<Test>::mutate(hospital, |entry| {
		if let Some(entry) = entry {
			entry.status = status;
		}
	});
	if status == crate::HospitalStatus::Active {
		crate::Pallet::<Test>::mark_active(hospital);
	} else {
		crate::ActiveHospitals::<Test>::mutate(|active| active.retain(|id| *id != hospital));
	}
}

thread_local! {
	/// The `(delay, best_finalized)` of every stall recovery governance asked for.
	pub static STALL_RECOVERIES: core::cell::RefCell<alloc::vec::Vec<(u64, u64)>> =
		const { core::cell::RefCell::new(alloc::vec::Vec::new()) };
}

thread_local! {
	/// Hospitals whose validators stopped authoring (every hospital is live unless listed).
	pub static GONE: core::cell::RefCell<alloc::vec::Vec<u32>> =
		const { core::cell::RefCell::new(alloc::vec::Vec::new()) };
}

pub struct RecordStallRecovery;
impl medchain_primitives::StalledSetRecovery<u64> for RecordStallRecovery {
	fn recover_stalled_set(delay: u64, best_finalized: u64) {
		STALL_RECOVERIES.with(|r| r.borrow_mut().push((delay, best_finalized)));
	}

	/// The active hospitals validate; those in [`GONE`] are not live.
	fn live_validators() -> (alloc::vec::Vec<u32>, alloc::vec::Vec<u32>) {
		let validators = crate::ActiveHospitals::<Test>::get().into_inner();
		let live = GONE.with(|gone| {
			let gone = gone.borrow();
			validators.iter().copied().filter(|id| !gone.contains(id)).collect()
		});
		(live, validators)
	}
}
