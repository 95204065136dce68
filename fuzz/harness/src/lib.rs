//! What medchain's fuzz targets run, one module per target, each with `run(data)`: any input is
//! either refused or handled, never a panic, and each module asserts the properties that must
//! hold for what it accepts.
//!
//! `fuzz/targets` wraps each `run` in a libFuzzer target (nightly, `scripts/fuzz.sh`); the stable
//! test suite replays every file of `fuzz/corpus/<target>/` and `fuzz/regressions/<target>/`
//! through the same `run` (`replay`).

pub mod commitment;
pub mod dispatch;
pub mod release;
pub mod rpc;
pub mod seeds;
pub mod share_token;

#[cfg(test)]
mod replay;

/// A target's name (the directory of its corpus and regressions) and its `run`.
pub type Target = (&'static str, fn(&[u8]));

/// Every target.
pub const TARGETS: [Target; 5] = [
	("commitment", commitment::run),
	("dispatch", dispatch::run),
	("release", release::run),
	("rpc", rpc::run),
	("share_token", share_token::run),
];
