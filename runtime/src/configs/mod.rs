//! Each pallet's configuration. `frame_system` starts from the solochain defaults
//! (`derive_impl`) and overrides what differs; every other pallet names each item, with a
//! comment where the value is a decision (a limit, a quota, a delay).

mod permissions;

pub use permissions::RolePermissions;

use frame_support::{
	derive_impl, parameter_types,
	traits::ConstU32,
	weights::{
		constants::{WEIGHT_REF_TIME_PER_MICROS, WEIGHT_REF_TIME_PER_SECOND},
		RuntimeDbWeight, Weight,
	},
};
use frame_system::limits::{BlockLength, BlockWeights};
use medchain_pallet_support::{EnsureHospitalOperator, EnsurePharmacyOperator};
use medchain_primitives::prescription;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_runtime::Perbill;
use sp_version::RuntimeVersion;

// `derive_impl` fills `RuntimeOrigin`, `RuntimeTask` and `PalletInfo` from these names.
use super::{
	AccessLog, AccountId, Aura, Block, BlockNumber, Hash, Hospitals, Nonce, PalletInfo, Records,
	Runtime, RuntimeCall, RuntimeEvent, RuntimeOrigin, RuntimeTask, Shares, Signature, Timestamp,
	ValidatorSet, BLOCK_HASH_COUNT, SLOT_DURATION, VERSION,
};

/// Normal transactions may fill 75% of a block; the rest is kept for operational ones
/// (governance votes and key rotations) so a flood of normal transactions can't delay them.
const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);

parameter_types! {
	/// What a state read and a state write cost a node importing a block, calibrated on the
	/// reference machine (2 cores): ParityDB alone takes 1.3 µs a random read and 13 µs a flushed
	/// write (`scripts/measure.sh db-weights`); a write in a block also rewrites trie nodes, and
	/// 20 µs makes a full block of anchors cost what its import measures
	/// (`scripts/bench-anchoring.sh`, "Honest weights"). Substrate's `ParityDbWeight` (8 µs,
	/// 50 µs) charged a full block of anchors about 2.6 times its import time.
	pub const MeasuredDbWeight: RuntimeDbWeight = RuntimeDbWeight {
		read: 2 * WEIGHT_REF_TIME_PER_MICROS,
		write: 20 * WEIGHT_REF_TIME_PER_MICROS,
	};
}

parameter_types! {
	pub const BlockHashCount: BlockNumber = BLOCK_HASH_COUNT;
	pub const Version: RuntimeVersion = VERSION;

	/// A block may use one second of compute, half the 2-second slot: the author finishes it
	/// within its proposal time (two thirds of the slot), and import and gossip fit in the rest.
	/// Weights are priced honestly ([`MeasuredDbWeight`]), so a full block takes about that.
	pub RuntimeBlockWeights: BlockWeights = BlockWeights::with_sensible_defaults(
		Weight::from_parts(WEIGHT_REF_TIME_PER_SECOND, u64::MAX),
		NORMAL_DISPATCH_RATIO,
	);
	pub RuntimeBlockLength: BlockLength = BlockLength::builder()
		.max_length(5 * 1024 * 1024)
		.modify_max_length_for_class(frame_support::dispatch::DispatchClass::Normal, |len| {
			*len = NORMAL_DISPATCH_RATIO.mul_floor(*len)
		})
		.build();
	/// Generic Substrate address format (prefix 42), so standard wallets show addresses.
	pub const SS58Prefix: u8 = 42;
}

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type Block = Block;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockHashCount = BlockHashCount;
	type DbWeight = MeasuredDbWeight;
	type Version = Version;
	/// No balances: accounts carry no data. Accounts are admitted by a provider reference.
	type AccountData = ();
	type SS58Prefix = SS58Prefix;
	type MaxConsumers = ConstU32<16>;
}

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type DisabledValidators = ();
	/// One Aura authority per hospital; 32 leaves ample room for a large consortium.
	type MaxAuthorities = ConstU32<32>;
	type AllowMultipleBlocksPerSlot = frame_support::traits::ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<32>;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = frame_support::traits::ConstU64<0>;
	/// Equivocation reports are not used: misbehaving hospitals are handled by governance.
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

