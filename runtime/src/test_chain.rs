//! The runtime run natively on a test externality (`std` only): the genesis state of a preset,
//! signed transactions and block starts, as the runtime's integration tests and the fuzz
//! targets (`fuzz/`) use them. It is in the node's native build too, where nothing calls it.

use alloc::{collections::BTreeMap, format, string::String};
use codec::Encode;
use core::cell::RefCell;
use serde_json::Value;
use sp_core::{
	sr25519::{Pair, Signature},
	Pair as _,
};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{generic::Era, traits::Header as _, BuildStorage, Storage};

use crate::{
	genesis_config_presets::get_preset, Executive, Header, RuntimeCall, RuntimeGenesisConfig,
	SignedPayload, System, UncheckedExtrinsic,
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

/// The genesis state of preset `name`.
pub fn genesis_state(name: &str) -> Result<Storage, String> {
	let preset = get_preset(&name.into()).ok_or(format!("no preset {name}"))?;
	let patch: Value = serde_json::from_slice(&preset).map_err(|error| error.to_string())?;
	let mut config =
		serde_json::to_value(RuntimeGenesisConfig::default()).map_err(|error| error.to_string())?;
	merge(&mut config, patch);
	let config: RuntimeGenesisConfig =
		serde_json::from_value(config).map_err(|error| error.to_string())?;
	config.build_storage()
}

/// `call` signed by `signer` with its next nonce, immortal, as a wallet would send it (in
/// externalities).
pub fn signed(signer: Sr25519Keyring, call: RuntimeCall) -> Result<UncheckedExtrinsic, String> {
	let nonce = System::account_nonce(signer.to_account_id());
	let extension = crate::tx_extension(Era::Immortal, nonce);
	let payload = SignedPayload::new(call.clone(), extension.clone())
		.map_err(|error| format!("the transaction's implicit data: {error:?}"))?;
	let signature = payload.using_encoded(|bytes| sign_as(signer, bytes));
	let signer = signer.to_account_id().into();
	Ok(UncheckedExtrinsic::new_signed(call, signer, signature.into(), extension))
}

/// `message` signed by `signer`, whose key pair is derived once per thread: a derivation from
/// the development phrase runs 2,048 rounds of PBKDF2, most of what signing here costs.
fn sign_as(signer: Sr25519Keyring, message: &[u8]) -> Signature {
	thread_local! {
		static PAIRS: RefCell<BTreeMap<Sr25519Keyring, Pair>> =
			const { RefCell::new(BTreeMap::new()) };
	}
	PAIRS
		.with_borrow_mut(|pairs| pairs.entry(signer).or_insert_with(|| signer.pair()).sign(message))
}

/// Starts block `number` on top of the stored one, as block import does (in externalities).
pub fn start_block(number: u32) {
	let parent = System::block_hash(number.saturating_sub(1));
	let header =
		Header::new(number, Default::default(), Default::default(), parent, Default::default());
	Executive::initialize_block(&header);
}
