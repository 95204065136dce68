//! JSON-RPC over HTTP to a node's RPC port, and [`wait_until`] for polling with a deadline.

use std::{
	future::Future,
	time::{Duration, Instant},
};

use jsonrpsee::{
	core::{client::ClientT, params::ArrayParams},
	http_client::{HttpClient, HttpClientBuilder},
	rpc_params,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// How often [`wait_until`] polls. Polling with a deadline, never a fixed sleep, decides a wait.
const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// A block hash as the RPC returns it (`0x…`).
pub type BlockHash = String;

/// A client for one node's RPC endpoint.
#[derive(Clone)]
pub struct Rpc {
	client: HttpClient,
	url: String,
}

impl Rpc {
	pub fn new(url: &str) -> crate::Result<Self> {
		let client = HttpClientBuilder::default()
			.request_timeout(Duration::from_secs(10))
			.build(url)
			.map_err(|e| format!("cannot build an RPC client for {url}: {e}"))?;
		Ok(Self { client, url: url.to_string() })
	}

	pub async fn call<R: DeserializeOwned>(
		&self,
		method: &str,
		params: ArrayParams,
	) -> crate::Result<R> {
		self.client
			.request(method, params)
			.await
			.map_err(|e| format!("{method} on {} failed: {e}", self.url))
	}

	/// Hash and number of the node's finalized head.
	pub async fn finalized_head(&self) -> crate::Result<(BlockHash, u32)> {
		let hash: BlockHash = self.call("chain_getFinalizedHead", rpc_params![]).await?;
		let number = self.block_number(&hash).await?;
		Ok((hash, number))
	}

	pub async fn finalized_number(&self) -> crate::Result<u32> {
		Ok(self.finalized_head().await?.1)
	}

	pub async fn block_number(&self, hash: &str) -> crate::Result<u32> {
		let header: Value = self.call("chain_getHeader", rpc_params![hash]).await?;
		let number = header["number"]
			.as_str()
			.ok_or_else(|| format!("header {hash} has no number: {header}"))?;
		u32::from_str_radix(number.trim_start_matches("0x"), 16)
			.map_err(|e| format!("bad block number {number}: {e}"))
	}

	/// The canonical block hash at `number`, if the node has it.
	pub async fn block_hash(&self, number: u32) -> crate::Result<Option<BlockHash>> {
		self.call("chain_getBlockHash", rpc_params![number]).await
	}

	/// Hashes of blocks `1..=up_to`; an error if the node lacks any of them.
	pub async fn block_hashes(&self, up_to: u32) -> crate::Result<Vec<BlockHash>> {
		let mut hashes = Vec::new();
		for number in 1..=up_to {
			let hash = self
				.block_hash(number)
				.await?
				.ok_or_else(|| format!("{} has no block #{number}", self.url))?;
			hashes.push(hash);
		}
		Ok(hashes)
	}

	/// Whether the RPC server answers at all.
	pub async fn is_up(&self) -> bool {
		self.call::<Value>("system_health", rpc_params![]).await.is_ok()
	}
}

/// Polls `check` until it returns `Ok(Some(value))`, or fails once `timeout` has passed.
/// `Ok(None)` means "not yet"; an `Err` is remembered and reported if time runs out.
pub async fn wait_until<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> crate::Result<T>
where
	F: FnMut() -> Fut,
	Fut: Future<Output = crate::Result<Option<T>>>,
{
	let deadline = Instant::now() + timeout;
	let mut last_error = None;
	loop {
		match check().await {
			Ok(Some(value)) => return Ok(value),
			Ok(None) => {}
			Err(e) => last_error = Some(e),
		}
		if Instant::now() >= deadline {
			let cause = last_error.map(|e| format!(" (last error: {e})")).unwrap_or_default();
			return Err(format!("timed out after {timeout:?} waiting for {what}{cause}"));
		}
		tokio::time::sleep(POLL_INTERVAL).await;
	}
}