impl pallet_timestamp::Config for Runtime {
	/// Aura reads the time from the timestamp inherent.
	type Moment = u64;
	type OnTimestampSet = Aura;
	type MinimumPeriod = frame_support::traits::ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = ();
}

impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// Two thirds of the active hospitals (the target counted, its vote not) approve a proposal.
	pub const ApprovalThreshold: (u32, u32) = (2, 3);
	/// The rolling window of every per-day quota.
	pub const QuotaPeriod: BlockNumber = crate::DAYS;
}

impl pallet_hospitals::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type AuraId = AuraId;
	type AuraProof = <AuraId as sp_runtime::RuntimeAppPublic>::ProofOfPossession;
	type GrandpaId = pallet_grandpa::AuthorityId;
	type GrandpaProof =
		<pallet_grandpa::AuthorityId as sp_runtime::RuntimeAppPublic>::ProofOfPossession;
	/// As many as there can be Aura and GRANDPA authorities.
	type MaxHospitals = ConstU32<32>;
	/// Pharmacies don't validate, so no authority limit binds them: a regional consortium's
	/// dispensing pharmacies.
	type MaxPharmacies = ConstU32<64>;
	/// Below four validators, one faulty validator halts GRANDPA finality.
	type MinActiveHospitals = ConstU32<4>;
	type ApprovalThreshold = ApprovalThreshold;
	type MaxNameLength = ConstU32<64>;
	/// A hospital typically runs a validator and a standby.
	type MaxNodesPerHospital = ConstU32<4>;
	/// An ed25519 peer id is 52 bytes of base58.
	type MaxPeerIdLength = ConstU32<64>;
	type MaxAddressLength = ConstU32<128>;
	type CallPermissions = RolePermissions;
	/// Enough for a busy hospital's node in one 2-second block; bulk work uses batch calls.
	type MaxExtrinsicsPerBlock = ConstU32<128>;
	/// All of one hospital's patients together: a patient app sends a handful of transactions
	/// a day, so 32 per 2-second block (~1.4 million a day) is ample, and minting pseudonyms buys
	/// no more block space.
	type MaxPatientExtrinsicsPerBlock = ConstU32<32>;
	/// A large hospital registers a few hundred new patients a day; 2,000 leaves room for a
	/// mass-casualty day and bounds the signers one (stolen) operator key can mint.
	type MaxRegistrationsPerPeriod = ConstU32<2_000>;
	type QuotaPeriod = QuotaPeriod;
	/// Governance is rare; four open proposals per admin is enough and bounds the storage.
	type MaxOpenProposals = ConstU32<4>;
	/// A forced GRANDPA change waits at most 5 minutes.
	type MaxRecoveryDelay = ConstU32<{ 5 * crate::MINUTES }>;
	type StallRecovery = ValidatorSet;
	type WeightInfo = pallet_hospitals::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	/// Anchors per `anchor_batch`: see `pallet_records` and `docs/chain.md` ("Record anchoring").
	pub const MaxAnchorBatch: u32 = 256;
	/// Record ids per runtime API page.
	pub const MaxRecordsPageSize: u32 = 1_000;
}

parameter_types! {
	pub const MaxPrescriptionValidity: u64 = prescription::MAX_VALIDITY_MILLIS;
}

impl pallet_records::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Hospitals = Hospitals;
	type OperatorOrigin = EnsureHospitalOperator<Hospitals, AccountId>;
	type Patients = Hospitals;
	type UnixTime = Timestamp;
	type MaxBatchSize = MaxAnchorBatch;
	/// A 1,000-bed hospital produces some 20,000–50,000 documents a day (labs, notes, images);
	/// a million a day covers that twenty times over, so a hospital can back-fill its archive
	/// in days, and still bounds what one (stolen) operator key can write.
	type MaxAnchorsPerPeriod = ConstU32<1_000_000>;
	type QuotaPeriod = QuotaPeriod;
	type MaxPageSize = MaxRecordsPageSize;
	type MaxRefills = ConstU32<{ prescription::MAX_REFILLS }>;
	type MaxPrescriptionValidity = MaxPrescriptionValidity;
	type PharmacyOrigin = EnsurePharmacyOperator<Hospitals, AccountId>;
	type Accesses = AccessLog;
	type WeightInfo = pallet_records::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = crate::benchmarks::BenchmarkHelpers;
}

