//! What callers can make the medchain RPC hold at once: per token, calls in flight and calls per
//! second; node-wide, request bytes in flight. A call past a bound is refused at once (it never
//! waits), so a refused request's bytes are dropped as soon as they are read.
//!
//! HTTP requests are counted by their `Content-Length` before the body is read
//! ([`super::auth::BearerAuth`]); a WebSocket message is counted by its parameters when it
//! reaches [`Limited`], since the upgrade is the only HTTP request of a connection.

use std::{
	collections::HashMap,
	future::Future,
	pin::Pin,
	sync::{
		atomic::{AtomicUsize, Ordering},
		Arc, Mutex,
	},
	time::{Duration, Instant},
};

use jsonrpsee::{server::middleware::rpc::RpcServiceT, types::Request, MethodResponse};
use medchain_app_api::{auth::Holder, ErrorCode};

/// Most calls one token may have in flight.
pub const MAX_CALLS_IN_FLIGHT_PER_TOKEN: u32 = 32;
/// Most calls one token may start in a second.
pub const MAX_CALLS_PER_SECOND_PER_TOKEN: u32 = 5_000;
/// Most request bytes the node holds in flight, over every caller.
pub const MAX_REQUEST_BYTES_IN_FLIGHT: usize = 128 << 20;

/// Calls of one token: in flight, and started in the current one-second window.
struct TokenUse {
	in_flight: u32,
	window: Instant,
	started: u32,
}

/// The bounds' counters, shared by the HTTP and the JSON-RPC layer.
#[derive(Default)]
pub struct Limits {
	tokens: Mutex<HashMap<[u8; 32], TokenUse>>,
	bytes_in_flight: AtomicUsize,
}

/// One admitted call of a token; its place is given back when dropped.
pub struct CallPermit {
	limits: Arc<Limits>,
	token: [u8; 32],
}

/// Request bytes admitted in flight; given back when dropped.
pub struct BytesPermit {
	limits: Arc<Limits>,
	bytes: usize,
}

/// Why a call was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
	/// The token has [`MAX_CALLS_IN_FLIGHT_PER_TOKEN`] calls in flight.
	InFlight,
	/// The token started [`MAX_CALLS_PER_SECOND_PER_TOKEN`] calls in the last second.
	PerSecond,
	/// The node holds [`MAX_REQUEST_BYTES_IN_FLIGHT`] request bytes.
	Bytes,
}

impl Refusal {
	/// The JSON-RPC error for it.
	pub fn error(self) -> medchain_app_api::ApiError {
		match self {
			Refusal::InFlight => ErrorCode::RateLimited.error(format!(
				"this token has {MAX_CALLS_IN_FLIGHT_PER_TOKEN} calls in flight; wait for an answer"
			)),
			Refusal::PerSecond => ErrorCode::RateLimited.error(format!(
				"this token made {MAX_CALLS_PER_SECOND_PER_TOKEN} calls in the last second; retry shortly"
			)),
			Refusal::Bytes => ErrorCode::Busy.error(format!(
				"the node holds {} MiB of requests in flight; retry shortly",
				MAX_REQUEST_BYTES_IN_FLIGHT >> 20
			)),
		}
	}
}

impl Limits {
	/// Admits one call of `token` at `now`.
	pub fn admit_call(
		self: &Arc<Self>,
		token: [u8; 32],
		now: Instant,
	) -> Result<CallPermit, Refusal> {
		let mut tokens = self.tokens.lock().map_err(|_| Refusal::InFlight)?;
		let usage =
			tokens.entry(token).or_insert(TokenUse { in_flight: 0, window: now, started: 0 });
		if now.saturating_duration_since(usage.window) >= Duration::from_secs(1) {
			usage.window = now;
			usage.started = 0;
		}
		if usage.in_flight >= MAX_CALLS_IN_FLIGHT_PER_TOKEN {
			return Err(Refusal::InFlight);
		}
		if usage.started >= MAX_CALLS_PER_SECOND_PER_TOKEN {
			return Err(Refusal::PerSecond);
		}
		usage.in_flight = usage.in_flight.saturating_add(1);
		usage.started = usage.started.saturating_add(1);
		Ok(CallPermit { limits: self.clone(), token })
	}

