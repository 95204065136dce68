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

use codec::Encode;
use serde_json::Value;
use sp_keyring::Sr25519Keyring;
use sp_runtime::{generic::Era, BuildStorage};

use medchain_runtime::{
	genesis_config_presets::get_preset, RuntimeCall, RuntimeGenesisConfig, SignedPayload, System,
	UncheckedExtrinsic,
};

/// Applies a JSON patch the way the node does when it builds a chain spec from a preset.
fn merge(base: &mut Value, patch: Value) {
	match (base, patch) {
		(Value::Object(base), Value::Object(patch)) => {
			for (key, value) in patch {
				merge(base.entry(key).or_insert(Value::Null), value);
			}
		}
		(base, patch) => *base = patch,
	}
}

/// Test externalities holding the genesis state of preset `name`.
pub fn genesis_of(name: &str) -> sp_io::TestExternalities {
	let patch: Value = serde_json::from_slice(&get_preset(&name.into()).expect("preset exists"))
		.expect("preset is JSON");
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).expect("serializes");
	merge(&mut config, patch);
	let config: RuntimeGenesisConfig = serde_json::from_value(config).expect("preset decodes");
	config.build_storage().expect("genesis builds").into()
}

/// `call` signed by `signer` with its next nonce, immortal, as a wallet would send it.
pub fn signed(signer: Sr25519Keyring, call: RuntimeCall) -> UncheckedExtrinsic {
	let nonce = System::account_nonce(signer.to_account_id());
	let extension = medchain_runtime::tx_extension(Era::Immortal, nonce);
	let payload = SignedPayload::new(call.clone(), extension.clone()).expect("implicit data");
	let signature = payload.using_encoded(|bytes| signer.sign(bytes));
	UncheckedExtrinsic::new_signed(call, signer.to_account_id().into(), signature.into(), extension)
}

/// Starts block `number` on top of the stored one, as block import does.
pub fn start_block(number: u32) {
	use sp_runtime::traits::Header as _;
	let parent = System::block_hash(number.saturating_sub(1));
	let header = medchain_runtime::Header::new(
		number,
		Default::default(),
		Default::default(),
		parent,
		Default::default(),
	);
	medchain_runtime::Executive::initialize_block(&header);
}
