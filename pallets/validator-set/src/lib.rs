//! # Validator set pallet
//!
//! Makes the consortium registry's active hospitals the chain's validators: their Aura keys
//! author blocks, their GRANDPA keys vote on finality.
//!
//! ## Sessions
//! Every `SessionLength` blocks (a genesis parameter) a session starts. If the registry's
//! active hospitals differ from the current validators, the new set is queued and applied at
//! once: a GRANDPA change (standard, no delay: nodes enact it when the signalling block is
//! finalized) with `CurrentSetId` incremented, and the Aura authorities changed. While an
//! earlier GRANDPA change is still pending the queued set waits and is retried every block, and
//! a later session replaces it with the registry's newer state, so no change is lost.
//!
//! A set smaller than `MinValidators` is refused unless it grows the current set: below four
//! validators one fault halts finality.
//!
//! ## Stalled finality
//! When more than a third of the GRANDPA voters are gone for good (hardware lost, keys lost,
//! hospital gone), finality stops and no standard change can ever be enacted, because enacting
//! one needs finality. Governance then suspends the dead hospitals and votes
//! `RecoverStalledSet { delay, best_finalized }` (see `pallet_hospitals`); this pallet turns it
//! into a *forced* GRANDPA change to the registry's active hospitals, which nodes apply once the
//! signalling block is `delay` blocks deep on their best chain, the new set voting on top of
//! block `best_finalized` (the highest block every new voter has finalized).
//!
//! `pallet_grandpa`'s own session handler needs `pallet-session` (and a hold currency, which a
//! feeless chain has no use for); this pallet is its small replacement: sessions of a fixed
//! number of blocks, and the validator set taken from the registry at each boundary.

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]
#![cfg_attr(test, allow(clippy::arithmetic_side_effects, reason = "tests compute expected values"))]

extern crate alloc;

pub use pallet::*;

#[cfg(any(feature = "try-runtime", test))]
mod try_state;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
mod rotation;
#[cfg(test)]
mod tests;
pub mod weights;

pub use weights::WeightInfo;

/// Counts sessions from genesis (session 0).
pub type SessionIndex = u32;

/// Blocks per session when a chain spec does not say.
pub const DEFAULT_SESSION_LENGTH: u32 = 100;

/// Sets up a registry of `count` active validators, for benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper {
	/// Makes the registry list `count` active validators.
	fn set_active_validators(count: u32);
}

