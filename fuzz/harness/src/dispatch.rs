//! Hostile calls through the runtime. An input is up to [`MAX_CALLS`] pairs of a signer byte and
//! a SCALE-encoded `RuntimeCall`; each call is signed by one of the local chain's accounts
//! (hospital admins and operators, a registered patient, an account with no role) and applied
//! with `Executive::apply_extrinsic` in one block on the local chain's genesis state: the
//! permission extension, every other check and the dispatch, as block import applies them. The
//! block is then finalized, so the pallets' hooks run over what the calls left.

use std::sync::OnceLock;

use codec::DecodeLimit;
use medchain_runtime::{
	genesis_config_presets::LOCAL_TESTNET_PRESET, test_chain, Executive, RuntimeCall,
	UncheckedExtrinsic,
};
use sp_core::storage::Storage;
use sp_keyring::Sr25519Keyring;
use sp_runtime::ApplyExtrinsicResult;

/// Calls per input.
pub const MAX_CALLS: usize = 8;
/// How deep a call may nest in its decoding (no call nests others today).
const MAX_DEPTH: u32 = 16;
/// The patient Hospital A registers before the input's calls.
const PATIENT: Sr25519Keyring = Sr25519Keyring::Eve;
/// Who signs: Hospital A's admin and operator, Hospital B's admin and operator, A's patient,
/// and an account with no role.
const SIGNERS: [Sr25519Keyring; 6] = [
	Sr25519Keyring::Alice,
	Sr25519Keyring::AliceStash,
	Sr25519Keyring::Bob,
	Sr25519Keyring::BobStash,
	PATIENT,
	Sr25519Keyring::Ferdie,
];
/// The block's time: in slot 0 (the slot a block without an Aura digest is in), and at least
/// the minimum period after genesis.
const BLOCK_TIME_MILLIS: u64 = medchain_runtime::SLOT_DURATION / 2;

fn genesis() -> &'static Storage {
	static GENESIS: OnceLock<Storage> = OnceLock::new();
	GENESIS.get_or_init(|| {
		test_chain::genesis_state(LOCAL_TESTNET_PRESET).unwrap_or_else(|error| panic!("{error}"))
	})
}

/// The input's `(signer, call)` pairs, up to the first that does not decode.
pub fn calls(mut input: &[u8]) -> Vec<(Sr25519Keyring, RuntimeCall)> {
	let mut calls = Vec::new();
	while calls.len() < MAX_CALLS {
		let Some((&signer, rest)) = input.split_first() else { break };
		input = rest;
		let Ok(call) = RuntimeCall::decode_with_depth_limit(MAX_DEPTH, &mut input) else { break };
		let signer = SIGNERS.get(usize::from(signer) % SIGNERS.len()).copied();
		calls.extend(signer.map(|signer| (signer, call)));
	}
	calls
}

/// Applies the input's calls in block 1, after the timestamp and A's registration of the
/// patient, and finalizes the block.
pub fn run(data: &[u8]) {
	let _ = apply(data);
}

/// What [`run`] does, with the outcome of each call that could be signed.
pub fn apply(data: &[u8]) -> Vec<ApplyExtrinsicResult> {
	let calls = calls(data);
	if calls.is_empty() {
		return Vec::new();
	}
	let mut ext = sp_io::TestExternalities::new(genesis().clone());
	ext.execute_with(|| {
		test_chain::start_block(1);
		let now = pallet_timestamp::Call::set { now: BLOCK_TIME_MILLIS };
		let timestamp = UncheckedExtrinsic::new_bare(RuntimeCall::Timestamp(now));
		assert_eq!(Executive::apply_extrinsic(timestamp), Ok(Ok(())), "the timestamp");
		let register =
			pallet_hospitals::Call::register_patient { patient: PATIENT.to_account_id() };
		let register = RuntimeCall::Hospitals(register);
		let applied = test_chain::signed(Sr25519Keyring::AliceStash, register)
			.map(Executive::apply_extrinsic);
		assert_eq!(applied, Ok(Ok(Ok(()))), "registering the patient");
		// A refusal (at validation or in dispatch) is an answer; only a panic is a finding.
		let outcomes = calls
			.into_iter()
			.filter_map(|(signer, call)| test_chain::signed(signer, call).ok())
			.map(Executive::apply_extrinsic)
			.collect();
		Executive::finalize_block();
		outcomes
	})
}
