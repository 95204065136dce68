//! The medchain RPC's latency, by method (`medchain_rpc_seconds`), for every call, refused
//! ones included.

use std::{sync::Arc, time::Instant};

use futures::future::BoxFuture;
use jsonrpsee::{server::middleware::rpc::RpcServiceT, types::Request, MethodResponse};

use medchain_custodian::metrics::Metrics;

/// Times the calls `service` answers.
pub struct Timed<S> {
	/// The service timed.
	pub service: S,
	/// Where the times go.
	pub metrics: Arc<Metrics>,
}

impl<'a, S> RpcServiceT<'a> for Timed<S>
where
	S: RpcServiceT<'a> + Send + Sync,
	S::Future: Send + 'a,
{
	type Future = BoxFuture<'a, MethodResponse>;

	fn call(&self, request: Request<'a>) -> Self::Future {
		// Only methods of this API get their own label: a caller can't grow the registry.
		let method = match medchain_app_api::auth::allowed_roles(request.method_name()) {
			Some(_) => request.method_name().to_owned(),
			None => "other".to_owned(),
		};
		let metrics = self.metrics.clone();
		let started = Instant::now();
		let response = self.service.call(request);
		Box::pin(async move {
			let response = response.await;
			metrics
				.rpc_seconds
				.with_label_values(&[&method])
				.observe(started.elapsed().as_secs_f64());
			response
		})
	}
}
