//! Releases and their on-chain receipts: an access entry is claimed in the store before its
//! fields go out (`medchain_store::releases`), so it is released at most once, across restarts
//! too; once the fields went out, `confirm_release` is sent, and sent again every
//! [`RESEND_AFTER`] finalized blocks until the receipt is final.

use std::{
	collections::HashMap,
	sync::{Arc, Mutex},
	time::Duration,
};

use medchain_primitives::access::AccessId;
use medchain_runtime::{BlockNumber, RuntimeCall};
use medchain_store::{releases::Release, Store};
use sp_core::H256;

use crate::{
	blocking,
	follower::{next_head, Follower},
	patient_read::within_lifetime,
	signer::OperatorSigner,
	Chain,
};

const LOG_TARGET: &str = "medchain::release";

/// Finalized blocks to wait for a receipt before sending it again.
const RESEND_AFTER: BlockNumber = medchain_runtime::MINUTES / 2;

/// Claims releases and sends their receipts (see the module docs).
pub struct Receipts {
	pub(crate) store: Arc<Store>,
	pub(crate) signer: Arc<OperatorSigner>,
	pub(crate) chain: Arc<dyn Chain>,
	pub(crate) follower: Arc<Follower>,
	/// The finalized block at which each receipt was last sent.
	pub(crate) sent_at: Mutex<HashMap<AccessId, BlockNumber>>,
}

impl Receipts {
	/// Whether entry `access` was claimed for a release before.
	pub async fn claimed(&self, access: AccessId) -> Result<bool, String> {
		let store = self.store.clone();
		Ok(blocking(move || store.release(access)).await?.is_some())
	}

	/// Claims entry `access` (of block `entry_block`) for the release of fields hashing to
	/// `response_hash`: false if it was claimed before.
	pub async fn claim(
		&self,
		access: AccessId,
		entry_block: BlockNumber,
		response_hash: [u8; 32],
	) -> Result<bool, String> {
		let store = self.store.clone();
		let release = Release { entry_block, response_hash, sent: false };
		blocking(move || store.claim_release(access, &release)).await
	}

	/// Gives the claim on `access` back: its fields did not go out.
	pub async fn unclaim(&self, access: AccessId) -> Result<(), String> {
		let store = self.store.clone();
		blocking(move || store.drop_release(access)).await
	}

	/// Notes that the fields of `access` went out, and sends its receipt; the transaction hash.
	pub async fn sent(&self, access: AccessId, response_hash: [u8; 32]) -> Result<H256, String> {
		let store = self.store.clone();
		blocking(move || store.mark_release_sent(access)).await?;
		self.send(access, response_hash).await
	}

	async fn send(&self, access: AccessId, response_hash: [u8; 32]) -> Result<H256, String> {
		let finalized = self.chain.info().finalized_number;
		if let Ok(mut sent_at) = self.sent_at.lock() {
			sent_at.insert(access, finalized);
		}
		let confirm = RuntimeCall::AccessLog(pallet_access_log::Call::confirm_release {
			access,
			response_hash,
		});
		self.signer.submit(confirm).await
	}

	/// Sends the receipts still missing, and forgets releases whose receipt is final or whose
	/// entry is past its lifetime without having gone out, until the node stops.
	pub async fn run(self: Arc<Self>) {
		let mut blocks = self.follower.subscribe();
		loop {
			if let Err(error) = self.catch_up().await {
				log::warn!(target: LOG_TARGET, "release receipts: {error}");
			}
			next_head(&mut blocks, Duration::from_secs(6)).await;
		}
	}

	async fn catch_up(&self) -> Result<(), String> {
		let info = self.chain.info();
		let store = self.store.clone();
		for (access, release) in blocking(move || store.releases()).await? {
			let entry = self.chain.access_entry(info.finalized_hash, access)?;
			let settled = match &entry {
				None => true,
				Some(entry) => entry.release.is_some(),
			};
			let lapsed =
				!release.sent && !within_lifetime(release.entry_block, info.finalized_number);
			if settled || lapsed {
				let store = self.store.clone();
				blocking(move || store.drop_release(access)).await?;
				if let Ok(mut sent_at) = self.sent_at.lock() {
					sent_at.remove(&access);
				}
				continue;
			}
			if !release.sent {
				continue;
			}
			let last = self.sent_at.lock().ok().and_then(|sent_at| sent_at.get(&access).copied());
			if last.is_some_and(|at| info.finalized_number < at.saturating_add(RESEND_AFTER)) {
				continue;
			}
			match self.send(access, release.response_hash).await {
				Ok(_) => log::info!(target: LOG_TARGET, "access {access}: receipt sent again"),
				Err(error) => log::warn!(target: LOG_TARGET, "access {access}: receipt: {error}"),
			}
		}
		Ok(())
	}
}
