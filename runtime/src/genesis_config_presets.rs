//! Genesis presets, as JSON patches over the default genesis config.
//!
//! - `development`: Hospital A alone, validating with Alice's dev keys; Alice (its admin) holds
//!   the sudo key.
//! - `local_testnet`: Hospitals A to D, validating with Alice, Bob, Charlie and Dave's dev keys;
//!   their operators are the matching `…Stash` dev accounts. No sudo key.
//! - `consortium_template`: the shape of a production genesis with placeholders where each
//!   hospital's real keys go. It has no dev keys and no sudo key, and it does not build until
//!   every placeholder is replaced.

use crate::{
	AccessLogConfig, AccountId, BlockNumber, HospitalsConfig, RecordsConfig, Runtime,
	RuntimeGenesisConfig, SharesConfig, SudoConfig, ValidatorSetConfig, DAYS, HOURS, MINUTES,
};
use alloc::{format, string::ToString, vec, vec::Vec};
use frame_support::build_struct_json_patch;
use pallet_hospitals::{GenesisHospital, GenesisNode};
use serde_json::Value;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::Sr25519Keyring;

use crate::local_network::{LocalHospital, LOCAL_HOSPITALS};

/// Preset name of the four-hospital local network.
pub const LOCAL_TESTNET_PRESET: &str = sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET;
/// Preset name of the single-validator development chain.
pub const DEVELOPMENT_PRESET: &str = sp_genesis_builder::DEV_RUNTIME_PRESET;
/// Preset name of the production template with placeholder keys.
pub const CONSORTIUM_TEMPLATE_PRESET: &str = "consortium_template";
/// Hospitals A to D as on the local chain, with the shortest durations, for end-to-end tests.
pub const E2E_PRESET: &str = "e2e";

/// The hospital labels `consortium_template` uses in its placeholders.
const TEMPLATE_HOSPITALS: [&str; 4] = ["HOSPITAL_A", "HOSPITAL_B", "HOSPITAL_C", "HOSPITAL_D"];

fn genesis_hospital(hospital: &LocalHospital) -> GenesisHospital<Runtime> {
	GenesisHospital {
		name: hospital.name.to_string(),
		admin: hospital.admin.to_account_id(),
		operator: hospital.operator.to_account_id(),
		aura: hospital.admin.public().into(),
		grandpa: hospital.grandpa.public().into(),
		nodes: vec![GenesisNode {
			peer_id: hospital.peer_id.to_string(),
			address: hospital.address(),
		}],
	}
}

/// Genesis for `hospitals`: each one registered, and so validating with Aura and GRANDPA (the
/// validator set takes its genesis authorities from the registry). Proposals on these test
/// chains take votes for ten minutes; sessions last 30 seconds; grants last from 30 seconds
/// (so tests see them expire) to the production maximum; a hospital may break the glass
/// three times per ten minutes.
fn consortium_genesis(hospitals: &[LocalHospital], sudo_key: Option<AccountId>) -> Value {
	test_genesis(hospitals, sudo_key, &LOCAL_DURATIONS)
}

/// The durations of a test chain, in blocks.
struct Durations {
	min_grant: BlockNumber,
	consent_request: BlockNumber,
	custodian_erase_delay: BlockNumber,
}

/// The development and local chains.
const LOCAL_DURATIONS: Durations = Durations {
	min_grant: LOCAL_MIN_GRANT_DURATION,
	consent_request: 10 * MINUTES,
	custodian_erase_delay: LOCAL_ERASE_DELAY,
};

/// The `e2e` chain: grants from 14 seconds, consent requests for a minute, erasures after
/// 10 seconds, so that end-to-end tests see each of them run out.
pub const E2E_MIN_GRANT_DURATION: BlockNumber = MINUTES / 4;
const E2E_DURATIONS: Durations = Durations {
	min_grant: E2E_MIN_GRANT_DURATION,
	consent_request: MINUTES,
	custodian_erase_delay: MINUTES / 6,
};

