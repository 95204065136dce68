//! # medchain pallet testing
//!
//! What the pallets' unit tests share (a dev-dependency only):
//!
//! - [`consortium`]: a registry of three hospitals, two pharmacies and a few patients, a record
//!   store and an access lookup, for pallets that see the registry, the records and the access
//!   log through `medchain_primitives` traits.
//! - [`clock`]: a wall clock a test can set.
//! - [`CheckedExternalities`]: test externalities that run the pallet's `try_state` checks after
//!   every test, so each test also proves the storage invariants hold.

#![deny(missing_docs)]

pub mod clock;
pub mod consortium;

use sp_runtime::TryRuntimeError;

/// Test externalities whose [`execute_with`](Self::execute_with) runs `check` (the pallet's
/// `do_try_state`) after the test body.
pub struct CheckedExternalities {
	inner: sp_io::TestExternalities,
	check: fn() -> Result<(), TryRuntimeError>,
}

impl CheckedExternalities {
	/// Wraps `inner`; every test run in it ends with `check`. Resets the test clock and the
	/// test consortium, whose state is per thread.
	pub fn new(
		inner: sp_io::TestExternalities,
		check: fn() -> Result<(), TryRuntimeError>,
	) -> Self {
		clock::TestClock::reset();
		consortium::reset();
		Self { inner, check }
	}

	/// Runs `test`, then the storage checks; a failed check fails the test.
	pub fn execute_with<R>(&mut self, test: impl FnOnce() -> R) -> R {
		let check = self.check;
		self.inner.execute_with(|| {
			let result = test();
			if let Err(error) = check() {
				panic!("try_state after the test: {error:?}");
			}
			result
		})
	}

	/// The externalities without the checks, for benchmark test suites, whose setup inserts
	/// placeholder state that no call would write.
	pub fn unchecked(self) -> sp_io::TestExternalities {
		self.inner
	}
}