parameter_types! {
	/// Records one grant or consent request may name.
	pub const MaxRecordsPerGrant: u32 = 32;
	/// Unexpired consent requests one hospital may have waiting for one patient. With at most
	/// `MaxHospitals` hospitals a patient's inbox holds at most 64, and no group of hospitals
	/// can fill it for another.
	pub const MaxPendingPerRequester: u32 = 2;
	/// Unexpired grants one patient may hold: a patient shares with a few providers at a time.
	pub const MaxGrantsPerPatient: u32 = 64;
	/// Grants and consent requests per hospital (with its patients) per 2-second block:
	/// ~170,000 a day.
	pub const MaxNewSharesPerHospitalPerBlock: u32 = 4;
	/// Expired grants, and expired consent requests, removed per block: the most that can be
	/// created in one block (`MaxHospitals` × `MaxNewSharesPerHospitalPerBlock`), so pruning
	/// keeps pace with creation (`limits.rs` checks it).
	pub const MaxPrunedPerBlock: u32 = 128;
	/// An expired grant stays a day, so its token holder is told it expired, then is pruned.
	pub const GrantRetention: BlockNumber = crate::DAYS;
	/// A signed consent must be submitted within a day.
	pub const MaxConsentValidity: BlockNumber = crate::DAYS;
	/// Grants or consent requests per runtime API page.
	pub const MaxSharesPageSize: u32 = 100;
	/// Access entries per runtime API page.
	pub const MaxAccessPageSize: u32 = 500;
}

impl pallet_shares::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Hospitals = Hospitals;
	type OperatorOrigin = EnsureHospitalOperator<Hospitals, AccountId>;
	type Patients = Hospitals;
	type Records = Records;
	type PatientSignature = Signature;
	type MaxRecordsPerGrant = MaxRecordsPerGrant;
	type MaxPendingPerRequester = MaxPendingPerRequester;
	type MaxGrantsPerPatient = MaxGrantsPerPatient;
	type MaxNewSharesPerHospitalPerBlock = MaxNewSharesPerHospitalPerBlock;
	type MaxPrunedPerBlock = MaxPrunedPerBlock;
	type GrantRetention = GrantRetention;
	type MaxConsentValidity = MaxConsentValidity;
	type MaxPageSize = MaxSharesPageSize;
	type WeightInfo = pallet_shares::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = crate::benchmarks::BenchmarkHelpers;
}

impl pallet_access_log::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type OperatorOrigin = EnsureHospitalOperator<Hospitals, AccountId>;
	/// Pharmacies open shared prescriptions, to fill them.
	type PharmacyOrigin = EnsurePharmacyOperator<Hospitals, AccountId>;
	type Patients = Hospitals;
	type Records = Records;
	type Grants = Shares;
	type UnixTime = Timestamp;
	type MaxPageSize = MaxAccessPageSize;
	type QuotaPeriod = QuotaPeriod;
	/// Grant accesses a hospital logs a day: a busy hospital reads a few thousand shared
	/// records a day; 20,000 bounds a stolen operator key's spam of permanent entries.
	type MaxAccessesPerHospital = ConstU32<20_000>;
	/// A patient reading their own records: 100 a day is far more than any person needs.
	type MaxPatientAccesses = ConstU32<100>;
	/// All patients of one hospital reading their own records, together: 20,000 a day.
	type MaxPatientAccessesPerHospital = ConstU32<20_000>;
	type WeightInfo = pallet_access_log::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = crate::benchmarks::BenchmarkHelpers;
}

impl pallet_validator_set::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Registry = Hospitals;
	/// As `MinActiveHospitals`: below four validators one fault halts finality.
	type MinValidators = ConstU32<4>;
	/// A validator that authored nothing for a minute (its turn comes every 2 s × validators)
	/// counts as gone for a stall recovery.
	type LivenessWindow = frame_support::traits::ConstU64<60_000>;
	type WeightInfo = pallet_validator_set::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = crate::benchmarks::BenchmarkHelpers;
}
