//! Free TCP ports on 127.0.0.1 for node listeners, unique across every test process on this
//! machine.
//!
//! Ports come from below Linux's ephemeral range (32768–60999 by default): a port the kernel
//! picks for itself (`bind(:0)`, or the local end of any outgoing connection) may be taken by
//! another process in the seconds before a node binds it. Each port handed out is also locked
//! (`flock` on a file named after it) until this process exits, so that two test processes
//! never hand out the same one: the local network's nodes share their keys, and a node that
//! dialled another test's node on a shared port would merge the two networks.

use std::{
	fs::File,
	net::TcpListener,
	os::fd::AsRawFd,
	path::PathBuf,
	sync::{Mutex, OnceLock},
};

/// Where ports are drawn from: below the ephemeral range and below the local network's fixed
/// ports (30333–30336, in the local chain's registry, which every local-network node dials).
const PORTS: std::ops::Range<u16> = 20_000..30_000;

/// The lock files of the ports this process handed out, by port; held open until it exits.
fn handed_out() -> &'static Mutex<std::collections::BTreeMap<u16, File>> {
	static PORTS: OnceLock<Mutex<std::collections::BTreeMap<u16, File>>> = OnceLock::new();
	PORTS.get_or_init(Default::default)
}

/// The directory of the ports' lock files.
fn lock_dir() -> crate::Result<PathBuf> {
	let dir = std::env::temp_dir().join("medchain-test-ports");
	std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
	Ok(dir)
}

/// `port`'s lock, if no other process holds it.
fn lock(dir: &std::path::Path, port: u16) -> Option<File> {
	let file = File::create(dir.join(port.to_string())).ok()?;
	// SAFETY: `flock` takes the descriptor of a file this function owns, and no pointers.
	let locked = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0;
	locked.then_some(file)
}

/// A port, drawn at random from [`PORTS`], that no test process has handed out and that is
/// free now.
pub fn free_port() -> crate::Result<u16> {
	use rand::Rng;
	let dir = lock_dir()?;
	let mut rng = rand::thread_rng();
	for _ in 0..256 {
		let port = rng.gen_range(PORTS);
		let mut used = handed_out().lock().map_err(|_| "port registry poisoned".to_string())?;
		if used.contains_key(&port) || TcpListener::bind(("127.0.0.1", port)).is_err() {
			continue;
		}
		if let Some(lock) = lock(&dir, port) {
			used.insert(port, lock);
			return Ok(port);
		}
	}
	Err(format!("no free loopback port in {PORTS:?} after 256 tries"))
}
