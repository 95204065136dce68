//! What a command reaches the node with: its two RPC endpoints, the medchain RPC token, the
//! signing key and the share token; and the node's errors as readable text.

use std::{
	path::{Path, PathBuf},
	time::Duration,
};

use jsonrpsee::{
	core::ClientError,
	http_client::{HeaderMap, HeaderValue, HttpClient, HttpClientBuilder},
};
use medchain_app_api::ErrorCode;
use medchain_client::{tx, Chain};
use medchain_runtime::{RuntimeCall, RuntimeEvent};
use medchain_token::ShareToken;
use sp_core::{crypto::AccountId32, sr25519, Pair};

use crate::args::{Cli, Signer};

/// How long one medchain RPC call may take: `createShare` and `accessShared` wait for
/// finality and for the custodian.
const API_TIMEOUT: Duration = Duration::from_secs(180);

/// The endpoints of one invocation, and where its medchain RPC token comes from.
pub struct Context {
	node: String,
	api: String,
	ca_file: Option<PathBuf>,
	token: Option<String>,
	token_file: Option<PathBuf>,
}

impl Context {
	pub fn new(cli: &Cli) -> Self {
		Self {
			node: cli.node.clone(),
			api: cli.api.clone(),
			ca_file: cli
				.ca_file
				.clone()
				.or_else(|| std::env::var_os("MEDCHAIN_CA_FILE").map(PathBuf::from)),
			token: cli.token.clone(),
			token_file: cli.token_file.clone(),
		}
	}

	/// The medchain RPC token: `--token`, the first line of `--token-file`, or MEDCHAIN_TOKEN.
	fn token(&self) -> crate::Result<Option<String>> {
		if let Some(token) = &self.token {
			return Ok(Some(token.clone()));
		}
		if let Some(path) = &self.token_file {
			let text = std::fs::read_to_string(path)
				.map_err(|e| format!("--token-file {}: {e}", path.display()))?;
			let line = text.lines().next().unwrap_or("").trim().to_string();
			if line.is_empty() {
				return Err(format!("--token-file {} is empty", path.display()));
			}
			return Ok(Some(line));
		}
		Ok(std::env::var("MEDCHAIN_TOKEN").ok().filter(|token| !token.is_empty()))
	}

	/// A client of the node's medchain RPC, with the token.
	pub fn api(&self) -> crate::Result<HttpClient> {
		refuse_plaintext_off_loopback(&self.api)?;
		let token = self.token()?.ok_or(
			"no medchain RPC token: set MEDCHAIN_TOKEN, or pass --token-file (the hospital's \
			 operator makes tokens with `medchain-node rpc-token`)",
		)?;
		let mut headers = HeaderMap::new();
		let mut bearer = HeaderValue::from_str(&format!("Bearer {token}"))
			.map_err(|_| "the medchain RPC token holds characters a header can't carry")?;
		bearer.set_sensitive(true);
		headers.insert("Authorization", bearer);
		let mut builder = HttpClientBuilder::default()
			.set_headers(headers)
			.max_request_size(medchain_app_api::limits::MAX_REQUEST_BYTES)
			.request_timeout(API_TIMEOUT);
		if let Some(ca_file) = &self.ca_file {
			builder = builder.with_custom_cert_store(trusting(ca_file)?);
		}
		builder.build(&self.api).map_err(|e| format!("--api {}: {e}", self.api))
	}

	/// A typed client of the node's chain RPC.
	pub fn chain(&self) -> crate::Result<Chain> {
		Chain::connect(&self.node)
	}

	/// The node's chain RPC URL.
	pub fn node_url(&self) -> &str {
		&self.node
	}

	/// The node's medchain RPC URL.
	pub fn api_url(&self) -> &str {
		&self.api
	}

	/// Whether a medchain RPC token was given.
	pub fn has_token(&self) -> bool {
		matches!(self.token(), Ok(Some(_)))
	}
}

/// Refuses to send the bearer token over plain `http://` to a host other than this machine.
fn refuse_plaintext_off_loopback(api: &str) -> crate::Result<()> {
	let Some(rest) = api.strip_prefix("http://").or_else(|| api.strip_prefix("ws://")) else {
		return Ok(());
	};
	let authority = rest.split(['/', '?']).next().unwrap_or_default();
	let host = match authority.strip_prefix('[') {
		Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
		None => authority.rsplit_once(':').map_or(authority, |(host, _)| host),
	};
	let loopback = host.eq_ignore_ascii_case("localhost")
		|| host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
	if loopback {
		return Ok(());
	}
	Err(format!(
		"--api {api}: the token and the records would cross the network in the clear; use \
		 https:// (and --ca-file) for a node that is not on this machine"
	))
}

