//! Two network namespaces joined by one veth link that a test cuts and heals, for the
//! partition drills, or through a relay in this process that delays and drops frames, for the
//! slow-link drill (`relay`). Nodes in a namespace keep their RPC listeners on that namespace's
//! 127.0.0.1; [`forward`] brings each one to the same port on this process's 127.0.0.1.
//!
//! Needs root (`ip netns`): [`available`] says why not where it can't. A split is deleted when
//! dropped; one left by a test process that was killed is deleted by the next [`Split::new`].

use std::{
	fs::File,
	io,
	net::{TcpListener, TcpStream},
	os::fd::AsRawFd,
	process::Command,
	sync::{
		atomic::{AtomicBool, Ordering},
		Arc,
	},
	thread,
	time::Duration,
};

mod relay;

pub use relay::{Relay, SlowLink};

/// The name of the link's end in each namespace.
const LINK: &str = "split0";

/// One side of a [`Split`]: its namespace and the address its nodes listen on for peers.
#[derive(Clone, Debug)]
pub struct Side {
	/// The network namespace (`ip netns`).
	pub namespace: String,
	/// This side's address on the link.
	pub ip: String,
}

/// Two namespaces, `left` and `right`, joined by a veth link, or by two through this process
/// ([`Split::slow`]); deleted when dropped.
pub struct Split {
	/// The one side.
	pub left: Side,
	/// The other side.
	pub right: Side,
	/// The relay of a link through this process.
	relay: Option<relay::Running>,
}

impl Split {
	/// Creates the namespaces, named after `tag` and this process, and the link between
	/// them, up.
	pub fn new(tag: &str) -> crate::Result<Self> {
		let split = Self::namespaces(tag)?;
		let (left, right) = (split.left.namespace.as_str(), split.right.namespace.as_str());
		let pair = ["link", "add", LINK, "type", "veth", "peer", "name", LINK, "netns", right];
		ip(&[&["-n", left][..], &pair].concat())?;
		split.addressed()
	}

	/// Creates the namespaces, each with a veth link to this process's namespace, and relays
	/// the frames between those ends here ([`Split::relay`]), at first with no delay or loss.
	pub fn relayed(tag: &str) -> crate::Result<Self> {
		static RELAYED: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
		let mut split = Self::namespaces(tag)?;
		let mut ends = Vec::new();
		// Named after the process and the split (at most 15 bytes): unique on the machine while a
		// process has fewer than 100 relayed splits at once.
		let (pid, count) = (std::process::id(), RELAYED.fetch_add(1, Ordering::Relaxed) % 100);
		for (side, letter) in [(&split.left, "l"), (&split.right, "r")] {
			let end = format!("mc{pid}-{count}{letter}");
			let pair = ["link", "add", &end, "type", "veth", "peer", "name", LINK, "netns"];
			ip(&[&pair[..], &[side.namespace.as_str()]].concat())?;
			// Offloaded, the relay would read frames whose checksums the "hardware" was to
			// fill in, and frames larger than the link's MTU.
			let offloads = ["tx", "off", "tso", "off", "gso", "off", "gro", "off"];
			let ethtool = ["netns", "exec", &side.namespace, "ethtool", "-K", LINK];
			run("ip", &[&ethtool[..], &offloads].concat())?;
			ip(&["link", "set", &end, "up"])?;
			ends.push(end);
		}
		let [left_end, right_end] = ends.as_slice() else { return Err("two link ends".into()) };
		split.relay = Some(relay::start(left_end, right_end)?);
		split.addressed()
	}

	/// The relay of a split made by [`Split::relayed`].
	pub fn relay(&self) -> crate::Result<&Relay> {
		let relay = self.relay.as_ref().map(relay::Running::relay);
		relay.ok_or_else(|| "this split's link is not relayed".into())
	}

	fn namespaces(tag: &str) -> crate::Result<Self> {
		delete_orphans()?;
		let pid = std::process::id();
		let side = |letter: &str, ip: &str| Side {
			namespace: format!("{PREFIX}{tag}-{pid}-{letter}"),
			ip: ip.into(),
		};
		let split =
			Self { left: side("l", "10.201.0.1"), right: side("r", "10.201.0.2"), relay: None };
		for side in [&split.left, &split.right] {
			ip(&["netns", "add", &side.namespace])?;
			ip(&["-n", &side.namespace, "link", "set", "lo", "up"])?;
		}
		Ok(split)
	}

	/// Gives each side its address on the link, and brings the link up.
	fn addressed(self) -> crate::Result<Self> {
		for side in [&self.left, &self.right] {
			ip(&["-n", &side.namespace, "addr", "add", &format!("{}/24", side.ip), "dev", LINK])?;
		}
		self.heal()?;
		Ok(self)
	}

	/// Cuts the link: nothing passes between the sides.
	pub fn cut(&self) -> crate::Result<()> {
		self.set_link("down")
	}

	/// Restores the link.
	pub fn heal(&self) -> crate::Result<()> {
		self.set_link("up")
	}

	fn set_link(&self, state: &str) -> crate::Result<()> {
		for side in [&self.left, &self.right] {
			ip(&["-n", &side.namespace, "link", "set", LINK, state])?;
		}
		Ok(())
	}
}

