//! The medchain RPC's authentication: a bearer token per caller, a role per token.
//!
//! [`BearerAuthLayer`] (HTTP) reads the `Authorization` header of the request (or of the
//! WebSocket upgrade; a browser's upgrade carries a one-use ticket instead, `?ticket=`, which
//! its page asked for with its token: [`super::tickets`]). Without a known token it answers at once, before reading the body or
//! upgrading: HTTP 401 with a JSON-RPC `Unauthorized` error. Past the node's bound on request
//! bytes in flight (counted by `Content-Length`) it answers HTTP 503 with `Busy`, also before
//! reading the body. Otherwise it removes the header (so no later log holds the token) and
//! passes the caller's role and [`Holder`] on in the request's extensions. [`RoleGuard`]
//! (JSON-RPC) answers each call, also each call of a batch, with `Forbidden` unless that role
//! may call the method (`medchain_app_api::auth::allowed_roles`).

use std::{
	future::Future,
	pin::Pin,
	sync::Arc,
	task::{Context, Poll},
};

use futures::future::{Either, Ready};
use jsonrpsee::{
	server::{middleware::rpc::RpcServiceT, HttpBody, HttpResponse},
	types::Request,
	MethodResponse,
};
use medchain_app_api::{
	auth::{allowed_roles, Holder, Role, Tokens},
	ApiError, ErrorCode,
};

use super::{
	limits::{BytesCounted, Limits},
	tickets::{ticket_of, Tickets},
};

/// The one method that needs a WebSocket.
const SUBSCRIBE: &str = "medchain_subscribe";

/// The caller's role, or why it has none.
#[derive(Clone, Copy, Debug)]
enum Caller {
	NoToken,
	UnknownToken,
	UnknownTicket,
	Known(Role),
}

/// The token file, read again when its modification time changes (looked at most once a
/// second), so a token issued with a patient's registration works without a restart, and a
/// withdrawn one stops at once, also on an open WebSocket. A file that can't be read or parsed
/// fails closed: no token is accepted until it is fixed (it is read again every second).
pub struct TokenFile {
	path: std::path::PathBuf,
	state: std::sync::Mutex<TokenFileState>,
}

struct TokenFileState {
	tokens: Tokens,
	modified: Option<std::time::SystemTime>,
	looked: std::time::Instant,
}

impl TokenFile {
	/// Reads the token file at `path`.
	pub fn open(path: &std::path::Path) -> Result<Self, String> {
		let modified = std::fs::metadata(path).and_then(|meta| meta.modified()).ok();
		let tokens = Tokens::read(path)?;
		let looked = std::time::Instant::now();
		let state = std::sync::Mutex::new(TokenFileState { tokens, modified, looked });
		Ok(Self { path: path.to_owned(), state })
	}

	/// Who holds `token`, by the file as it is now.
	pub fn holder(&self, token: &str) -> Option<Holder> {
		self.current()?.tokens.holder(token)
	}

	/// Whether `holder` still holds its token as the file says now (not withdrawn or changed).
	pub fn still_holds(&self, holder: &Holder) -> bool {
		self.current().and_then(|state| state.tokens.by_id(&holder.id)) == Some(*holder)
	}

	/// The tokens as the file is now: read again if it changed (looked at most once a second).
	fn current(&self) -> Option<std::sync::MutexGuard<'_, TokenFileState>> {
		let mut state = self.state.lock().ok()?;
		if state.looked.elapsed() >= std::time::Duration::from_secs(1) {
			state.looked = std::time::Instant::now();
			let modified = std::fs::metadata(&self.path).and_then(|meta| meta.modified()).ok();
			if modified != state.modified {
				match Tokens::read(&self.path) {
					Ok(tokens) => {
						state.tokens = tokens;
						state.modified = modified;
					}
					Err(error) => {
						state.tokens = Tokens::default();
						log::error!(
							target: "medchain::rpc",
							"token file unreadable, every token refused until it is fixed: {error}"
						);
					}
				}
			}
		}
		Some(state)
	}
}

/// Reads the bearer token of each HTTP request (see the module docs).
#[derive(Clone)]
pub struct BearerAuthLayer {
	/// The tokens the node accepts.
	pub tokens: Arc<TokenFile>,
	/// The bound on request bytes in flight.
	pub limits: Arc<Limits>,
	/// The largest request body the listener reads.
	pub max_request_bytes: u32,
	/// The WebSocket tickets issued (`medchain_wsTicket`).
	pub tickets: Arc<Tickets>,
}

impl<S> tower::Layer<S> for BearerAuthLayer {
	type Service = BearerAuth<S>;

