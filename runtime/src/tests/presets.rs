//! The genesis presets' content, as JSON.

use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_genesis_builder::PresetId;

use crate::genesis_config_presets::{
	get_preset, CONSORTIUM_TEMPLATE_PRESET, DEVELOPMENT_PRESET, LOCAL_TESTNET_PRESET,
};

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
fn local_testnet_registers_hospitals_a_to_d_and_dev_sudo_is_hospital_a_admin() {
	let local = preset_json(LOCAL_TESTNET_PRESET);
	let hospitals = local["hospitals"]["hospitals"].as_array().expect("hospitals");
	let names: Vec<&str> = hospitals.iter().filter_map(|h| h["name"].as_str()).collect();
	assert_eq!(names, ["Hospital A", "Hospital B", "Hospital C", "Hospital D"]);
	for (hospital, aura) in
		hospitals.iter().zip(local["aura"]["authorities"].as_array().expect("aura"))
	{
		assert_eq!(&hospital["aura"], aura, "registry and Aura authorities agree");
		assert_ne!(hospital["admin"], hospital["operator"]);
	}
	let dev = preset_json(DEVELOPMENT_PRESET);
	assert_eq!(dev["sudo"]["key"], dev["hospitals"]["hospitals"][0]["admin"]);
}

#[test]
fn unknown_preset_is_none() {
	assert!(get_preset(&PresetId::from("staging")).is_none());
}
