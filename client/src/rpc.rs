//! JSON-RPC transport to a node's RPC port, and [`wait_until`] for polling with a deadline.
//! Typed reads of the chain are [`crate::Chain`]'s.

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

/// A client for one node's RPC endpoint.
#[derive(Clone)]
pub struct Rpc {
	client: HttpClient,
	url: String,
}

impl Rpc {
	/// A client of the node at `url` (`http://127.0.0.1:9944`).
	pub fn new(url: &str) -> crate::Result<Self> {
		let client = HttpClientBuilder::default()
			.request_timeout(Duration::from_secs(10))
			.build(url)
			.map_err(|e| format!("cannot build an RPC client for {url}: {e}"))?;
		Ok(Self { client, url: url.to_string() })
	}

	/// Calls `method` with `params` and decodes its JSON result.
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
