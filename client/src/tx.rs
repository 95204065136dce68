//! Signed transactions: built as the runtime says (`medchain_runtime::transaction`), signed with an sr25519 key, submitted, and followed
//! until a finalized block includes them (or, while finality is stalled, a block of the best
//! chain). Every read goes through [`Chain`].

use std::time::Duration;

use codec::Encode;
use medchain_runtime::{
	transaction::{mortal_era, UnsignedTransaction},
	RuntimeCall, RuntimeEvent,
};
use sp_core::{sr25519, Pair, H256};
use sp_runtime::{DispatchError, MultiSignature};

use crate::{chain::Chain, rpc::wait_until};

/// How long to wait for a finalized block to include a submitted transaction.
const INCLUSION_TIMEOUT: Duration = Duration::from_secs(90);

/// The outcome of an included transaction: its block, its events, and its dispatch error if
/// it failed.
#[derive(Debug)]
pub struct Included {
	/// The block that includes it.
	pub block: H256,
	/// Its events.
	pub events: Vec<RuntimeEvent>,
	/// Why it failed, if it did.
	pub error: Option<DispatchError>,
}

/// The id of the proposal a governance transaction opened, from its events.
pub fn proposal_opened(events: &[RuntimeEvent]) -> Option<pallet_hospitals::ProposalId> {
	events.iter().find_map(|event| match event {
		RuntimeEvent::Hospitals(pallet_hospitals::Event::Proposed { id, .. }) => Some(*id),
		_ => None,
	})
}

/// The id of the access entry an access transaction logged, from its events.
pub fn access_recorded(events: &[RuntimeEvent]) -> Option<medchain_primitives::access::AccessId> {
	events.iter().find_map(|event| match event {
		RuntimeEvent::AccessLog(pallet_access_log::Event::AccessRecorded { access, .. }) => {
			Some(*access)
		}
		_ => None,
	})
}

impl Included {
	/// The id of the proposal this governance transaction opened, if it opened one.
	pub fn proposal_id(&self) -> Option<pallet_hospitals::ProposalId> {
		proposal_opened(&self.events)
	}

	/// The events, or the dispatch error as text, by name (`Shares(ConsentRequestNotFound)`).
	pub fn succeeded(self) -> crate::Result<Vec<RuntimeEvent>> {
		match self.error {
			None => Ok(self.events),
			Some(error) => Err(format!(
				"the chain refused it in block {:?}: {}",
				self.block,
				error_name(error)
			)),
		}
	}
}

/// `call` signed by `signer`: mortal from the best block, with the pool-aware next nonce.
pub async fn sign(
	chain: &Chain,
	signer: &sr25519::Pair,
	call: RuntimeCall,
) -> crate::Result<Vec<u8>> {
	let nonce = chain.next_nonce(&signer.public()).await?;
	let version = chain.runtime_version().await?;
	let genesis = chain.genesis_hash().await?;
	let (era, birth) = mortal_era(chain.finalized_number().await?);
	let birth_hash = chain.block_hash(birth).await?.ok_or(format!("no block #{birth}"))?;
	let version = (version.spec_version, version.transaction_version);
	let unsigned = UnsignedTransaction::new(call, nonce, era, birth_hash, genesis, version);
	let signature = MultiSignature::Sr25519(signer.sign(&unsigned.signing_bytes()));
	Ok(unsigned.signed(signer.public().into(), signature).encode())
}

/// A dispatch error by name: the pallet and its error (`Shares(ConsentRequestNotFound)`), or
/// the error itself when it is not a pallet's.
pub fn error_name(error: DispatchError) -> String {
	medchain_runtime::RuntimeError::from_dispatch_error(error)
		.map_or_else(|| format!("{error:?}"), |error| format!("{error:?}"))
}

/// Submits `call` signed by `signer` to the node's pool; an error if the pool refuses it
/// (the node's message carries the `InvalidTransaction` reason, explained for the permission
/// codes of `pallet_hospitals::permission::invalidity`).
pub async fn submit(
	chain: &Chain,
	signer: &sr25519::Pair,
	call: RuntimeCall,
) -> crate::Result<H256> {
	use pallet_hospitals::permission::invalidity;
	chain.submit(&sign(chain, signer, call).await?).await.map_err(|error| {
		let explained = [
			(invalidity::NOT_A_MEMBER, "the signer is neither an active hospital's admin or operator nor a registered patient"),
			(invalidity::CALL_NOT_PERMITTED, "the signer's role may not make this call"),
		]
		.into_iter()
		.find(|(code, _)| error.contains(&format!("Custom error: {code}")));
		match explained {
			Some((_, meaning)) => format!("{error} ({meaning})"),
			None => error,
		}
	})
}

/// Which chain head a submitted transaction is followed to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Head {
	/// The finalized chain.
	Finalized,
	/// The best chain: for when finality has stalled (e.g. to vote a stall recovery).
	Best,
}

/// Submits `call` and waits until a finalized block includes it.
pub async fn submit_and_finalize(
	chain: &Chain,
	signer: &sr25519::Pair,
	call: RuntimeCall,
) -> crate::Result<Included> {
	submit_and_follow(chain, signer, call, Head::Finalized).await
}

/// Submits `call` and waits until a block up to `head` includes it.
pub async fn submit_and_follow(
	chain: &Chain,
	signer: &sr25519::Pair,
	call: RuntimeCall,
	head: Head,
) -> crate::Result<Included> {
	let from = head_number(chain, head).await?.saturating_add(1);
	let hash = submit(chain, signer, call).await?;
	find_included(chain, hash, from, head).await
}

/// The number of the finalized or the best block.
pub async fn head_number(chain: &Chain, head: Head) -> crate::Result<u32> {
	match head {
		Head::Finalized => chain.finalized_number().await,
		Head::Best => chain.best_number().await,
	}
}

/// Scans blocks from `from` up to `head` until one includes extrinsic `hash`.
async fn find_included(
	chain: &Chain,
	hash: H256,
	from: u32,
	head: Head,
) -> crate::Result<Included> {
	let next = std::cell::Cell::new(from);
	wait_until(&format!("a {head:?} block to include {hash:?}"), INCLUSION_TIMEOUT, || {
		let next = &next;
		async move {
			let last = head_number(chain, head).await?;
			for number in next.get()..=last {
				let block = chain.block_hash(number).await?.ok_or(format!("no block #{number}"))?;
				for (index, extrinsic) in chain.extrinsics(block).await?.iter().enumerate() {
					if sp_io::hashing::blake2_256(extrinsic) == hash.0 {
						return outcome(chain, block, index).await.map(Some);
					}
				}
				next.set(number.saturating_add(1));
			}
			Ok(None)
		}
	})
	.await
}

async fn outcome(chain: &Chain, block: H256, index: usize) -> crate::Result<Included> {
	let index = u32::try_from(index).map_err(|e| e.to_string())?;
	let events: Vec<RuntimeEvent> = chain
		.events(block)
		.await?
		.into_iter()
		.filter(|record| record.phase == frame_system::Phase::ApplyExtrinsic(index))
		.map(|record| record.event)
		.collect();
	let error = events.iter().find_map(|event| match event {
		RuntimeEvent::System(frame_system::Event::ExtrinsicFailed { dispatch_error, .. }) => {
			Some(*dispatch_error)
		}
		_ => None,
	});
	Ok(Included { block, events, error })
}
