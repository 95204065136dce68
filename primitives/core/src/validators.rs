//! The validator set as the registry decides it, stall recovery, and the nodes the registry admits.

use alloc::vec::Vec;

use codec::{Decode, Encode};
use scale_info::TypeInfo;

use crate::HospitalId;

/// A node the consortium admits to its network, as the registry lists it.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct AuthorizedNode {
	/// The node's libp2p peer id (`12D3KooW…`), as UTF-8 text.
	pub peer_id: Vec<u8>,
	/// The multiaddr it listens on, as UTF-8 text.
	pub address: Vec<u8>,
}

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
