//! Serves the portal (`medchain_portal`) under `/portal` on the medchain listener, before any
//! token is asked for: the page holds no secret, and it sends the token the person signs in with
//! on every RPC call. Every answer carries the portal's Content-Security-Policy.

use std::{
	future::Future,
	pin::Pin,
	task::{Context, Poll},
};

use jsonrpsee::server::{HttpBody, HttpResponse};

/// The portal's path on the listener.
const PREFIX: &str = "/portal";

/// Answers `GET`/`HEAD` of `/portal…` with the embedded portal; passes on everything else.
#[derive(Clone, Copy, Default)]
pub struct PortalLayer;

impl<S> tower::Layer<S> for PortalLayer {
	type Service = Portal<S>;

	fn layer(&self, inner: S) -> Self::Service {
		Portal { inner }
	}
}

/// [`PortalLayer`]'s service.
#[derive(Clone)]
pub struct Portal<S> {
	inner: S,
}

impl<S, B> tower::Service<http::Request<B>> for Portal<S>
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

	fn call(&mut self, request: http::Request<B>) -> Self::Future {
		let reads = matches!(*request.method(), http::Method::GET | http::Method::HEAD);
		match request.uri().path().strip_prefix(PREFIX) {
			Some(rest) if reads && (rest.is_empty() || rest.starts_with('/')) => {
				let response = answer(rest.trim_start_matches('/'), request.method());
				Box::pin(std::future::ready(Ok(response)))
			}
			_ => Box::pin(self.inner.call(request)),
		}
	}
}

/// The answer to `GET /portal/<path>`.
fn answer(path: &str, method: &http::Method) -> HttpResponse {
	let (status, content_type, body, cache) = match medchain_portal::asset(path) {
		Some(asset) => (
			http::StatusCode::OK,
			asset.content_type,
			asset.body,
			if asset.immutable { "public, max-age=31536000, immutable" } else { "no-cache" },
		),
		None if !medchain_portal::is_built() => (
			http::StatusCode::NOT_FOUND,
			"text/plain; charset=utf-8",
			&b"This node was built without the portal: run scripts/build-portal.sh, then build the node again.\n"[..],
			"no-store",
		),
		None => (http::StatusCode::NOT_FOUND, "text/plain; charset=utf-8", &b"Not found.\n"[..], "no-store"),
	};
	let body = if *method == http::Method::HEAD {
		HttpBody::empty()
	} else {
		HttpBody::from(body.to_vec())
	};
	let mut response = HttpResponse::new(body);
	*response.status_mut() = status;
	let headers = response.headers_mut();
	for (name, value) in [
		(http::header::CONTENT_TYPE, content_type),
		(http::header::CACHE_CONTROL, cache),
		(http::header::CONTENT_SECURITY_POLICY, medchain_portal::CONTENT_SECURITY_POLICY),
		(http::header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
		(http::header::REFERRER_POLICY, "no-referrer"),
		(http::header::X_FRAME_OPTIONS, "DENY"),
	] {
		headers.insert(name, http::HeaderValue::from_static(value));
	}
	headers.insert(
		http::HeaderName::from_static("permissions-policy"),
		http::HeaderValue::from_static("camera=(self), microphone=(), geolocation=()"),
	);
	response
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn every_answer_carries_the_policy_and_a_missing_file_is_404() {
		let missing = answer("assets/no-such-file.js", &http::Method::GET);
		assert_eq!(missing.status(), http::StatusCode::NOT_FOUND);
		let page = answer("", &http::Method::GET);
		for response in [&missing, &page] {
			assert_eq!(
				response.headers()[http::header::CONTENT_SECURITY_POLICY],
				medchain_portal::CONTENT_SECURITY_POLICY
			);
			assert_eq!(response.headers()[http::header::X_CONTENT_TYPE_OPTIONS], "nosniff");
		}
		let expected = if medchain_portal::is_built() {
			http::StatusCode::OK
		} else {
			http::StatusCode::NOT_FOUND
		};
		assert_eq!(page.status(), expected);
	}
}
