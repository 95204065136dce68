//! # medchain runtime
//!
//! A feeless, permissioned runtime for a consortium of hospitals. Each hospital runs one
//! validator: Aura authors blocks in turn and GRANDPA finalizes them.
//!
//! This file is composition only: primitive types, the runtime version, block-time constants
//! and the pallet list. Pallet configuration lives in [`configs`], the runtime APIs in `apis`,
//! and the genesis presets in [`genesis_config_presets`].
//!
//! There is no balances pallet and no transaction payment: hospitals are known members, so
//! spam is controlled by permissioning rather than by fees.

#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(test, allow(clippy::arithmetic_side_effects, reason = "tests compute expected values"))]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

// Before `apis`: it defines the `list_benchmarks!`/`add_benchmarks!` macros `apis` uses.
#[cfg(feature = "runtime-benchmarks")]
#[macro_use]
pub mod benchmarks;
pub mod apis;
pub mod configs;
pub mod genesis_config_presets;
pub mod local_network;
#[cfg(feature = "std")]
pub mod test_chain;
pub mod transaction;

extern crate alloc;

use alloc::vec::Vec;
use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature,
};
use sp_version::RuntimeVersion;

pub use frame_system::Call as SystemCall;
pub use pallet_timestamp::Call as TimestampCall;

/// Opaque types: what the node needs to know about the runtime without knowing its calls.
pub mod opaque {
	use super::*;
	use sp_runtime::{generic, traits::Hash as HashT};

	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block identifier type.
	pub type BlockId = generic::BlockId<Block>;
	/// Opaque block hash type.
	pub type Hash = <BlakeTwo256 as HashT>::Output;
}

impl_opaque_keys! {
	/// The keys a hospital validator holds in its node's keystore.
	pub struct SessionKeys {
		pub aura: Aura,
		pub grandpa: Grandpa,
	}
}

/// Declares [`VERSION`] with spec version `$spec` (the attribute needs a literal).
macro_rules! runtime_version {
	($spec:tt) => {
		/// The runtime's version; `spec_version` goes up with every runtime change.
		#[sp_version::runtime_version]
		pub const VERSION: RuntimeVersion = RuntimeVersion {
			spec_name: alloc::borrow::Cow::Borrowed("medchain"),
			impl_name: alloc::borrow::Cow::Borrowed("medchain"),
			authoring_version: 1,
			spec_version: $spec,
			impl_version: 1,
			apis: apis::RUNTIME_API_VERSIONS,
			// 2: `propose_hospital` takes node proofs; new calls in hospitals, records and shares.
			// 3: `AnchorRequest` carries prescription terms; `propose_pharmacy`, `fill`.
			transaction_version: 3,
			system_version: 1,
		};
	};
}

#[cfg(all(feature = "std", feature = "upgrade-drill"))]
compile_error!(
	"`upgrade-drill` is for the drill's wasm only: natively it would give the node its version"
);

#[cfg(not(feature = "upgrade-drill"))]
runtime_version!(107);
// The same runtime one spec version later: the code the runtime-upgrade drill installs
// (`runtime/upgrade-drill`). Never a release.
#[cfg(feature = "upgrade-drill")]
runtime_version!(108);

/// Block time: 2 seconds. See `docs/chain.md` ("Block time") for why.
pub const MILLI_SECS_PER_BLOCK: u64 = 2000;

/// Aura slots are exactly one block long.
pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;

/// Block counts for common durations, at [`MILLI_SECS_PER_BLOCK`].
pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
pub const HOURS: BlockNumber = MINUTES * 60;
pub const DAYS: BlockNumber = HOURS * 24;

/// How many recent block hashes are kept (for mortal transactions and reorg lookups).
pub const BLOCK_HASH_COUNT: BlockNumber = 2400;

/// A block number.
pub type BlockNumber = u32;

/// Signature of a transaction; hospitals and patients use sr25519 keys.
pub type Signature = MultiSignature;

/// An account id: the public key behind a [`Signature`].
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;

/// An index to a block.
pub type Nonce = u32;

/// A hash of some data used by the chain.
pub type Hash = sp_core::H256;

/// The address format for describing accounts.
pub type Address = MultiAddress<AccountId, ()>;

/// Block header type as expected by this runtime.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;

/// Block type as expected by this runtime.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;

/// A block signed with a justification, as the node stores it.
pub type SignedBlock = generic::SignedBlock<Block>;

/// The checks every signed transaction carries. There is no payment extension: medchain is
/// feeless. `CheckPermission` comes before `CheckNonce`, so a non-member's transaction is
/// refused before anything about its account is looked at or written.
pub type TxExtension = (
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	pallet_hospitals::CheckPermission<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// The transaction extension of a transaction valid during `era` with `nonce`: the one place
/// that builds it, for the node, clients and tests alike.
pub fn tx_extension(era: generic::Era, nonce: Nonce) -> TxExtension {
	(
		frame_system::CheckNonZeroSender::new(),
		frame_system::CheckSpecVersion::new(),
		frame_system::CheckTxVersion::new(),
		frame_system::CheckGenesis::new(),
		frame_system::CheckEra::from(era),
		pallet_hospitals::CheckPermission::new(),
		frame_system::CheckNonce::from(nonce),
		frame_system::CheckWeight::new(),
		frame_system::WeightReclaim::new(),
	)
}

/// Unchecked extrinsic type as expected by this runtime.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;

/// The payload being signed in transactions.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Storage migrations, run by `Executive` once after a runtime upgrade. A change to a
/// pallet's storage layout bumps its `STORAGE_VERSION` and adds a
/// `frame_support::migrations::VersionedMigration` here; remove one once every chain has run
/// it. `try-runtime` (`--features try-runtime`) checks them with `pre_upgrade`,
/// `post_upgrade` and every pallet's `try_state`.
pub type Migrations = (
	// Pharmacies, prescriptions and the (record, accessor) index: new storage only, so only
	// the versions move.
	pallet_hospitals::migrations::MigrateV0ToV1<Runtime>,
	pallet_records::migrations::MigrateV0ToV1<Runtime>,
	pallet_access_log::migrations::MigrateV0ToV1<Runtime>,
);

/// Executive: handles dispatch to the various pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

// Pallet indices are explicit and never reused: they are part of every encoded call.
// 0-9 are the Substrate base; medchain's own pallets start at 10.
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
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;

	#[runtime::pallet_index(2)]
	pub type Aura = pallet_aura;

	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;

	#[runtime::pallet_index(4)]
	pub type Sudo = pallet_sudo;

	#[runtime::pallet_index(10)]
	pub type Hospitals = pallet_hospitals;

	#[runtime::pallet_index(11)]
	pub type ValidatorSet = pallet_validator_set;

	#[runtime::pallet_index(12)]
	pub type Records = pallet_records;

	#[runtime::pallet_index(13)]
	pub type Shares = pallet_shares;

	#[runtime::pallet_index(14)]
	pub type AccessLog = pallet_access_log;
}
