//! Governance through signed extrinsics on the local four-hospital genesis.

use medchain_runtime::{
	genesis_config_presets::LOCAL_TESTNET_PRESET, Executive, Runtime, RuntimeCall,
};
use sp_keyring::Sr25519Keyring;
use sp_runtime::traits::Hash as _;

use super::{genesis_of, signed, start_block};

fn apply(signer: Sr25519Keyring, call: RuntimeCall) {
	assert_eq!(Executive::apply_extrinsic(signed(signer, call)), Ok(Ok(())));
}

#[test]
fn a_runtime_upgrade_proposal_executes_and_changes_the_code() {
	genesis_of(LOCAL_TESTNET_PRESET).execute_with(|| {
		// Stand-in for a new runtime: the version check is off, so any bytes will do.
		let code = b"\0asm new medchain runtime".to_vec();
		let code_hash = <Runtime as frame_system::Config>::Hashing::hash(&code);
		start_block(1);
		apply(
			Sr25519Keyring::Alice,
			RuntimeCall::Hospitals(pallet_hospitals::Call::propose {
				proposal: pallet_hospitals::Proposal::UpgradeRuntime {
					code_hash,
					check_version: false,
				},
			}),
		);
		// Four hospitals vote: three approvals (A's included) execute the proposal.
		for admin in [Sr25519Keyring::Bob, Sr25519Keyring::Charlie] {
			apply(admin, RuntimeCall::Hospitals(pallet_hospitals::Call::vote { id: 0 }));
		}
		medchain_runtime::System::assert_has_event(
			frame_system::Event::UpgradeAuthorized { code_hash, check_version: false }.into(),
		);

		apply(
			Sr25519Keyring::DaveStash,
			RuntimeCall::System(frame_system::Call::apply_authorized_upgrade {
				code: code.clone(),
			}),
		);
		let stored =
			sp_io::storage::get(sp_core::storage::well_known_keys::CODE).map(|c| c.to_vec());
		assert_eq!(stored, Some(code));
	});
}
