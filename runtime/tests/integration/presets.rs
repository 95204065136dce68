//! The genesis presets' content, as JSON.

use medchain_runtime::{
	genesis_config_presets::{
		get_preset, CONSORTIUM_TEMPLATE_PRESET, DEVELOPMENT_PRESET, E2E_MIN_GRANT_DURATION,
		E2E_PRESET, LOCAL_SESSION_LENGTH, LOCAL_TESTNET_PRESET,
	},
	Runtime,
};
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_genesis_builder::PresetId;

use super::genesis_of;

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
fn local_testnet_validators_are_the_four_registered_hospitals() {
	genesis_of(LOCAL_TESTNET_PRESET).execute_with(|| {
		let hospitals: Vec<_> = (0..4)
			.map(|id| pallet_hospitals::Hospitals::<Runtime>::get(id).expect("founder"))
			.collect();
		let aura: Vec<AuraId> = hospitals.iter().map(|h| h.aura.clone()).collect();
		let grandpa: Vec<_> = hospitals.iter().map(|h| (h.grandpa.clone(), 1)).collect();
		assert_eq!(pallet_aura::Authorities::<Runtime>::get().into_inner(), aura);
		assert_eq!(medchain_runtime::Grandpa::grandpa_authorities(), grandpa);
		assert_eq!(
			pallet_validator_set::Validators::<Runtime>::get().into_inner(),
			vec![0, 1, 2, 3]
		);
		assert_eq!(pallet_validator_set::SessionLength::<Runtime>::get(), LOCAL_SESSION_LENGTH);
		let alice: AuraId = sp_keyring::Sr25519Keyring::Alice.public().into();
		assert_eq!(aura[0], alice);
		let distinct: std::collections::BTreeSet<_> =
			hospitals.iter().map(|h| h.admin.clone()).collect();
		assert_eq!(distinct.len(), 4);
	});
}

#[test]
fn template_placeholders_are_not_valid_keys() {
	let patch = preset_json(CONSORTIUM_TEMPLATE_PRESET);
	let first_aura = patch["hospitals"]["hospitals"][0]["aura"].clone();
	assert_eq!(first_aura, "<HOSPITAL_A_AURA_SR25519_SS58>");
	assert!(serde_json::from_value::<AuraId>(first_aura).is_err());
	let dev_aura = preset_json(DEVELOPMENT_PRESET)["hospitals"]["hospitals"][0]["aura"].clone();
	assert!(serde_json::from_value::<AuraId>(dev_aura).is_ok());
	assert!(patch.get("aura").is_none() && patch.get("grandpa").is_none());
}

#[test]
fn local_testnet_registers_hospitals_a_to_d_and_dev_sudo_is_hospital_a_admin() {
	let local = preset_json(LOCAL_TESTNET_PRESET);
	let hospitals = local["hospitals"]["hospitals"].as_array().expect("hospitals");
	let names: Vec<&str> = hospitals.iter().filter_map(|h| h["name"].as_str()).collect();
	assert_eq!(names, ["Hospital A", "Hospital B", "Hospital C", "Hospital D"]);
	for hospital in hospitals {
		assert_ne!(hospital["admin"], hospital["operator"]);
	}
	let dev = preset_json(DEVELOPMENT_PRESET);
	assert_eq!(dev["sudo"]["key"], dev["hospitals"]["hospitals"][0]["admin"]);
}

#[test]
fn unknown_preset_is_none() {
	assert!(get_preset(&PresetId::from("staging")).is_none());
}

#[test]
fn each_local_hospitals_peer_id_is_its_node_keys() {
	use sp_core::Pair;
	for hospital in &medchain_runtime::local_network::LOCAL_HOSPITALS {
		let node_key = sp_core::ed25519::Pair::from_seed(&[hospital.node_key_byte; 32]);
		assert_eq!(
			medchain_primitives::peer::peer_id_of_ed25519_key(&node_key.public()),
			hospital.peer_id,
			"{}",
			hospital.name
		);
		assert_eq!(hospital.node_key_hex(), hex_of(&[hospital.node_key_byte; 32]));
	}
}

fn hex_of(bytes: &[u8]) -> String {
	bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[test]
fn e2e_is_the_local_consortium_with_the_shortest_durations() {
	let local = preset_json(LOCAL_TESTNET_PRESET);
	let e2e = preset_json(E2E_PRESET);
	assert_eq!(e2e["hospitals"]["hospitals"], local["hospitals"]["hospitals"]);
	assert_eq!(e2e["shares"]["minGrantDuration"], E2E_MIN_GRANT_DURATION);
	assert!(
		e2e["records"]["custodianEraseDelay"].as_u64()
			< local["records"]["custodianEraseDelay"].as_u64()
	);
	genesis_of(E2E_PRESET).execute_with(|| {
		assert_eq!(pallet_shares::MinGrantDuration::<Runtime>::get(), E2E_MIN_GRANT_DURATION);
	});
}