	/// Admits `bytes` of request in flight.
	pub fn admit_bytes(self: &Arc<Self>, bytes: usize) -> Result<BytesPermit, Refusal> {
		self.bytes_in_flight
			.fetch_update(Ordering::AcqRel, Ordering::Acquire, |held| {
				held.checked_add(bytes).filter(|total| *total <= MAX_REQUEST_BYTES_IN_FLIGHT)
			})
			.map_err(|_| Refusal::Bytes)?;
		Ok(BytesPermit { limits: self.clone(), bytes })
	}
}

impl Drop for CallPermit {
	fn drop(&mut self) {
		if let Ok(mut tokens) = self.limits.tokens.lock() {
			if let Some(usage) = tokens.get_mut(&self.token) {
				usage.in_flight = usage.in_flight.saturating_sub(1);
			}
		}
	}
}

impl Drop for BytesPermit {
	fn drop(&mut self) {
		self.limits.bytes_in_flight.fetch_sub(self.bytes, Ordering::AcqRel);
	}
}

/// Marks a request whose bytes the HTTP layer has counted already.
#[derive(Clone, Copy, Debug)]
pub struct BytesCounted;

/// Applies the bounds to each call (see the module docs); inside [`super::auth::RoleGuard`].
#[derive(Clone)]
pub struct Limited<S> {
	/// The next service.
	pub service: S,
	/// The counters.
	pub limits: Arc<Limits>,
}

impl<'a, S> RpcServiceT<'a> for Limited<S>
where
	S: RpcServiceT<'a> + Send + Sync,
	S::Future: Send + 'a,
{
	type Future = Pin<Box<dyn Future<Output = MethodResponse> + Send + 'a>>;

	fn call(&self, request: Request<'a>) -> Self::Future {
		let Some(holder) = request.extensions().get::<Holder>().copied() else {
			return Box::pin(self.service.call(request));
		};
		let bytes = match request.extensions().get::<BytesCounted>() {
			Some(_) => Ok(None),
			None => {
				let size = request.params.as_ref().map_or(0, |params| params.get().len());
				self.limits.admit_bytes(size).map(Some)
			}
		};
		let admitted = bytes.and_then(|bytes| {
			self.limits.admit_call(holder.id, Instant::now()).map(|call| (call, bytes))
		});
		match admitted {
			Ok(permits) => {
				let response = self.service.call(request);
				Box::pin(async move {
					let response = response.await;
					drop(permits);
					response
				})
			}
			Err(refusal) => {
				let response = MethodResponse::error(request.id, refusal.error());
				Box::pin(std::future::ready(response))
			}
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_token_is_bounded_in_flight_and_per_second_and_others_are_not() {
		let limits = Arc::new(Limits::default());
		let start = Instant::now();
		let held: Vec<_> = (0..MAX_CALLS_IN_FLIGHT_PER_TOKEN)
			.map(|_| limits.admit_call([1; 32], start).unwrap())
			.collect();
		assert_eq!(limits.admit_call([1; 32], start).err(), Some(Refusal::InFlight));
		assert!(limits.admit_call([2; 32], start).is_ok(), "another token");
		drop(held);
		for _ in MAX_CALLS_IN_FLIGHT_PER_TOKEN..MAX_CALLS_PER_SECOND_PER_TOKEN {
			drop(limits.admit_call([1; 32], start).unwrap());
		}
		assert_eq!(limits.admit_call([1; 32], start).err(), Some(Refusal::PerSecond));
		let later = start + Duration::from_secs(1);
		assert!(limits.admit_call([1; 32], later).is_ok(), "a new second");
	}

	#[test]
	fn request_bytes_in_flight_are_bounded_and_given_back() {
		let limits = Arc::new(Limits::default());
		let most = limits.admit_bytes(MAX_REQUEST_BYTES_IN_FLIGHT - 10).unwrap();
		assert_eq!(limits.admit_bytes(11).err(), Some(Refusal::Bytes));
		let last = limits.admit_bytes(10).unwrap();
		drop(most);
		drop(last);
		assert!(limits.admit_bytes(MAX_REQUEST_BYTES_IN_FLIGHT).is_ok());
		assert_eq!(limits.admit_bytes(usize::MAX).err(), Some(Refusal::Bytes));
	}
}
