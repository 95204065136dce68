//! A slow, lossy link made in user space: this kernel has no `netem`. Each side's veth has its
//! other end in this process's namespace, where a thread per direction reads every frame from
//! one end (an `AF_PACKET` socket), drops some at random, and writes the rest to the other end
//! once they have waited the delay.

use std::{
	ffi::CString,
	io,
	os::fd::{AsRawFd, FromRawFd, OwnedFd},
	sync::{
		atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering},
		mpsc, Arc,
	},
	thread,
	time::{Duration, Instant},
};

use rand::Rng;

/// How a relayed link treats its frames.
#[derive(Clone, Copy, Debug)]
pub struct SlowLink {
	/// How long each frame waits, each way.
	pub delay: Duration,
	/// The share of frames dropped at random, each way, in percent.
	pub loss_percent: u32,
}

impl SlowLink {
	/// No delay and no loss.
	pub const GOOD: SlowLink = SlowLink { delay: Duration::ZERO, loss_percent: 0 };
}

/// A relay's settings, which a test may change while it runs, and what it did, both directions
/// together.
#[derive(Debug, Default)]
pub struct Relay {
	delay_micros: AtomicU64,
	loss_percent: AtomicU32,
	passed: AtomicU64,
	dropped: AtomicU64,
}

impl Relay {
	/// From now on, treats frames as `link` says.
	pub fn set(&self, link: SlowLink) {
		let micros = u64::try_from(link.delay.as_micros()).unwrap_or(u64::MAX);
		self.delay_micros.store(micros, Ordering::Relaxed);
		self.loss_percent.store(link.loss_percent, Ordering::Relaxed);
	}

	/// The frames passed on and dropped so far.
	pub fn counts(&self) -> (u64, u64) {
		(self.passed.load(Ordering::Relaxed), self.dropped.load(Ordering::Relaxed))
	}
}

/// How often a blocked read looks whether the relay should stop.
const POLL: Duration = Duration::from_millis(100);
/// The largest frame read: segmentation offloads are off on the link, so frames fit the MTU.
const MAX_FRAME: usize = 65_536;

/// A relay at work: stopped, and its threads joined, when dropped.
pub struct Running {
	relay: Arc<Relay>,
	stop: Arc<AtomicBool>,
	threads: Vec<thread::JoinHandle<()>>,
}

impl Running {
	/// Its settings and counts.
	pub fn relay(&self) -> &Relay {
		&self.relay
	}
}

impl Drop for Running {
	fn drop(&mut self) {
		self.stop.store(true, Ordering::Relaxed);
		for thread in self.threads.drain(..) {
			let _ = thread.join();
		}
	}
}

/// Relays frames between the interfaces `a` and `b` of this namespace in both directions, at
/// first with no delay or loss.
pub fn start(a: &str, b: &str) -> crate::Result<Running> {
	let (a_in, a_out) = (PacketSocket::open(a, Use::Read)?, PacketSocket::open(a, Use::Write)?);
	let (b_in, b_out) = (PacketSocket::open(b, Use::Read)?, PacketSocket::open(b, Use::Write)?);
	let (relay, stop) = (Arc::new(Relay::default()), Arc::new(AtomicBool::new(false)));
	let threads = [(a_in, b_out), (b_in, a_out)].map(|(from, to)| {
		let (relay, stop) = (relay.clone(), stop.clone());
		thread::spawn(move || one_way(from, to, &relay, &stop))
	});
	Ok(Running { relay, stop, threads: threads.into() })
}

/// Reads frames from `from` and writes each to `to` after the delay, unless it is dropped.
fn one_way(from: PacketSocket, to: PacketSocket, relay: &Relay, stop: &AtomicBool) {
	let (due, waiting) = mpsc::channel::<(Instant, Vec<u8>)>();
	let writer = thread::spawn(move || {
		// Frames go out in the order they came; after the delay shrinks, the later ones are due
		// at once.
		for (at, frame) in waiting {
			thread::sleep(at.saturating_duration_since(Instant::now()));
			// A frame the interface refuses (it is down: the link is cut) is lost, as on a wire.
			let _ = to.send(&frame);
		}
	});
	let mut rng = rand::thread_rng();
	let mut buffer = vec![0; MAX_FRAME];
	while !stop.load(Ordering::Relaxed) {
		let length = match from.receive(&mut buffer) {
			Ok(Some(length)) => length,
			Ok(None) => continue,
			// The interface went away (its namespace is being deleted): wait for the stop.
			Err(_) => {
				thread::sleep(POLL);
				continue;
			}
		};
		if rng.gen_range(0..100) < relay.loss_percent.load(Ordering::Relaxed) {
			relay.dropped.fetch_add(1, Ordering::Relaxed);
			continue;
		}
		relay.passed.fetch_add(1, Ordering::Relaxed);
		let frame = buffer.get(..length).unwrap_or_default().to_vec();
		let delay = Duration::from_micros(relay.delay_micros.load(Ordering::Relaxed));
		let now = Instant::now();
		if due.send((now.checked_add(delay).unwrap_or(now), frame)).is_err() {
			break;
		}
	}
	drop(due);
	let _ = writer.join();
}

