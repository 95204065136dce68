//! A wall clock for tests: it reads [`START_MS`] until a test sets it.

use std::cell::Cell;

use frame_support::traits::UnixTime;

/// The time every test starts at: 2023-11-14, in Unix milliseconds.
pub const START_MS: u64 = 1_700_000_000_000;

thread_local! {
	static NOW_MS: Cell<u64> = const { Cell::new(START_MS) };
}

/// A [`UnixTime`] that reads the time this test thread set.
pub struct TestClock;

impl TestClock {
	/// Makes the clock read `ms` (Unix milliseconds) from now on in this thread.
	pub fn set(ms: u64) {
		NOW_MS.with(|now| now.set(ms));
	}

	/// Back to [`START_MS`].
	pub fn reset() {
		Self::set(START_MS);
	}
}

impl UnixTime for TestClock {
	fn now() -> core::time::Duration {
		core::time::Duration::from_millis(NOW_MS.with(Cell::get))
	}
}