impl Drop for Split {
	fn drop(&mut self) {
		// The relay stops before its interfaces go.
		drop(self.relay.take());
		for side in [&self.left, &self.right] {
			let _ = ip(&["netns", "delete", &side.namespace]);
		}
	}
}

/// The split `make` makes (e.g. [`Split::new`]), named after `tag`, or `None` where this process
/// may not make namespaces and `MEDCHAIN_ALLOW_SKIP` names `drill` ([`crate::skip`]).
pub fn split_or_skip(
	tag: &str,
	drill: &str,
	make: fn(&str) -> crate::Result<Split>,
) -> crate::Result<Option<Split>> {
	if let Err(reason) = available() {
		return crate::skip(drill, &reason).map(|()| None);
	}
	make(tag).map(Some)
}

/// Whether this process may create network namespaces: `Err` says why not.
pub fn available() -> crate::Result<()> {
	let probe = format!("{PREFIX}probe-{}", std::process::id());
	ip(&["netns", "add", &probe])?;
	ip(&["netns", "delete", &probe])
}

/// The prefix of every namespace a split makes: `medchain-<tag>-<pid>-<side>`.
const PREFIX: &str = "medchain-";

/// Deletes the namespaces of splits whose test process is gone.
fn delete_orphans() -> crate::Result<()> {
	let output = Command::new("ip").args(["netns", "list"]).output().map_err(|e| e.to_string())?;
	for line in String::from_utf8_lossy(&output.stdout).lines() {
		let Some(name) = line.split_whitespace().next().filter(|name| name.starts_with(PREFIX))
		else {
			continue;
		};
		let pid = name.rsplit('-').nth(1).and_then(|pid| pid.parse::<u32>().ok());
		if pid.is_some_and(|pid| !std::path::Path::new(&format!("/proc/{pid}")).exists()) {
			ip(&["netns", "delete", name])?;
		}
	}
	Ok(())
}

fn ip(args: &[&str]) -> crate::Result<()> {
	run("ip", args).map(drop)
}

/// Runs `program` with `args`: its output, or why it failed.
fn run(program: &str, args: &[&str]) -> crate::Result<String> {
	let command = || format!("{program} {}", args.join(" "));
	let output =
		Command::new(program).args(args).output().map_err(|e| format!("{}: {e}", command()))?;
	if output.status.success() {
		return Ok(String::from_utf8_lossy(&output.stdout).into_owned());
	}
	Err(format!("{}: {}", command(), String::from_utf8_lossy(&output.stderr).trim()))
}

/// Accepts connections on this process's 127.0.0.1:`port` and joins each to 127.0.0.1:`port`
/// inside `namespace`, until the returned flag is set.
pub fn forward(namespace: &str, port: u16) -> crate::Result<Arc<AtomicBool>> {
	let listener = TcpListener::bind(("127.0.0.1", port))
		.map_err(|e| format!("forwarding port {port}: {e}"))?;
	listener.set_nonblocking(true).map_err(|e| e.to_string())?;
	let stop = Arc::new(AtomicBool::new(false));
	let (namespace, stopped) = (namespace.to_owned(), stop.clone());
	thread::spawn(move || {
		while !stopped.load(Ordering::Relaxed) {
			match listener.accept() {
				Ok((outside, _)) => {
					let namespace = namespace.clone();
					thread::spawn(move || {
						if let Ok(inside) = connect_inside(&namespace, port) {
							join(outside, inside);
						}
					});
				}
				Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
					thread::sleep(Duration::from_millis(20));
				}
				// A connection that failed while it was accepted; the next may not.
				Err(error) => eprintln!("forwarding port {port}: {error}"),
			}
		}
	});
	Ok(stop)
}

/// Connects to 127.0.0.1:`port` in `namespace`, from a thread that enters it: a socket stays
/// in the namespace it was made in.
fn connect_inside(namespace: &str, port: u16) -> io::Result<TcpStream> {
	let path = format!("/var/run/netns/{namespace}");
	thread::scope(|scope| {
		scope
			.spawn(|| {
				let handle = File::open(&path)?;
				// SAFETY: `setns` moves only this thread, which ends once it has connected.
				if unsafe { libc::setns(handle.as_raw_fd(), libc::CLONE_NEWNET) } != 0 {
					return Err(io::Error::last_os_error());
				}
				TcpStream::connect(("127.0.0.1", port))
			})
			.join()
			.unwrap_or_else(|_| Err(io::Error::other("the connecting thread panicked")))
	})
}

/// Copies bytes both ways until either side closes; then closes both, so neither copy waits on.
fn join(outside: TcpStream, inside: TcpStream) {
	let (Ok(mut outside_reader), Ok(mut inside_writer)) = (outside.try_clone(), inside.try_clone())
	else {
		return;
	};
	let upstream = thread::spawn(move || {
		let _ = io::copy(&mut outside_reader, &mut inside_writer);
		let _ = inside_writer.shutdown(std::net::Shutdown::Both);
	});
	let (mut inside_reader, mut outside_writer) = (inside, outside);
	let _ = io::copy(&mut inside_reader, &mut outside_writer);
	let _ = outside_writer.shutdown(std::net::Shutdown::Both);
	let _ = inside_reader.shutdown(std::net::Shutdown::Both);
	let _ = upstream.join();
}