/// The pallet itself: config, storage, genesis, hooks and events (see the crate docs).
// The `#[pallet::storage]` expansion calls `expect` on the pallet's name in the runtime (set by
// `construct_runtime!`); this pallet's own code never does (the workspace denies it).
#[allow(clippy::expect_used, reason = "expanded by #[pallet::storage]")]
#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;
	use medchain_primitives::{HospitalId, ValidatorRegistry};
	use sp_runtime::traits::One;

	/// A validator: its hospital, Aura key and GRANDPA key.
	pub type ValidatorOf<T> =
		(HospitalId, <T as pallet_aura::Config>::AuthorityId, pallet_grandpa::AuthorityId);

	/// A whole validator set, at most as large as Aura allows.
	pub type ValidatorSetOf<T> =
		BoundedVec<ValidatorOf<T>, <T as pallet_aura::Config>::MaxAuthorities>;

	/// The layout of this pallet's storage. Bump it with every change to the layout, and add
	/// the migration to the runtime's `Migrations`.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	/// The validator set pallet.
	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// The pallet's configuration trait.
	#[pallet::config]
	pub trait Config: frame_system::Config + pallet_aura::Config + pallet_grandpa::Config {
		/// The overarching event type.
		#[allow(deprecated)]
		type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;

		/// Who is entitled to validate: the consortium registry.
		type Registry: ValidatorRegistry<
			AuraId = <Self as pallet_aura::Config>::AuthorityId,
			GrandpaId = pallet_grandpa::AuthorityId,
		>;

		/// A change to fewer than this many validators is refused unless it grows the current
		/// set; a stall recovery is exempt.
		#[pallet::constant]
		type MinValidators: Get<u32>;

		/// How long (in milliseconds of slot time) a validator may go without authoring a
		/// block and still count as live for a stall recovery; never less than three rounds of
		/// the current validators' slots.
		#[pallet::constant]
		type LivenessWindow: Get<u64>;

		/// Weights of this pallet's `on_initialize` work.
		type WeightInfo: WeightInfo;

		/// Sets up the registry for benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper;
	}

	/// Blocks per session; set at genesis.
	#[pallet::storage]
	pub type SessionLength<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// The session in progress.
	#[pallet::storage]
	pub type CurrentSession<T: Config> = StorageValue<_, SessionIndex, ValueQuery>;

	/// The hospitals of the current validator set, in authority order.
	#[pallet::storage]
	pub type Validators<T: Config> = StorageValue<
		_,
		BoundedVec<HospitalId, <T as pallet_aura::Config>::MaxAuthorities>,
		ValueQuery,
	>;

	/// A set that differs from the current one and waits for the earlier GRANDPA change to end.
	#[pallet::storage]
	pub type QueuedSet<T: Config> = StorageValue<_, ValidatorSetOf<T>>;

	/// `(delay, best_finalized)` of a forced change governance asked for, until it is scheduled.
	#[pallet::storage]
	pub type StallRecovery<T: Config> = StorageValue<_, (BlockNumberFor<T>, BlockNumberFor<T>)>;

	/// The start (Unix milliseconds) of the Aura slot in which each validator last authored.
	#[pallet::storage]
	pub type LastAuthored<T: Config> = StorageMap<_, Twox64Concat, HospitalId, u64>;

	/// The slot time of the latest block, and since when blocks have come without a gap longer
	/// than the liveness window (genesis or a chain-wide halt restarts it). Until a full window
	/// has been observed, every validator counts as live: a validator that simply had no turn
	/// yet must not look gone.
	#[pallet::storage]
	pub type ObservedSince<T: Config> = StorageValue<_, (u64, u64)>;

	/// The session length; the initial validators are the registry's founders.
	#[pallet::genesis_config]
	pub struct GenesisConfig<T: Config> {
		/// Blocks per session (zero is read as one).
		pub session_length: BlockNumberFor<T>,
	}

	impl<T: Config> Default for GenesisConfig<T> {
		fn default() -> Self {
			Self { session_length: DEFAULT_SESSION_LENGTH.into() }
		}
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			// A session of zero blocks would never end; it is read as one block.
			SessionLength::<T>::put(self.session_length.max(One::one()));
			Pallet::<T>::initialize_authorities();
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}

		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let max = <T as pallet_aura::Config>::MaxAuthorities::get();
			// Unmeasured: the digest, the slot, the validators, the observation; two writes.
			let noted = T::DbWeight::get().reads_writes(4, 2);
			Self::note_author();
			noted.saturating_add(if Self::is_session_boundary(now) {
				Self::start_session();
				<T as Config>::WeightInfo::start_session(max)
			} else if QueuedSet::<T>::exists() || StallRecovery::<T>::exists() {
				Self::apply_queued();
				<T as Config>::WeightInfo::start_session(max)
			} else {
				<T as Config>::WeightInfo::on_initialize_idle()
			})
		}
	}

	/// Events of the validator set pallet.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// Session `index` started; `changed` if the registry's validators differ from the
		/// current set.
		NewSession {
			/// The session that started.
			index: SessionIndex,
			/// Whether the registry's validators differ from the current set.
			changed: bool,
		},
		/// The set changed: Aura authorities now, GRANDPA set `set_id` once nodes enact it.
		ValidatorSetChanged {
			/// The session in which the change was scheduled.
			session: SessionIndex,
			/// The id of the new GRANDPA set.
			set_id: u64,
			/// The hospitals of the new set, in authority order.
			validators: BoundedVec<HospitalId, <T as pallet_aura::Config>::MaxAuthorities>,
			/// Whether it is a forced change, for a stall recovery.
			forced: bool,
		},
		/// An earlier GRANDPA change is still pending; the new set is retried every block.
		ValidatorSetChangeDeferred {
			/// The session whose change waits.
			session: SessionIndex,
		},
		/// The new set is empty, or has fewer than `MinValidators` and would shrink the current
		/// set; it is dropped and the current set stays.
		ValidatorSetTooSmall {
			/// The current session.
			session: SessionIndex,
			/// How many validators the refused set has.
			validators: u32,
		},
		/// The registry has more validators than Aura's `MaxAuthorities`; the current set stays.
		ValidatorSetTooLarge {
			/// The current session.
			session: SessionIndex,
			/// How many validators the registry has.
			validators: u32,
		},
		/// Governance asked for a forced change to recover stalled finality.
		StallRecoveryRequested {
			/// Blocks the signalling block must be deep before nodes apply the change.
			delay: BlockNumberFor<T>,
			/// The block the new set votes on top of.
			best_finalized: BlockNumberFor<T>,
		},
	}
}
