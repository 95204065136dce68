//! One access per share token at a time on this node. Each use signs the grant's use count, so
//! two at once would sign the same count and the chain would refuse the second as a replay
//! (`SignatureReplayed`); instead the second waits until the first's call answers (final, or
//! still in no block after its wait: then the two may still race).

use std::{
	collections::BTreeMap,
	sync::{Arc, Mutex},
	time::Duration,
};

use medchain_primitives::shares::TokenKey;

/// How many accesses may wait for one token's turn; more are refused as busy.
pub const MAX_WAITING_PER_TOKEN: usize = 4;

/// The share tokens in use on this node: each one's lock, and how many uses hold or await it.
#[derive(Default)]
pub struct TokenTurns(Mutex<Locks>);

type Locks = BTreeMap<TokenKey, (Arc<tokio::sync::Mutex<()>>, usize)>;

/// Why a use of a token did not get its turn.
#[derive(Debug, PartialEq, Eq)]
pub enum NoTurn {
	/// [`MAX_WAITING_PER_TOKEN`] uses already wait.
	TooManyWaiting,
	/// The use in progress did not end within the wait.
	TimedOut,
}

impl std::fmt::Display for NoTurn {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			NoTurn::TooManyWaiting => write!(f, "{MAX_WAITING_PER_TOKEN} more uses already wait"),
			NoTurn::TimedOut => f.write_str("the use under way did not end in time"),
		}
	}
}

/// A token's turn: the next use of the token waits until this is dropped.
pub struct Turn<'a> {
	// Released before the use below stops counting.
	_held: tokio::sync::OwnedMutexGuard<()>,
	_use: Use<'a>,
}

/// A use of a token, holding or awaiting its turn; the last one gone forgets the token.
struct Use<'a> {
	turns: &'a TokenTurns,
	key: TokenKey,
}

impl TokenTurns {
	/// Waits, for `wait` at most, until no other use of `key` is in progress on this node.
	pub async fn take(&self, key: TokenKey, wait: Duration) -> Result<Turn<'_>, NoTurn> {
		let (lock, counted) = {
			let mut turns = self.lock();
			let (lock, uses) = turns.entry(key).or_default();
			if *uses > MAX_WAITING_PER_TOKEN {
				return Err(NoTurn::TooManyWaiting);
			}
			*uses = uses.saturating_add(1);
			(lock.clone(), Use { turns: self, key })
		};
		let held = tokio::time::timeout(wait, lock.lock_owned()).await;
		let held = held.map_err(|_| NoTurn::TimedOut)?;
		Ok(Turn { _held: held, _use: counted })
	}

	/// How many tokens are in use or awaited.
	#[cfg(test)]
	fn in_use(&self) -> usize {
		self.lock().len()
	}

	fn lock(&self) -> std::sync::MutexGuard<'_, Locks> {
		self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
	}
}

impl Drop for Use<'_> {
	fn drop(&mut self) {
		let mut turns = self.turns.lock();
		if let Some((_, uses)) = turns.get_mut(&self.key) {
			*uses = uses.saturating_sub(1);
			if *uses == 0 {
				turns.remove(&self.key);
			}
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use sp_core::ed25519;

	const WAIT: Duration = Duration::from_secs(5);

	fn key(byte: u8) -> TokenKey {
		ed25519::Public::from_raw([byte; 32])
	}

	#[tokio::test]
	async fn a_second_use_of_a_token_waits_for_the_first_and_another_token_does_not() {
		let turns = Arc::new(TokenTurns::default());
		let first = turns.take(key(1), WAIT).await.unwrap();
		let other = turns.take(key(2), WAIT).await.unwrap();
		let second = {
			let turns = turns.clone();
			tokio::spawn(async move { turns.take(key(1), WAIT).await.map(drop) })
		};
		tokio::time::sleep(Duration::from_millis(50)).await;
		assert!(!second.is_finished(), "the second use did not wait");
		drop(first);
		assert_eq!(second.await.unwrap(), Ok(()));
		drop(other);
		assert_eq!(turns.in_use(), 0);
	}

	#[tokio::test]
	async fn uses_beyond_the_waiting_limit_or_the_wait_are_refused() {
		let turns = Arc::new(TokenTurns::default());
		let first = turns.take(key(1), WAIT).await.unwrap();
		let waiting: Vec<_> = (0..MAX_WAITING_PER_TOKEN)
			.map(|_| {
				let turns = turns.clone();
				tokio::spawn(async move { turns.take(key(1), WAIT).await.map(drop) })
			})
			.collect();
		tokio::time::sleep(Duration::from_millis(50)).await;
		assert_eq!(turns.take(key(1), WAIT).await.err(), Some(NoTurn::TooManyWaiting));
		for waiter in waiting {
			waiter.abort();
		}
		tokio::time::sleep(Duration::from_millis(50)).await;
		let timed_out = turns.take(key(1), Duration::from_millis(20)).await;
		assert_eq!(timed_out.err(), Some(NoTurn::TimedOut));
		drop(first);
		// Nothing is left behind by the uses that gave up.
		assert_eq!(turns.in_use(), 0);
	}
}
