//! One-use tickets for a browser's WebSocket. A browser can't send `Authorization` on a
//! WebSocket upgrade, so the portal asks `medchain_wsTicket` over HTTP (with its token) and
//! opens `ws://…/?ticket=0x…` within [`TICKET_LIFETIME`]: the ticket stands for the token's
//! holder, once. Only an upgrade may carry a ticket ([`super::auth`]).

use std::{
	collections::HashMap,
	sync::Mutex,
	time::{Duration, Instant},
};

use medchain_app_api::auth::Holder;

/// How long a ticket may wait for its upgrade.
pub const TICKET_LIFETIME: Duration = Duration::from_secs(30);
/// Unused tickets one token may hold, and all tokens together.
const MAX_PER_HOLDER: usize = 8;
const MAX_TICKETS: usize = 16_384;

/// Why no ticket was issued.
#[derive(Debug, PartialEq, Eq)]
pub enum NoTicket {
	/// The token holds [`MAX_PER_HOLDER`] unused tickets.
	TooManyForToken,
	/// The node holds [`MAX_TICKETS`] unused tickets.
	TooManyOnNode,
}

impl std::fmt::Display for NoTicket {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		let (holder, count) = match self {
			NoTicket::TooManyForToken => ("this token", MAX_PER_HOLDER),
			NoTicket::TooManyOnNode => ("this node", MAX_TICKETS),
		};
		write!(
			f,
			"{holder} holds {count} unused tickets: use one, or wait {} s",
			TICKET_LIFETIME.as_secs()
		)
	}
}

/// The tickets issued and not used yet, each with its holder and when it was issued.
#[derive(Default)]
pub struct Tickets(Mutex<HashMap<[u8; 32], (Holder, Instant)>>);

impl Tickets {
	/// A new ticket for `holder`.
	pub fn issue(&self, holder: Holder) -> Result<[u8; 32], NoTicket> {
		let mut tickets = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
		tickets.retain(|_, (_, issued)| issued.elapsed() < TICKET_LIFETIME);
		let held = tickets.values().filter(|(owner, _)| owner.id == holder.id).count();
		if held >= MAX_PER_HOLDER {
			return Err(NoTicket::TooManyForToken);
		}
		if tickets.len() >= MAX_TICKETS {
			return Err(NoTicket::TooManyOnNode);
		}
		let ticket: [u8; 32] = rand::random();
		tickets.insert(ticket, (holder, Instant::now()));
		Ok(ticket)
	}

	/// The holder `ticket` was issued to, if it is unused and young enough; it is used now.
	pub fn redeem(&self, ticket: &[u8; 32]) -> Option<Holder> {
		let mut tickets = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
		let (holder, issued) = tickets.remove(ticket)?;
		(issued.elapsed() < TICKET_LIFETIME).then_some(holder)
	}
}

/// The `ticket` of a request's query (`?ticket=0x` and 64 hex digits), if it has one.
pub fn ticket_of<B>(request: &http::Request<B>) -> Option<[u8; 32]> {
	let query = request.uri().query()?;
	let value = query.split('&').find_map(|pair| pair.strip_prefix("ticket="))?;
	let mut ticket = [0u8; 32];
	hex::decode_to_slice(value.strip_prefix("0x")?, &mut ticket).ok()?;
	Some(ticket)
}

#[cfg(test)]
mod tests {
	use super::*;
	use medchain_app_api::auth::Role;

	fn holder(id: u8) -> Holder {
		Holder { id: [id; 32], role: Role::App, patient: None }
	}

	#[test]
	fn a_ticket_works_once_for_its_holder() {
		let tickets = Tickets::default();
		let ticket = tickets.issue(holder(1)).unwrap();
		assert_eq!(tickets.redeem(&ticket), Some(holder(1)));
		assert_eq!(tickets.redeem(&ticket), None, "used");
		assert_eq!(tickets.redeem(&[0; 32]), None, "never issued");
	}

	#[test]
	fn a_token_holds_a_bounded_number_of_unused_tickets() {
		let tickets = Tickets::default();
		for _ in 0..MAX_PER_HOLDER {
			tickets.issue(holder(1)).unwrap();
		}
		assert_eq!(tickets.issue(holder(1)), Err(NoTicket::TooManyForToken));
		assert!(tickets.issue(holder(2)).is_ok(), "another token's are counted apart");
	}

	#[test]
	fn the_ticket_is_read_from_the_query_only_in_its_one_form() {
		let ticket = [0xab; 32];
		let request = |uri: &str| http::Request::builder().uri(uri).body(()).unwrap();
		let good = format!("/?x=1&ticket=0x{}", hex::encode(ticket));
		assert_eq!(ticket_of(&request(&good)), Some(ticket));
		assert_eq!(ticket_of(&request(&format!("/?ticket={}", hex::encode(ticket)))), None);
		assert_eq!(ticket_of(&request("/?ticket=0x12")), None);
		assert_eq!(ticket_of(&request("/")), None);
	}
}
