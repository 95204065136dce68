//! Free TCP ports on 127.0.0.1 for node listeners.

use std::{
	collections::HashSet,
	net::TcpListener,
	sync::{Mutex, OnceLock},
};

/// Ports handed out by this process, so two nodes never get the same one.
fn handed_out() -> &'static Mutex<HashSet<u16>> {
	static PORTS: OnceLock<Mutex<HashSet<u16>>> = OnceLock::new();
	PORTS.get_or_init(Default::default)
}

/// A port the OS reports free now and that this process has not handed out before.
pub fn free_port() -> crate::Result<u16> {
	for _ in 0..64 {
		let port = TcpListener::bind("127.0.0.1:0")
			.and_then(|listener| listener.local_addr())
			.map_err(|e| format!("cannot bind a loopback port: {e}"))?
			.port();
		let mut used = handed_out().lock().map_err(|_| "port registry poisoned".to_string())?;
		if used.insert(port) {
			return Ok(port);
		}
	}
	Err("no free loopback port after 64 tries".into())
}
