//! Runtime-level tests: genesis presets as the node builds them, and signed transactions
//! through the real `TxExtension`.

// clippy.toml lets tests unwrap, expect, panic and index; its allowances reach `#[test]`
// functions only, not this test crate's helpers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod governance;
mod limits;
mod permissions;
mod presets;
mod records;
mod shares;

use medchain_runtime::{test_chain, RuntimeCall, UncheckedExtrinsic};
use sp_keyring::Sr25519Keyring;

/// Test externalities holding the genesis state of preset `name`.
pub fn genesis_of(name: &str) -> sp_io::TestExternalities {
	test_chain::genesis_state(name).expect("genesis builds").into()
}

/// `call` signed by `signer` with its next nonce, immortal, as a wallet would send it.
pub fn signed(signer: Sr25519Keyring, call: RuntimeCall) -> UncheckedExtrinsic {
	test_chain::signed(signer, call).expect("signs")
}

pub use test_chain::start_block;
