//! Genesis presets, as JSON patches over the default genesis config.
//!
//! - `development`: one hospital validator (Alice's dev keys) and a sudo key.
//! - `local_testnet`: four hospital validators, Hospital A to D (Alice, Bob, Charlie and Dave's
//!   dev keys), no sudo key.
//! - `consortium_template`: the shape of a production genesis with placeholders where each
//!   hospital's real keys go. It has no dev keys and no sudo key, and it does not build until
//!   every placeholder is replaced.

use crate::{AccountId, RuntimeGenesisConfig, SudoConfig};
use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// Preset name of the four-hospital local network.
pub const LOCAL_TESTNET_PRESET: &str = sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET;
/// Preset name of the single-validator development chain.
pub const DEVELOPMENT_PRESET: &str = sp_genesis_builder::DEV_RUNTIME_PRESET;
/// Preset name of the production template with placeholder keys.
pub const CONSORTIUM_TEMPLATE_PRESET: &str = "consortium_template";

/// The local network's hospitals in order, with the dev keyring each validator uses.
/// Hospital A is Alice, B is Bob, C is Charlie and D is Dave.
const LOCAL_HOSPITAL_KEYS: [(Sr25519Keyring, Ed25519Keyring); 4] = [
	(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
	(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
	(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
	(Sr25519Keyring::Dave, Ed25519Keyring::Dave),
];

/// The hospital labels `consortium_template` uses in its placeholders.
const TEMPLATE_HOSPITALS: [&str; 4] = ["HOSPITAL_A", "HOSPITAL_B", "HOSPITAL_C", "HOSPITAL_D"];

fn validator_genesis(
	validators: &[(Sr25519Keyring, Ed25519Keyring)],
	sudo_key: Option<AccountId>,
) -> Value {
	let aura: Vec<AuraId> = validators.iter().map(|(aura, _)| aura.public().into()).collect();
	let grandpa: Vec<(GrandpaId, u64)> =
		validators.iter().map(|(_, grandpa)| (grandpa.public().into(), 1)).collect();
	build_struct_json_patch!(RuntimeGenesisConfig {
		aura: pallet_aura::GenesisConfig { authorities: aura },
		grandpa: pallet_grandpa::GenesisConfig { authorities: grandpa },
		sudo: SudoConfig { key: sudo_key },
	})
}

fn development_genesis() -> Value {
	validator_genesis(&LOCAL_HOSPITAL_KEYS[..1], Some(Sr25519Keyring::Alice.to_account_id()))
}

fn local_testnet_genesis() -> Value {
	validator_genesis(&LOCAL_HOSPITAL_KEYS, None)
}

/// Placeholders are `<HOSPITAL_X_AURA_SR25519_SS58>` and `<HOSPITAL_X_GRANDPA_ED25519_SS58>`;
/// `scripts/build-specs.sh` documents how to fill them in.
fn consortium_template_genesis() -> Value {
	let aura: Vec<Value> = TEMPLATE_HOSPITALS
		.iter()
		.map(|h| Value::String(alloc::format!("<{h}_AURA_SR25519_SS58>")))
		.collect();
	let grandpa: Vec<Value> = TEMPLATE_HOSPITALS
		.iter()
		.map(|h| serde_json::json!([alloc::format!("<{h}_GRANDPA_ED25519_SS58>"), 1]))
		.collect();
	serde_json::json!({
		"aura": { "authorities": aura },
		"grandpa": { "authorities": grandpa },
	})
}

/// The JSON patch of a named preset, or `None` for an unknown name.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		DEVELOPMENT_PRESET => development_genesis(),
		LOCAL_TESTNET_PRESET => local_testnet_genesis(),
		CONSORTIUM_TEMPLATE_PRESET => consortium_template_genesis(),
		_ => return None,
	};
	Some(serde_json::to_string(&patch).ok()?.into_bytes())
}

/// Every preset this runtime offers.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(DEVELOPMENT_PRESET),
		PresetId::from(LOCAL_TESTNET_PRESET),
		PresetId::from(CONSORTIUM_TEMPLATE_PRESET),
	]
}

#[cfg(test)]
mod tests {
	use super::*;

	fn preset_json(name: &str) -> Value {
		let bytes = get_preset(&PresetId::from(name)).expect("preset exists");
		serde_json::from_slice(&bytes).expect("preset is JSON")
	}

	#[test]
	fn only_development_sets_a_sudo_key() {
		assert!(preset_json(DEVELOPMENT_PRESET)["sudo"]["key"].is_string());
		assert!(preset_json(LOCAL_TESTNET_PRESET)["sudo"]["key"].is_null());
		assert!(preset_json(CONSORTIUM_TEMPLATE_PRESET).get("sudo").is_none());
	}

	#[test]
	fn local_testnet_has_four_distinct_validators() {
		let patch = preset_json(LOCAL_TESTNET_PRESET);
		let aura = patch["aura"]["authorities"].as_array().expect("aura authorities");
		let grandpa = patch["grandpa"]["authorities"].as_array().expect("grandpa authorities");
		assert_eq!(aura.len(), 4);
		assert_eq!(grandpa.len(), 4);
		let unique: alloc::collections::BTreeSet<_> = aura.iter().map(|a| a.to_string()).collect();
		assert_eq!(unique.len(), 4);
	}

	#[test]
	fn template_placeholders_are_not_valid_keys() {
		let patch = preset_json(CONSORTIUM_TEMPLATE_PRESET);
		let first_aura = patch["aura"]["authorities"][0].clone();
		assert_eq!(first_aura, "<HOSPITAL_A_AURA_SR25519_SS58>");
		assert!(serde_json::from_value::<AuraId>(first_aura).is_err());
		let dev_aura = preset_json(DEVELOPMENT_PRESET)["aura"]["authorities"][0].clone();
		assert!(serde_json::from_value::<AuraId>(dev_aura).is_ok());
	}

	#[test]
	fn unknown_preset_is_none() {
		assert!(get_preset(&PresetId::from("staging")).is_none());
	}
}
