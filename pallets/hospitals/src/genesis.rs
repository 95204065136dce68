//! The founding hospitals, as the genesis config lists them.
//!
//! Genesis runs when a chain spec is built, never inside a block. The runtime's `build_state`
//! admits the founders with [`admit_founders`] before the other pallets' genesis, so a malformed
//! entry stops the build with a message naming the hospital and the problem.

use alloc::{format, string::String, vec::Vec};
use frame_support::{pallet_prelude::Get, BoundedVec};

use crate::{Config, HospitalNode, NewHospital, Pallet};

/// One node of a founding hospital.
#[derive(Clone, Debug, PartialEq, Eq, frame_support::Serialize, frame_support::Deserialize)]
#[serde(crate = "frame_support::__private::serde", rename_all = "camelCase", deny_unknown_fields)]
pub struct GenesisNode {
	/// Base58 peer id, e.g. `12D3KooW…`.
	pub peer_id: String,
	/// Multiaddr other members dial, e.g. `/dns/node.hospital-a.example/tcp/30333`.
	pub address: String,
}

/// A founding hospital.
#[derive(
	frame_support::CloneNoBound,
	frame_support::DebugNoBound,
	frame_support::PartialEqNoBound,
	frame_support::Serialize,
	frame_support::Deserialize,
)]
#[serde(crate = "frame_support::__private::serde", rename_all = "camelCase", deny_unknown_fields)]
#[serde(bound = "")]
pub struct GenesisHospital<T: Config> {
	/// The hospital's name, at most `MaxNameLength` bytes.
	pub name: String,
	/// Governance account.
	pub admin: T::AccountId,
	/// Day-to-day signing account; differs from `admin`.
	pub operator: T::AccountId,
	/// Block authoring key.
	pub aura: T::AuraId,
	/// Finality voting key.
	pub grandpa: T::GrandpaId,
	/// The nodes the hospital runs, at most `MaxNodesPerHospital`.
	pub nodes: Vec<GenesisNode>,
}

fn bounded<S: Get<u32>>(
	text: &str,
	what: &str,
	hospital: &str,
) -> Result<BoundedVec<u8, S>, String> {
	BoundedVec::try_from(text.as_bytes().to_vec())
		.map_err(|_| format!("genesis: {what} of {hospital} is longer than {} bytes", S::get()))
}

/// Admits the founding hospitals with ids 0, 1, … through the same checks and admission as a
/// governance proposal; stops at the first that fails them, with its reason.
pub fn admit_founders<T: Config>(hospitals: &[GenesisHospital<T>]) -> Result<(), String> {
	for founder in hospitals {
		let name = founder.name.as_str();
		let mut nodes = BoundedVec::<HospitalNode<T>, T::MaxNodesPerHospital>::new();
		for node in &founder.nodes {
			let peer_id = bounded::<T::MaxPeerIdLength>(&node.peer_id, "a peer id", name)?;
			let address = bounded::<T::MaxAddressLength>(&node.address, "a node address", name)?;
			nodes.try_push(HospitalNode { peer_id, address }).map_err(|_| {
				format!("genesis: {name} lists more than {} nodes", T::MaxNodesPerHospital::get())
			})?;
		}
		let new = NewHospital {
			name: bounded::<T::MaxNameLength>(name, "the name", name)?,
			admin: founder.admin.clone(),
			operator: founder.operator.clone(),
			aura: founder.aura.clone(),
			grandpa: founder.grandpa.clone(),
			nodes,
		};
		Pallet::<T>::check_new_hospital(&new)
			.map_err(|error| format!("genesis: {name} can't be admitted: {error:?}"))?;
		Pallet::<T>::admit(new);
	}
	Ok(())
}
