//! Two network namespaces joined by one veth link that a test cuts and heals, or makes slow and
//! lossy, for the partition and slow-link drills. Nodes in a namespace keep their RPC listeners on that namespace's
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

/// Two namespaces, `left` and `right`, joined by a veth link; deleted when dropped.
pub struct Split {
	/// The one side.
	pub left: Side,
	/// The other side.
	pub right: Side,
}

impl Split {
	/// Creates the namespaces, named after `tag` and this process, and the link between
	/// them, up.
	pub fn new(tag: &str) -> crate::Result<Self> {
		delete_orphans()?;
		let pid = std::process::id();
		let side = |letter: &str, ip: &str| Side {
			namespace: format!("{PREFIX}{tag}-{pid}-{letter}"),
			ip: ip.into(),
		};
		let split = Self { left: side("l", "10.201.0.1"), right: side("r", "10.201.0.2") };
		for side in [&split.left, &split.right] {
			ip(&["netns", "add", &side.namespace])?;
			ip(&["-n", &side.namespace, "link", "set", "lo", "up"])?;
		}
		ip(&[
			"-n",
			&split.left.namespace,
			"link",
			"add",
			LINK,
			"type",
			"veth",
			"peer",
			"name",
			LINK,
			"netns",
			&split.right.namespace,
		])?;
		for side in [&split.left, &split.right] {
			ip(&["-n", &side.namespace, "addr", "add", &format!("{}/24", side.ip), "dev", LINK])?;
		}
		split.heal()?;
		Ok(split)
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

/// A slow, lossy link ([`Split::degrade`]).
#[derive(Clone, Copy, Debug)]
pub struct SlowLink {
	/// What each end sends at most, in kbit/s.
	pub kbit_per_second: u32,
	/// How long what exceeds that rate may queue before it is dropped, in milliseconds.
	pub queue_millis: u32,
	/// The share of the packets each end drops at random as they arrive, in percent.
	pub loss_percent: u32,
}

/// What a degraded link did to its traffic, both ends together.
#[derive(Clone, Copy, Debug, Default)]
pub struct LinkLosses {
	/// Packets dropped at random.
	pub dropped_at_random: u64,
	/// Times a packet had to wait for the rate cap (`tbf`'s overlimits).
	pub held_by_rate: u64,
	/// Packets dropped because they had queued too long.
	pub dropped_by_rate: u64,
}

impl Split {
	/// Makes the link slow and lossy. This kernel has no `netem`, so a token bucket (`tbf`)
	/// caps each end's rate, and what exceeds it queues (the delay) up to `queue_millis`, and
	/// netfilter's `statistic` match drops `loss_percent` of what each end receives.
	pub fn degrade(&self, link: SlowLink) -> crate::Result<()> {
		let (rate, latency) =
			(format!("{}kbit", link.kbit_per_second), format!("{}ms", link.queue_millis));
		let probability = format!("{:.4}", f64::from(link.loss_percent) / 100.0);
		for side in [&self.left, &self.right] {
			let namespace = side.namespace.as_str();
			let cap = ["rate", &rate, "burst", "16kbit", "latency", &latency];
			let qdisc = ["-n", namespace, "qdisc", "replace", "dev", LINK, "root", "tbf"];
			run("tc", &[&qdisc[..], &cap].concat())?;
			let random = ["-m", "statistic", "--mode", "random", "--probability", &probability];
			iptables(
				namespace,
				&[&["-A", "INPUT", "-i", LINK][..], &random, &["-j", "DROP"]].concat(),
			)?;
		}
		Ok(())
	}

	/// Makes the link fast and lossless again.
	pub fn restore(&self) -> crate::Result<()> {
		for side in [&self.left, &self.right] {
			let namespace = side.namespace.as_str();
			run("tc", &["-n", namespace, "qdisc", "del", "dev", LINK, "root"])?;
			iptables(namespace, &["-F", "INPUT"])?;
		}
		Ok(())
	}

	/// What the degraded link did so far.
	pub fn losses(&self) -> crate::Result<LinkLosses> {
		let mut losses = LinkLosses::default();
		for side in [&self.left, &self.right] {
			let namespace = side.namespace.as_str();
			let rules = iptables(namespace, &["-nvxL", "INPUT"])?;
			losses.dropped_at_random += rules
				.lines()
				.filter(|line| line.contains("statistic"))
				.filter_map(|line| line.split_whitespace().next()?.parse::<u64>().ok())
				.sum::<u64>();
			let qdisc = run("tc", &["-n", namespace, "-s", "qdisc", "show", "dev", LINK])?;
			losses.dropped_by_rate += number_after(&qdisc, "dropped ");
			losses.held_by_rate += number_after(&qdisc, "overlimits ");
		}
		Ok(losses)
	}
}

/// Runs `iptables` with `args` in `namespace`.
fn iptables(namespace: &str, args: &[&str]) -> crate::Result<String> {
	run("ip", &[&["netns", "exec", namespace, "iptables", "-w"][..], args].concat())
}

/// The number right after the first `label` in `text`, or 0.
fn number_after(text: &str, label: &str) -> u64 {
	let Some((_, rest)) = text.split_once(label) else { return 0 };
	let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
	digits.parse().unwrap_or(0)
}

impl Drop for Split {
	fn drop(&mut self) {
		for side in [&self.left, &self.right] {
			let _ = ip(&["netns", "delete", &side.namespace]);
		}
	}
}

/// A new split, named after `tag`, or `None` where this process may not make namespaces and
/// `MEDCHAIN_ALLOW_SKIP` names `drill` ([`crate::skip`]).
pub fn split_or_skip(tag: &str, drill: &str) -> crate::Result<Option<Split>> {
	if let Err(reason) = available() {
		return crate::skip(drill, &reason).map(|()| None);
	}
	Split::new(tag).map(Some)
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
