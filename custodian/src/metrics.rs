//! medchain's own metrics on the node's Prometheus endpoint, beside Substrate's:
//!
//! | metric | what |
//! |---|---|
//! | `medchain_records_stored_total` | records the store took (retries not counted) |
//! | `medchain_records_anchored_total` | records whose anchor was finalized |
//! | `medchain_outbox_depth` | stored records waiting for their anchor |
//! | `medchain_shares_created_total` | shares this node created (`createShare`) |
//! | `medchain_accesses_total{outcome, reason}` | `accessShared` calls: `granted` (the chain logged the entry), `pending` (in the pool after the finality wait) or `refused`, by error |
//! | `medchain_releases_total{outcome, reason}` | release requests this custodian answered: `released` or `refused`, by reason |
//! | `medchain_store_bytes` | the record store's files on disk |
//! | `medchain_rpc_seconds{method}` | medchain RPC latency, by method |
//! | `medchain_notification_blocks_total` | finalized blocks whose events were decoded for `medchain_subscribe` (once per block, whatever the number of subscribers) |

use std::{sync::Arc, time::Duration};

use medchain_store::Store;
use substrate_prometheus_endpoint::{
	register, Counter, CounterVec, Gauge, HistogramOpts, HistogramVec, Opts, PrometheusError,
	Registry, U64,
};

/// How often the gauges are sampled.
const SAMPLE_EVERY: Duration = Duration::from_secs(5);

/// The metrics, registered on the node's registry if it has one.
pub struct Metrics {
	/// Records the store took.
	pub records_stored: Counter<U64>,
	/// Records whose anchor was finalized.
	pub records_anchored: Counter<U64>,
	/// Stored records waiting for their anchor.
	pub outbox_depth: Gauge<U64>,
	/// Shares this node created.
	pub shares_created: Counter<U64>,
	/// `accessShared` calls, by outcome and reason.
	pub accesses: CounterVec<U64>,
	/// Release requests answered, by outcome and reason.
	pub releases: CounterVec<U64>,
	/// The record store's size on disk.
	pub store_bytes: Gauge<U64>,
	/// medchain RPC latency by method.
	pub rpc_seconds: HistogramVec,
	/// Finalized blocks decoded for subscribers.
	pub notification_blocks: Counter<U64>,
}

impl Metrics {
	/// The metrics, registered on `registry` if there is one.
	pub fn new(registry: Option<&Registry>) -> Result<Arc<Self>, PrometheusError> {
		let metrics = Self {
			records_stored: Counter::new(
				"medchain_records_stored_total",
				"Records the store took (retries not counted)",
			)?,
			records_anchored: Counter::new(
				"medchain_records_anchored_total",
				"Records whose anchor was finalized",
			)?,
			outbox_depth: Gauge::new(
				"medchain_outbox_depth",
				"Stored records waiting for their anchor",
			)?,
			shares_created: Counter::new(
				"medchain_shares_created_total",
				"Shares this node created",
			)?,
			accesses: CounterVec::new(
				Opts::new(
					"medchain_accesses_total",
					"accessShared calls: granted (the chain logged the entry), pending, or refused, by error",
				),
				&["outcome", "reason"],
			)?,
			releases: CounterVec::new(
				Opts::new(
					"medchain_releases_total",
					"Release requests this custodian answered: released or refused, by reason",
				),
				&["outcome", "reason"],
			)?,
			store_bytes: Gauge::new("medchain_store_bytes", "The record store's files on disk")?,
			rpc_seconds: HistogramVec::new(
				HistogramOpts::new("medchain_rpc_seconds", "medchain RPC latency, by method")
					.buckets(vec![0.001, 0.005, 0.02, 0.1, 0.5, 1.0, 5.0, 15.0, 30.0, 60.0]),
				&["method"],
			)?,
			notification_blocks: Counter::new(
				"medchain_notification_blocks_total",
				"Finalized blocks whose events were decoded for medchain_subscribe",
			)?,
		};
		if let Some(registry) = registry {
			let metrics = Self {
				records_stored: register(metrics.records_stored, registry)?,
				records_anchored: register(metrics.records_anchored, registry)?,
				outbox_depth: register(metrics.outbox_depth, registry)?,
				shares_created: register(metrics.shares_created, registry)?,
				accesses: register(metrics.accesses, registry)?,
				releases: register(metrics.releases, registry)?,
				store_bytes: register(metrics.store_bytes, registry)?,
				rpc_seconds: register(metrics.rpc_seconds, registry)?,
				notification_blocks: register(metrics.notification_blocks, registry)?,
			};
			return Ok(Arc::new(metrics));
		}
		Ok(Arc::new(metrics))
	}

	/// Samples the store's gauges until the node stops.
	pub async fn sample(self: Arc<Self>, store: Arc<Store>) {
		loop {
			let sampled = {
				let store = store.clone();
				tokio::task::spawn_blocking(move || {
					Ok::<_, medchain_store::StoreError>((store.outbox_len()?, store.disk_bytes()?))
				})
				.await
			};
			match sampled {
				Ok(Ok((depth, bytes))) => {
					self.outbox_depth.set(depth);
					self.store_bytes.set(bytes);
				}
				Ok(Err(error)) => {
					log::debug!(target: "medchain::metrics", "sampling the store: {error}")
				}
				Err(error) => {
					log::debug!(target: "medchain::metrics", "sampling the store: {error}")
				}
			}
			tokio::time::sleep(SAMPLE_EVERY).await;
		}
	}
}