	fn layer(&self, inner: S) -> Self::Service {
		BearerAuth { inner, layer: self.clone() }
	}
}

/// [`BearerAuthLayer`]'s service.
#[derive(Clone)]
pub struct BearerAuth<S> {
	inner: S,
	layer: BearerAuthLayer,
}

impl<S, B> tower::Service<http::Request<B>> for BearerAuth<S>
where
	S: tower::Service<http::Request<B>, Response = HttpResponse>,
	S::Future: Send + 'static,
	S::Error: Send + 'static,
{
	type Response = HttpResponse;
	type Error = S::Error;
	type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, S::Error>> + Send>>;

	fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
		self.inner.poll_ready(cx)
	}

	fn call(&mut self, mut request: http::Request<B>) -> Self::Future {
		let token = request
			.headers()
			.get(http::header::AUTHORIZATION)
			.and_then(|value| value.to_str().ok())
			.and_then(|value| value.strip_prefix("Bearer "));
		// A WebSocket's messages are counted one by one as they arrive (`Limited`); only a
		// request jsonrpsee will upgrade counts as one.
		let upgrade = is_websocket_upgrade(&request);
		let holder = match (token, upgrade.then(|| ticket_of(&request)).flatten()) {
			(Some(token), _) => self.layer.tokens.holder(token.trim()).ok_or(Caller::UnknownToken),
			// A browser's upgrade, with the ticket its page asked for over HTTP.
			(None, Some(ticket)) => self
				.layer
				.tickets
				.redeem(&ticket)
				.filter(|holder| self.layer.tokens.still_holds(holder))
				.ok_or(Caller::UnknownTicket),
			(None, None) => Err(Caller::NoToken),
		};
		let holder = match holder {
			Ok(holder) => holder,
			Err(caller) => return refuse(unauthorized(caller)),
		};
		let bytes = if upgrade {
			None
		} else {
			let declared = request
				.headers()
				.get(http::header::CONTENT_LENGTH)
				.and_then(|value| value.to_str().ok()?.parse::<usize>().ok());
			let limit = usize::try_from(self.layer.max_request_bytes).unwrap_or(usize::MAX);
			match self.layer.limits.admit_bytes(declared.unwrap_or(limit).min(limit)) {
				Ok(permit) => Some(permit),
				Err(refusal) => {
					return refuse(error_response(
						http::StatusCode::SERVICE_UNAVAILABLE,
						refusal.error(),
					))
				}
			}
		};
		request.headers_mut().remove(http::header::AUTHORIZATION);
		request.extensions_mut().insert(Caller::Known(holder.role));
		// Methods that behave differently per role or token read them from here.
		request.extensions_mut().insert(holder.role);
		request.extensions_mut().insert(holder);
		if bytes.is_some() {
			request.extensions_mut().insert(BytesCounted);
		}
		let response = self.inner.call(request);
		Box::pin(async move {
			let response = response.await;
			drop(bytes);
			response
		})
	}
}

/// Whether jsonrpsee will upgrade `request` to a WebSocket: its own test, byte for byte, so a
/// request it upgrades is never taken for HTTP. Any other request is HTTP, its body counted.
fn is_websocket_upgrade<B>(request: &http::Request<B>) -> bool {
	jsonrpsee::server::ws::is_upgrade_request(request)
}

fn refuse<E: Send + 'static>(
	response: HttpResponse,
) -> Pin<Box<dyn Future<Output = Result<HttpResponse, E>> + Send>> {
	Box::pin(std::future::ready(Ok(response)))
}

/// HTTP 401 with a JSON-RPC `Unauthorized` error (the request's id is unknown: it is not read).
fn unauthorized(caller: Caller) -> HttpResponse {
	let message = match caller {
		Caller::UnknownToken => "unknown token",
		Caller::UnknownTicket => {
			"unknown, used or expired ticket: ask medchain_wsTicket for another"
		}
		_ => "send `Authorization: Bearer <token>`",
	};
	error_response(http::StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized.error(message))
}

/// An HTTP answer with `status` and a JSON-RPC `error` (for no request id: none was read).
fn error_response(status: http::StatusCode, error: ApiError) -> HttpResponse {
	let body = serde_json::json!({
		"jsonrpc": "2.0",
		"error": { "code": error.code(), "message": error.message },
		"id": null,
	});
	let mut response = HttpResponse::new(HttpBody::from(body.to_string()));
	*response.status_mut() = status;
	response
		.headers_mut()
		.insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/json"));
	response
}

