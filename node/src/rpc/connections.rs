//! The medchain RPC's connection slots: at most [`MAX_CONNECTIONS`] at once, and at most
//! [`MAX_CONNECTIONS_PER_ADDRESS`] from one IP address other than this machine's, taken before
//! the TLS handshake and given back when the connection ends. A host on the network that opens
//! sockets and sends nothing holds only its own share; apps on the node's own host (loopback,
//! whose HTTP clients keep a pool of connections each) share the node-wide cap.

use std::{
	collections::HashMap,
	net::IpAddr,
	sync::{Arc, Mutex},
};

/// Most connections the listener holds open at once.
pub const MAX_CONNECTIONS: usize = 256;
/// Most connections from one IP address.
pub const MAX_CONNECTIONS_PER_ADDRESS: usize = 64;

/// Open connections, in all and by address.
#[derive(Default)]
pub struct Slots(Mutex<(usize, HashMap<IpAddr, usize>)>);

/// One taken slot; given back when dropped.
pub struct Slot {
	slots: Arc<Slots>,
	address: IpAddr,
}

impl Slots {
	/// A slot for a connection from `address`, if one is free.
	pub fn take(self: &Arc<Self>, address: IpAddr) -> Option<Slot> {
		let mut open = self.0.lock().ok()?;
		let (total, by_address) = &mut *open;
		let from_address = by_address.entry(address).or_default();
		let address_full = !address.is_loopback() && *from_address >= MAX_CONNECTIONS_PER_ADDRESS;
		if *total >= MAX_CONNECTIONS || address_full {
			return None;
		}
		*from_address = from_address.saturating_add(1);
		*total = total.saturating_add(1);
		Some(Slot { slots: self.clone(), address })
	}
}

impl Drop for Slot {
	fn drop(&mut self) {
		if let Ok(mut open) = self.slots.0.lock() {
			let (total, by_address) = &mut *open;
			*total = total.saturating_sub(1);
			if let Some(count) = by_address.get_mut(&self.address) {
				*count = count.saturating_sub(1);
				if *count == 0 {
					by_address.remove(&self.address);
				}
			}
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn one_address_gets_its_share_and_slots_come_back() {
		let slots = Arc::new(Slots::default());
		let (one, other): (IpAddr, IpAddr) =
			("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
		let held: Vec<_> =
			(0..MAX_CONNECTIONS_PER_ADDRESS).map(|_| slots.take(one).unwrap()).collect();
		assert!(slots.take(one).is_none());
		assert!(slots.take(other).is_some(), "another address");
		let local: IpAddr = "127.0.0.1".parse().unwrap();
		let locals: Vec<_> =
			(0..MAX_CONNECTIONS_PER_ADDRESS + 1).map(|_| slots.take(local).unwrap()).collect();
		drop(locals);
		drop(held);
		assert!(slots.take(one).is_some());
		let mut all = Vec::new();
		for n in 0..MAX_CONNECTIONS {
			let address = IpAddr::from([10, 1, (n / 250) as u8, (n % 250) as u8]);
			all.push(slots.take(address).unwrap());
		}
		assert!(slots.take("10.9.9.9".parse().unwrap()).is_none(), "the node-wide cap");
	}
}