/// A TLS client configuration that trusts the CA certificates in `ca_file` only.
fn trusting(ca_file: &Path) -> crate::Result<rustls::ClientConfig> {
	let pem =
		std::fs::read(ca_file).map_err(|e| format!("--ca-file {}: {e}", ca_file.display()))?;
	let mut roots = rustls::RootCertStore::empty();
	for cert in rustls_pemfile::certs(&mut pem.as_slice()) {
		let cert = cert.map_err(|e| format!("--ca-file {}: {e}", ca_file.display()))?;
		roots.add(cert).map_err(|e| format!("--ca-file {}: {e}", ca_file.display()))?;
	}
	if roots.is_empty() {
		return Err(format!("--ca-file {} holds no certificate", ca_file.display()));
	}
	let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
	Ok(rustls::ClientConfig::builder_with_provider(provider)
		.with_safe_default_protocol_versions()
		.map_err(|e| e.to_string())?
		.with_root_certificates(roots)
		.with_no_client_auth())
}

/// The key of `signer` (`--suri`, else MEDCHAIN_SURI); `whose` names it in the error.
pub fn key(signer: &Signer, whose: &str) -> crate::Result<sr25519::Pair> {
	let suri = signer
		.suri
		.clone()
		.or_else(|| std::env::var("MEDCHAIN_SURI").ok().filter(|s| !s.is_empty()))
		.ok_or_else(|| format!("this needs {whose} key: pass --suri or set MEDCHAIN_SURI"))?;
	sr25519::Pair::from_string(&suri, None)
		.map_err(|e| format!("{whose} key is not a valid secret URI: {e:?}"))
}

/// An account given as SS58 or 0x-hex of its 32 bytes.
pub fn account(text: &str) -> crate::Result<AccountId32> {
	pseudonym(text).map(|account| AccountId32::new(account.0))
}

/// A patient pseudonym given as SS58 or 0x-hex, as the medchain RPC takes it (hex).
pub fn pseudonym(text: &str) -> crate::Result<medchain_app_api::AccountId> {
	medchain_app_api::AccountId::from_ss58_or_hex(text)
		.ok_or_else(|| format!("{text} is not an account (SS58 or 0x + 64 hex)"))
}

/// A record id: `0x` and 64 hex digits.
pub fn record_id(text: &str) -> crate::Result<medchain_app_api::RecordId> {
	text.parse().map_err(|_| format!("{text} is not a record id (0x + 64 hex)"))
}

/// The share token (`--share-token`, else MEDCHAIN_SHARE_TOKEN).
pub fn share_token(given: Option<String>) -> crate::Result<ShareToken> {
	let text = given
		.or_else(|| std::env::var("MEDCHAIN_SHARE_TOKEN").ok().filter(|t| !t.is_empty()))
		.ok_or("this needs the share token: pass --share-token or set MEDCHAIN_SHARE_TOKEN")?;
	ShareToken::parse(&text).map_err(|e| e.to_string())
}

/// A medchain RPC error as text: the node's message, the code's name and number, and its data.
pub fn api_error(method: &str, error: ClientError) -> String {
	match error {
		ClientError::Call(object) => {
			let name = ErrorCode::from_code(object.code())
				.map_or_else(|| "error".to_string(), |code| format!("{code:?}"));
			let data = object.data().map(|data| format!("; {}", data.get())).unwrap_or_default();
			format!("{} ({name} {}){data}", object.message(), object.code())
		}
		ClientError::Transport(error) => format!("{method}: cannot reach the node: {error}"),
		other => format!("{method}: {other}"),
	}
}

/// Sends `call` signed by `signer` and waits until it is finalized; its events, or the
/// chain's refusal by name.
pub async fn submit(
	chain: &Chain,
	signer: &sr25519::Pair,
	call: RuntimeCall,
) -> crate::Result<(sp_core::H256, Vec<RuntimeEvent>)> {
	let included = tx::submit_and_finalize(chain, signer, call).await?;
	let block = included.block;
	Ok((block, included.succeeded()?))
}

#[cfg(test)]
mod tests {
	use super::refuse_plaintext_off_loopback as check;

	#[test]
	fn a_token_goes_in_the_clear_to_this_machine_only() {
		for ok in [
			"http://127.0.0.1:9955",
			"http://localhost:9955/",
			"http://[::1]:9955",
			"https://rpc.example:9955",
		] {
			assert!(check(ok).is_ok(), "{ok}");
		}
		for refused in ["http://10.0.0.5:9955", "http://rpc.example", "ws://192.168.1.2:9955"] {
			assert!(check(refused).unwrap_err().contains("https://"), "{refused}");
		}
	}
}
