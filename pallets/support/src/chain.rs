//! What every pallet may ask of the chain: its identity and the time.

use frame_support::traits::UnixTime;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::Zero;

/// The genesis block's hash: the chain's identity, which signed messages commit to so that a
/// signature is never valid on another chain.
pub fn genesis_hash<T: frame_system::Config>() -> T::Hash {
	frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero())
}

/// [`genesis_hash`] as the 32 bytes that signed messages carry.
pub fn genesis_hash_bytes<T: frame_system::Config>() -> [u8; 32] {
	medchain_primitives::shares::genesis_hash_bytes(genesis_hash::<T>().as_ref())
}

/// `Clock`'s time in Unix milliseconds (saturating far in the future).
pub fn unix_millis<Clock: UnixTime>() -> u64 {
	u64::try_from(Clock::now().as_millis()).unwrap_or(u64::MAX)
}
