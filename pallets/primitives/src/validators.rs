//! The validator set as the registry decides it, and the consortium runtime API the node reads.

use alloc::vec::Vec;

use crate::HospitalId;

/// The hospitals entitled to validate, with their block-authoring and finality keys.
pub trait ValidatorRegistry {
	/// A validator's block-authoring (Aura) key.
	type AuraId;
	/// A validator's finality (GRANDPA) key.
	type GrandpaId;

	/// Every active hospital's `(id, Aura key, GRANDPA key)`, in ascending id order.
	fn active_validators() -> Vec<(HospitalId, Self::AuraId, Self::GrandpaId)>;
}

/// Forces a new GRANDPA set when finality has stalled; governance calls it.
pub trait StalledSetRecovery<BlockNumber> {
	/// Schedules a forced change to the registry's current validators. Nodes apply it once the
	/// signalling block is `delay` blocks deep on their best chain, and the new set votes on
	/// top of `best_finalized`.
	fn recover_stalled_set(delay: BlockNumber, best_finalized: BlockNumber);

	/// The hospitals of the current validator set whose validator authored a block recently
	/// enough to count as live (whatever their registry status: a suspended validator still
	/// votes in GRANDPA until the change is enacted), and all hospitals of the set (as Aura
	/// uses it and GRANDPA was signalled). Live comes first.
	fn live_validators() -> (Vec<HospitalId>, Vec<HospitalId>);
}

impl<BlockNumber> StalledSetRecovery<BlockNumber> for () {
	fn recover_stalled_set(_: BlockNumber, _: BlockNumber) {}

	fn live_validators() -> (Vec<HospitalId>, Vec<HospitalId>) {
		(Vec::new(), Vec::new())
	}
}

sp_api::decl_runtime_apis! {
	/// What a medchain node reads from its chain's consortium registry.
	pub trait ConsortiumApi {
		/// `(peer id, multiaddr)` of every node of every active hospital, both as UTF-8 text.
		fn authorized_nodes() -> Vec<(Vec<u8>, Vec<u8>)>;

		/// The hospitals in the current validator set, in authority order.
		fn validators() -> Vec<HospitalId>;
	}
}