/// What a [`PacketSocket`] is for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Use {
	/// Every frame that arrives on its interface.
	Read,
	/// Frames to send out of its interface; it receives none.
	Write,
}

/// A raw socket on one interface.
struct PacketSocket(OwnedFd);

impl PacketSocket {
	fn open(interface: &str, purpose: Use) -> crate::Result<Self> {
		let error = |what: &str| format!("{what} on {interface}: {}", io::Error::last_os_error());
		let name = CString::new(interface).map_err(|e| e.to_string())?;
		// Protocol 0 receives nothing: a socket only written to never fills with copies.
		let all = if purpose == Use::Read { (libc::ETH_P_ALL as u16).to_be() } else { 0 };
		// SAFETY: plain system calls; every pointer passed is to a live local of the right size.
		unsafe {
			let index = libc::if_nametoindex(name.as_ptr());
			if index == 0 {
				return Err(error("if_nametoindex"));
			}
			let fd = libc::socket(libc::AF_PACKET, libc::SOCK_RAW, i32::from(all));
			if fd < 0 {
				return Err(error("socket(AF_PACKET)"));
			}
			let socket = Self(OwnedFd::from_raw_fd(fd));
			let mut address: libc::sockaddr_ll = std::mem::zeroed();
			address.sll_family = libc::AF_PACKET as u16;
			address.sll_protocol = all;
			address.sll_ifindex = i32::try_from(index).map_err(|e| e.to_string())?;
			let bound = libc::bind(
				fd,
				std::ptr::addr_of!(address).cast(),
				std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t,
			);
			if bound != 0 {
				return Err(error("bind"));
			}
			let timeout =
				libc::timeval { tv_sec: 0, tv_usec: POLL.as_micros() as libc::suseconds_t };
			let set = libc::setsockopt(
				fd,
				libc::SOL_SOCKET,
				libc::SO_RCVTIMEO,
				std::ptr::addr_of!(timeout).cast(),
				std::mem::size_of::<libc::timeval>() as libc::socklen_t,
			);
			if set != 0 {
				return Err(error("SO_RCVTIMEO"));
			}
			Ok(socket)
		}
	}

	/// The next frame that arrived on the interface, its length; `None` for one the interface
	/// sent (this relay's own), or when nothing came within [`POLL`].
	fn receive(&self, buffer: &mut [u8]) -> io::Result<Option<usize>> {
		// SAFETY: `buffer` and `address` outlive the call, and their sizes are passed with them.
		let (length, address) = unsafe {
			let mut address: libc::sockaddr_ll = std::mem::zeroed();
			let mut size = std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t;
			let length = libc::recvfrom(
				self.0.as_raw_fd(),
				buffer.as_mut_ptr().cast(),
				buffer.len(),
				0,
				std::ptr::addr_of_mut!(address).cast(),
				&mut size,
			);
			(length, address)
		};
		if length < 0 {
			let error = io::Error::last_os_error();
			return match error.kind() {
				io::ErrorKind::WouldBlock
				| io::ErrorKind::TimedOut
				| io::ErrorKind::Interrupted => Ok(None),
				_ => Err(error),
			};
		}
		if address.sll_pkttype == libc::PACKET_OUTGOING {
			return Ok(None);
		}
		Ok(usize::try_from(length).ok())
	}

	fn send(&self, frame: &[u8]) -> io::Result<()> {
		// SAFETY: `frame` outlives the call, and its length is passed with it.
		let sent = unsafe { libc::send(self.0.as_raw_fd(), frame.as_ptr().cast(), frame.len(), 0) };
		if sent < 0 {
			return Err(io::Error::last_os_error());
		}
		Ok(())
	}
}