fn test_genesis(
	hospitals: &[LocalHospital],
	sudo_key: Option<AccountId>,
	durations: &Durations,
) -> Value {
	build_struct_json_patch!(RuntimeGenesisConfig {
		sudo: SudoConfig { key: sudo_key },
		hospitals: HospitalsConfig {
			hospitals: hospitals.iter().map(genesis_hospital).collect(),
			proposal_lifetime: 10 * MINUTES,
		},
		validator_set: ValidatorSetConfig { session_length: LOCAL_SESSION_LENGTH },
		shares: SharesConfig {
			min_grant_duration: durations.min_grant,
			max_grant_duration: MAX_GRANT_DURATION,
			consent_request_lifetime: durations.consent_request,
		},
		access_log: AccessLogConfig { break_glass_period: 10 * MINUTES, break_glass_limit: 3 },
		records: RecordsConfig { custodian_erase_delay: durations.custodian_erase_delay },
	})
}

/// How long a custodian's erasure waits on the development and local chains: 30 seconds.
pub const LOCAL_ERASE_DELAY: BlockNumber = MINUTES / 2;

/// The shortest grant on the development and local chains: 30 seconds.
pub const LOCAL_MIN_GRANT_DURATION: BlockNumber = MINUTES / 2;
/// The longest grant: 8,760 hours (a year), as in production.
pub const MAX_GRANT_DURATION: BlockNumber = 8760 * HOURS;

/// Blocks per session on the development and local chains: 30 seconds, so that tests see a
/// change of validators quickly.
pub const LOCAL_SESSION_LENGTH: BlockNumber = MINUTES / 2;

/// Hospital A alone; its admin (Alice) holds the sudo key.
fn development_genesis() -> Value {
	consortium_genesis(&LOCAL_HOSPITALS[..1], Some(Sr25519Keyring::Alice.to_account_id()))
}

fn local_testnet_genesis() -> Value {
	consortium_genesis(&LOCAL_HOSPITALS, None)
}

/// Every key and account is a placeholder `<HOSPITAL_X_…>`; `scripts/build-specs.sh` says how
/// to fill them in.
fn consortium_template_genesis() -> Value {
	let placeholder = |hospital: &str, what: &str| Value::String(format!("<{hospital}_{what}>"));
	let hospitals: Vec<Value> = TEMPLATE_HOSPITALS
		.iter()
		.map(|h| {
			serde_json::json!({
				"name": placeholder(h, "NAME"),
				"admin": placeholder(h, "ADMIN_SS58"),
				"operator": placeholder(h, "OPERATOR_SS58"),
				"aura": placeholder(h, "AURA_SR25519_SS58"),
				"grandpa": placeholder(h, "GRANDPA_ED25519_SS58"),
				"nodes": [{
					"peerId": placeholder(h, "PEER_ID"),
					"address": placeholder(h, "NODE_MULTIADDR"),
				}],
			})
		})
		.collect();
	serde_json::json!({
		"hospitals": { "hospitals": hospitals, "proposalLifetime": 7 * DAYS },
		"validatorSet": { "sessionLength": HOURS },
		"shares": {
			"minGrantDuration": HOURS,
			"maxGrantDuration": MAX_GRANT_DURATION,
			"consentRequestLifetime": 7 * DAYS,
		},
		"accessLog": { "breakGlassPeriod": DAYS, "breakGlassLimit": 10 },
		"records": { "custodianEraseDelay": 3 * DAYS },
	})
}

/// The JSON patch of a named preset, or `None` for an unknown name.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		DEVELOPMENT_PRESET => development_genesis(),
		LOCAL_TESTNET_PRESET => local_testnet_genesis(),
		E2E_PRESET => test_genesis(&LOCAL_HOSPITALS, None, &E2E_DURATIONS),
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
		PresetId::from(E2E_PRESET),
		PresetId::from(CONSORTIUM_TEMPLATE_PRESET),
	]
}
