//! TLS for the medchain RPC: the hospital's certificate chain and private key (PEM files), read
//! again when they change so that a certificate is rotated without a restart, and the rule that
//! only a loopback listener may go without.

use std::{
	net::SocketAddr,
	path::{Path, PathBuf},
	sync::{Arc, Mutex},
	time::{Duration, Instant, SystemTime},
};

use tokio_rustls::TlsAcceptor;

/// The certificate and key files of `--medchain-rpc-tls-cert` and `--medchain-rpc-tls-key`.
#[derive(Clone, Debug)]
pub struct TlsFiles {
	/// The certificate chain, the hospital's certificate first.
	pub cert: PathBuf,
	/// Its private key (PKCS#8, SEC1 or PKCS#1).
	pub key: PathBuf,
}

/// Refuses a listener on a non-loopback address without TLS: tokens, patients' signatures and
/// record plaintext would cross the hospital's network in the clear.
pub fn check_listener(addr: SocketAddr, tls: Option<&TlsFiles>) -> Result<(), String> {
	if tls.is_some() || addr.ip().is_loopback() {
		return Ok(());
	}
	Err(format!(
		"--medchain-rpc-addr {addr} is not a loopback address, and the medchain RPC would carry \
		 tokens and record plaintext in the clear: give the listener the hospital's certificate \
		 with --medchain-rpc-tls-cert <PEM> and --medchain-rpc-tls-key <PEM> (docs/operations.md, \
		 \"TLS for the medchain RPC\"), or listen on 127.0.0.1"
	))
}

/// The TLS acceptor of `files`, loaded now and again whenever either file changes.
pub struct Acceptor {
	files: TlsFiles,
	state: Mutex<Loaded>,
}

struct Loaded {
	acceptor: TlsAcceptor,
	modified: (Option<SystemTime>, Option<SystemTime>),
	looked: Instant,
}

impl Acceptor {
	/// Loads `files`; an error names the file and what is wrong with it.
	pub fn load(files: TlsFiles) -> Result<Self, String> {
		let acceptor = acceptor(&files)?;
		let modified = modified(&files);
		let state = Mutex::new(Loaded { acceptor, modified, looked: Instant::now() });
		Ok(Self { files, state })
	}

	/// The acceptor for a new connection: the files as they are now (looked at most once a
	/// second). Files that don't load (yet: a rotation half done) leave the previous certificate
	/// in use, with a warning, and are tried again a second later.
	pub fn current(&self) -> Option<TlsAcceptor> {
		let mut state = self.state.lock().ok()?;
		if state.looked.elapsed() >= Duration::from_secs(1) {
			state.looked = Instant::now();
			let now = modified(&self.files);
			if now != state.modified {
				match acceptor(&self.files) {
					Ok(acceptor) => {
						state.acceptor = acceptor;
						state.modified = now;
						log::info!(target: "medchain::rpc", "medchain RPC certificate reloaded from {}", self.files.cert.display());
					}
					Err(error) => log::warn!(
						target: "medchain::rpc",
						"medchain RPC certificate not reloaded, the previous one stays: {error}"
					),
				}
			}
		}
		Some(state.acceptor.clone())
	}
}

fn modified(files: &TlsFiles) -> (Option<SystemTime>, Option<SystemTime>) {
	let of = |path: &Path| std::fs::metadata(path).and_then(|meta| meta.modified()).ok();
	(of(&files.cert), of(&files.key))
}

fn acceptor(files: &TlsFiles) -> Result<TlsAcceptor, String> {
	let read =
		|path: &Path| std::fs::read(path).map_err(|error| format!("{}: {error}", path.display()));
	let cert_pem = read(&files.cert)?;
	let certs = rustls_pemfile::certs(&mut cert_pem.as_slice())
		.collect::<Result<Vec<_>, _>>()
		.map_err(|error| format!("{}: not PEM certificates: {error}", files.cert.display()))?;
	if certs.is_empty() {
		return Err(format!("{}: holds no certificate", files.cert.display()));
	}
	let key_pem = zeroize::Zeroizing::new(read(&files.key)?);
	let key = rustls_pemfile::private_key(&mut key_pem.as_slice())
		.map_err(|error| format!("{}: not a PEM private key: {error}", files.key.display()))?
		.ok_or_else(|| format!("{}: holds no private key", files.key.display()))?;
	let provider = Arc::new(rustls::crypto::ring::default_provider());
	let config = rustls::ServerConfig::builder_with_provider(provider)
		.with_safe_default_protocol_versions()
		.map_err(|error| error.to_string())?
		.with_no_client_auth()
		.with_single_cert(certs, key)
		.map_err(|error| {
			format!(
				"{} and {}: the key does not fit the certificate, or is not usable: {error}",
				files.cert.display(),
				files.key.display()
			)
		})?;
	Ok(TlsAcceptor::from(Arc::new(config)))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn only_loopback_may_listen_without_tls() {
		let files = TlsFiles { cert: "c.pem".into(), key: "k.pem".into() };
		assert!(check_listener("127.0.0.1:9955".parse().unwrap(), None).is_ok());
		assert!(check_listener("[::1]:9955".parse().unwrap(), None).is_ok());
		assert!(check_listener("0.0.0.0:9955".parse().unwrap(), Some(&files)).is_ok());
		let refused = check_listener("0.0.0.0:9955".parse().unwrap(), None).unwrap_err();
		assert!(refused.contains("--medchain-rpc-tls-cert"), "{refused}");
	}

	#[test]
	fn unreadable_or_wrong_files_are_named() {
		let dir = tempfile::tempdir().unwrap();
		let cert = dir.path().join("cert.pem");
		let key = dir.path().join("key.pem");
		let files = TlsFiles { cert: cert.clone(), key: key.clone() };
		assert!(Acceptor::load(files.clone()).err().unwrap().contains("cert.pem"));
		std::fs::write(&cert, "not a certificate").unwrap();
		std::fs::write(&key, "not a key").unwrap();
		assert!(Acceptor::load(files).err().unwrap().contains("holds no certificate"));
	}
}
