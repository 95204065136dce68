//! The built-in chain specifications. Genesis content comes from the runtime's presets; this
//! file only names them and sets the chain's identity.

use medchain_runtime::{
	genesis_config_presets::{
		CONSORTIUM_TEMPLATE_PRESET, DEVELOPMENT_PRESET, E2E_PRESET, LOCAL_TESTNET_PRESET,
	},
	WASM_BINARY,
};
use sc_service::ChainType;

/// A chain spec with no extensions.
pub type ChainSpec = sc_service::GenericChainSpec;

/// Network protocol id: keeps medchain's peers apart from other Substrate chains.
const PROTOCOL_ID: &str = "medchain";

fn runtime_wasm() -> Result<&'static [u8], String> {
	WASM_BINARY.ok_or_else(|| {
		"The runtime wasm is missing: this node was built with SKIP_WASM_BUILD. Rebuild without it."
			.to_string()
	})
}

/// medchain has no token; only the address format is advertised to wallets.
fn properties() -> sc_chain_spec::Properties {
	let mut properties = sc_chain_spec::Properties::new();
	properties.insert("ss58Format".into(), 42.into());
	properties
}

fn chain_spec(
	name: &str,
	id: &str,
	chain_type: ChainType,
	preset: &str,
) -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(runtime_wasm()?, None)
		.with_name(name)
		.with_id(id)
		.with_chain_type(chain_type)
		.with_protocol_id(PROTOCOL_ID)
		.with_genesis_config_preset_name(preset)
		.with_properties(properties())
		.build())
}

/// `--chain dev`: a single hospital validator with a sudo key.
pub fn development() -> Result<ChainSpec, String> {
	chain_spec("medchain development", "medchain_dev", ChainType::Development, DEVELOPMENT_PRESET)
}

/// `--chain local`: Hospitals A to D on one machine, with dev keys.
pub fn local_testnet() -> Result<ChainSpec, String> {
	chain_spec("medchain local testnet", "medchain_local", ChainType::Local, LOCAL_TESTNET_PRESET)
}

/// `--chain e2e`: Hospitals A to D as on `local`, with the shortest durations (end-to-end
/// tests). Its own genesis, so its nodes never peer with a local chain's.
pub fn e2e_testnet() -> Result<ChainSpec, String> {
	chain_spec("medchain e2e testnet", "medchain_e2e", ChainType::Local, E2E_PRESET)
}

/// `--chain consortium-template`: a production genesis with placeholders for the real keys.
pub fn consortium_template() -> Result<ChainSpec, String> {
	chain_spec("medchain consortium", "medchain", ChainType::Live, CONSORTIUM_TEMPLATE_PRESET)
}

/// Resolves `--chain`: a built-in name, or a path to a chain spec JSON file.
pub fn load(id: &str) -> Result<Box<dyn sc_service::ChainSpec>, String> {
	Ok(match id {
		"dev" => Box::new(development()?),
		"" | "local" => Box::new(local_testnet()?),
		"e2e" => Box::new(e2e_testnet()?),
		"consortium-template" => Box::new(consortium_template()?),
		path => Box::new(ChainSpec::from_json_file(std::path::PathBuf::from(path))?),
	})
}
