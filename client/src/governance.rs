//! Governance by the consortium's admins: a proposal, and the votes that pass it. Used by
//! the multi-node tests (the `medchain` CLI signs the same calls with `tx`).

use medchain_runtime::{Runtime, RuntimeCall, RuntimeEvent};
use pallet_hospitals::{Event, ProposalId};
use sp_core::sr25519;

use crate::{
	chain::Chain,
	tx::{self, Head, Included},
};

/// Submits the hospitals pallet's `call` signed by admin `signer`, and follows it to `head`.
pub async fn submit(
	chain: &Chain,
	signer: &sr25519::Pair,
	call: pallet_hospitals::Call<Runtime>,
	head: Head,
) -> crate::Result<Included> {
	tx::submit_and_follow(chain, signer, RuntimeCall::Hospitals(call), head).await
}

/// A proposal that passed: its id, and the block and events of the vote that executed it.
pub struct Passed {
	/// The proposal's id.
	pub id: ProposalId,
	/// The block of the executing vote.
	pub block: sp_core::H256,
	/// The executing vote's events.
	pub events: Vec<RuntimeEvent>,
}

/// `proposer` proposes (`call` is `propose` or `propose_hospital`); `voters` approve in turn
/// until the proposal executes. Fails if it opens no proposal, if a vote fails, or if it has
/// not executed after every voter.
pub async fn pass(
	chain: &Chain,
	proposer: &sr25519::Pair,
	voters: &[sr25519::Pair],
	call: pallet_hospitals::Call<Runtime>,
	head: Head,
) -> crate::Result<Passed> {
	let proposed = submit(chain, proposer, call, head).await?;
	let id = proposed.proposal_id().ok_or_else(|| format!("no proposal: {:?}", proposed.error))?;
	let executed = RuntimeEvent::Hospitals(Event::Executed { id });
	if proposed.events.contains(&executed) {
		// The proposer's approval alone was enough (a consortium of one or two).
		return Ok(Passed { id, block: proposed.block, events: proposed.events });
	}
	for voter in voters {
		let vote = submit(chain, voter, pallet_hospitals::Call::vote { id }, head).await?;
		let block = vote.block;
		let events = vote.succeeded()?;
		if events.contains(&executed) {
			return Ok(Passed { id, block, events });
		}
	}
	Err(format!("proposal {id} did not execute after {} votes", voters.len()))
}
