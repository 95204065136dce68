//! The medchain RPC's authentication: a bearer token per caller, a role per token.
//!
//! [`BearerAuthLayer`] (HTTP) reads the `Authorization` header of the request (or of the
//! WebSocket upgrade). Without a known token it answers at once, before reading the body or
//! upgrading: HTTP 401 with a JSON-RPC `Unauthorized` error. Otherwise it removes the header
//! (so no later log holds the token) and passes the caller's role on in the request's
//! extensions. [`RoleGuard`] (JSON-RPC) answers each call, also each call of a batch, with
//! `Forbidden` unless that role may call the method (`medchain_app_api::auth::allowed_roles`).

use std::{
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
	auth::{allowed_roles, Role, Tokens},
	ErrorCode,
};

/// The caller's role, or why it has none.
#[derive(Clone, Copy, Debug)]
enum Caller {
	NoToken,
	UnknownToken,
	Known(Role),
}

/// Reads the bearer token of each HTTP request (see the module docs).
#[derive(Clone)]
pub struct BearerAuthLayer(pub Arc<Tokens>);

impl<S> tower::Layer<S> for BearerAuthLayer {
	type Service = BearerAuth<S>;

	fn layer(&self, inner: S) -> Self::Service {
		BearerAuth { inner, tokens: self.0.clone() }
	}
}

/// [`BearerAuthLayer`]'s service.
#[derive(Clone)]
pub struct BearerAuth<S> {
	inner: S,
	tokens: Arc<Tokens>,
}

impl<S, B> tower::Service<http::Request<B>> for BearerAuth<S>
where
	S: tower::Service<http::Request<B>, Response = HttpResponse>,
{
	type Response = HttpResponse;
	type Error = S::Error;
	type Future = Either<S::Future, Ready<Result<HttpResponse, S::Error>>>;

	fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
		self.inner.poll_ready(cx)
	}

	fn call(&mut self, mut request: http::Request<B>) -> Self::Future {
		let token = request
			.headers()
			.get(http::header::AUTHORIZATION)
			.and_then(|value| value.to_str().ok())
			.and_then(|value| value.strip_prefix("Bearer "));
		let caller = match token {
			None => Caller::NoToken,
			Some(token) => {
				self.tokens.role(token.trim()).map_or(Caller::UnknownToken, Caller::Known)
			}
		};
		let Caller::Known(role) = caller else {
			return Either::Right(futures::future::ready(Ok(unauthorized(caller))));
		};
		request.headers_mut().remove(http::header::AUTHORIZATION);
		request.extensions_mut().insert(caller);
		// Methods that behave differently per role read it from here.
		request.extensions_mut().insert(role);
		Either::Left(self.inner.call(request))
	}
}

/// HTTP 401 with a JSON-RPC `Unauthorized` error (the request's id is unknown: it is not read).
fn unauthorized(caller: Caller) -> HttpResponse {
	let message = match caller {
		Caller::UnknownToken => "unknown token",
		_ => "send `Authorization: Bearer <token>`",
	};
	let body = serde_json::json!({
		"jsonrpc": "2.0",
		"error": { "code": ErrorCode::Unauthorized.code(), "message": message },
		"id": null,
	});
	let mut response = HttpResponse::new(HttpBody::from(body.to_string()));
	*response.status_mut() = http::StatusCode::UNAUTHORIZED;
	response
		.headers_mut()
		.insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/json"));
	response
}

/// Refuses calls the caller's role may not make (see the module docs).
#[derive(Clone)]
pub struct RoleGuard<S>(pub S);

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
			(Caller::UnknownToken, _) => Some(ErrorCode::Unauthorized.error("unknown token")),
			(Caller::Known(_), None) => Some(
				ErrorCode::Forbidden
					.error(format!("{} is not a medchain method", request.method_name())),
			),
			(Caller::Known(role), Some(roles)) if roles.contains(&role) => None,
			(Caller::Known(role), Some(roles)) => Some(ErrorCode::Forbidden.error(format!(
				"role {} may not call {}; it needs {}",
				role.name(),
				request.method_name(),
				roles.iter().map(|role| role.name()).collect::<Vec<_>>().join(" or ")
			))),
		};
		match refusal {
			None => Either::Left(self.0.call(request)),
			Some(error) => {
				Either::Right(futures::future::ready(MethodResponse::error(request.id, error)))
			}
		}
	}
}
