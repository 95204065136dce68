//! The committed chain specs in `chain-specs/` match what the node generates. The runtime
//! `code` entry is left out of the comparison: wasm bytes vary with the toolchain.

use std::path::PathBuf;

use medchain_tests::node::{peer_id_of, run_node_command};
use serde_json::Value;

/// `:code`, the storage key of the runtime wasm in a raw spec.
const RAW_CODE_KEY: &str = "0x3a636f6465";

fn repo_root() -> PathBuf {
	PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Removes the runtime code from a plain or raw spec; fails if it was missing.
fn without_code(mut spec: Value) -> Result<Value, String> {
	let genesis = spec.get_mut("genesis").ok_or("spec has no genesis")?;
	let removed = if let Some(raw) = genesis.get_mut("raw") {
		raw["top"].as_object_mut().and_then(|top| top.remove(RAW_CODE_KEY))
	} else {
		genesis["runtimeGenesis"].as_object_mut().and_then(|g| g.remove("code"))
	};
	removed.ok_or("spec has no runtime code")?;
	Ok(spec)
}

fn parse(text: &str, what: &str) -> Result<Value, String> {
	serde_json::from_str(text).map_err(|e| format!("{what} is not JSON: {e}"))
}

#[test]
fn committed_chain_specs_match_the_node() -> Result<(), String> {
	let specs: [(&str, &[&str]); 3] = [
		("local.json", &["--chain", "local"]),
		("local-raw.json", &["--chain", "local", "--raw"]),
		("consortium-template.json", &["--chain", "consortium-template"]),
	];
	for (file, args) in specs {
		let path = repo_root().join("chain-specs").join(file);
		let committed = std::fs::read_to_string(&path)
			.map_err(|e| format!("reading {}: {e}", path.display()))?;
		let generated = run_node_command(&[&["export-chain-spec"], args].concat(), "")?;
		assert!(
			without_code(parse(&committed, file)?)?
				== without_code(parse(&generated, "generated")?)?,
			"chain-specs/{file} is stale: regenerate it with scripts/build-specs.sh"
		);
	}
	Ok(())
}

#[test]
fn consortium_template_refuses_to_build_until_keys_are_filled_in() {
	let error =
		run_node_command(&["export-chain-spec", "--chain", "consortium-template", "--raw"], "")
			.expect_err("a raw genesis from placeholder keys must fail");
	assert!(error.contains("HOSPITAL_A_AURA_SR25519_SS58"), "unexpected error: {error}");
}

#[test]
fn local_spec_registers_the_peer_ids_of_the_fixed_node_keys() -> Result<(), String> {
	let path = repo_root().join("chain-specs/local.json");
	let text =
		std::fs::read_to_string(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
	let spec = parse(&text, "local.json")?;
	let hospitals = spec["genesis"]["runtimeGenesis"]["patch"]["hospitals"]["hospitals"]
		.as_array()
		.ok_or("local.json registers no hospitals")?;
	assert_eq!(hospitals.len(), 4);
	for (hospital, local) in hospitals.iter().zip(&medchain_runtime::local_network::LOCAL_HOSPITALS)
	{
		assert_eq!(
			hospital["nodes"][0]["peerId"].as_str(),
			Some(peer_id_of(&local.node_key_hex())?.as_str()),
			"{} does not register the peer id of its node key",
			hospital["name"]
		);
	}
	Ok(())
}