/// Refuses calls the caller's role may not make, and calls of a token withdrawn since its
/// connection opened (see the module docs).
#[derive(Clone)]
pub struct RoleGuard<S> {
	/// The next service.
	pub service: S,
	/// The token file as it is now.
	pub tokens: Arc<TokenFile>,
}

impl<'a, S> RpcServiceT<'a> for RoleGuard<S>
where
	S: RpcServiceT<'a> + Send + Sync,
{
	type Future = Either<S::Future, Ready<MethodResponse>>;

	fn call(&self, request: Request<'a>) -> Self::Future {
		let caller = request.extensions().get::<Caller>().copied().unwrap_or(Caller::NoToken);
		let refusal = match (caller, allowed_roles(request.method_name())) {
			(Caller::NoToken, _) => {
				Some(ErrorCode::Unauthorized.error("send `Authorization: Bearer <token>`"))
			}
			(Caller::UnknownToken | Caller::UnknownTicket, _) => {
				Some(ErrorCode::Unauthorized.error("unknown token"))
			}
			(Caller::Known(_), None) => Some(
				ErrorCode::Forbidden
					.error(format!("{} is not a medchain method", request.method_name())),
			),
			(Caller::Known(_), Some(_))
				if !request
					.extensions()
					.get::<Holder>()
					.is_some_and(|holder| self.tokens.still_holds(holder)) =>
			{
				Some(ErrorCode::Unauthorized.error("this token was withdrawn"))
			}
			(Caller::Known(role), Some(roles))
				if roles.contains(&role)
					&& request.method_name() == SUBSCRIBE
					&& request.extensions().get::<BytesCounted>().is_some() =>
			{
				Some(ErrorCode::WebSocketRequired.error(
					"medchain_subscribe streams over a WebSocket: connect to this port with ws:// \
					 or wss://",
				))
			}
			(Caller::Known(role), Some(roles)) if roles.contains(&role) => None,
			(Caller::Known(role), Some(roles)) => Some(ErrorCode::Forbidden.error(format!(
				"role {} may not call {}; it needs {}",
				role.name(),
				request.method_name(),
				roles.iter().map(|role| role.name()).collect::<Vec<_>>().join(" or ")
			))),
		};
		match refusal {
			None => Either::Left(self.service.call(request)),
			Some(error) => {
				Either::Right(futures::future::ready(MethodResponse::error(request.id, error)))
			}
		}
	}
}

#[cfg(test)]
mod tests {
	use medchain_app_api::auth::Role;

	use super::*;

	#[test]
	fn only_a_websocket_upgrade_as_jsonrpsee_sees_one_skips_the_body_count() {
		let request = |pairs: &[(&'static str, &'static [u8])]| {
			let mut request = http::Request::new(());
			for (name, value) in pairs {
				let value = http::HeaderValue::from_bytes(value).unwrap();
				request.headers_mut().append(*name, value);
			}
			request
		};
		assert!(is_websocket_upgrade(&request(&[
			("connection", b"Upgrade"),
			("upgrade", b"websocket")
		])));
		assert!(is_websocket_upgrade(&request(&[
			("connection", b"keep-alive, upgrade"),
			("upgrade", b"WebSocket")
		])));
		// A byte outside ASCII elsewhere in the header: jsonrpsee still upgrades it.
		assert!(is_websocket_upgrade(&request(&[
			("connection", b"Upgrade, \xff"),
			("upgrade", b"websocket")
		])));
		assert!(!is_websocket_upgrade(&request(&[("upgrade", b"x")])));
		assert!(!is_websocket_upgrade(&request(&[
			("connection", b"upgrade"),
			("upgrade", b"h2c")
		])));
	}

	#[test]
	fn a_withdrawn_token_stops_and_an_unreadable_file_fails_closed() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("tokens");
		let line = |token: &str| Tokens::line(Role::App, token, "");
		std::fs::write(&path, format!("{}\n{}\n", line("kept"), line("withdrawn"))).unwrap();
		let file = TokenFile::open(&path).unwrap();
		let withdrawn = file.holder("withdrawn").unwrap();
		let rewind = |file: &TokenFile| {
			let mut state = file.state.lock().unwrap();
			state.looked = std::time::Instant::now() - std::time::Duration::from_secs(2);
			state.modified = None;
		};
		std::fs::write(&path, format!("{}\n", line("kept"))).unwrap();
		rewind(&file);
		assert!(!file.still_holds(&withdrawn));
		assert!(file.holder("kept").is_some());
		std::fs::write(&path, "root 00\n").unwrap();
		rewind(&file);
		assert!(file.holder("kept").is_none(), "a broken file accepts no token");
	}
}
