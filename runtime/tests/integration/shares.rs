//! A share, an access and a release through the real runtime: the custodian submits the
//! patient's `<Bytes>`-wrapped sr25519 consent, hospital B reads with the share token, and the
//! auditor sees the entry through `AccessLogApi` and the grant's use through `SharesApi`.

use frame_support::{assert_noop, assert_ok, BoundedVec};
use medchain_primitives::{
	access::{AccessKind, AccessQuery, Accessor},
	shares::{
		grant_consent_message, wrap_in_bytes_tags, AccessRequest, FieldSelection, GrantTerms,
		Grantor, PurposeOfUse,
	},
	FieldMask, RecordType,
};
use medchain_runtime::{
	genesis_config_presets::LOCAL_TESTNET_PRESET, AccountId, Block, BlockNumber, Runtime,
	RuntimeCall, RuntimeOrigin, Shares, UncheckedExtrinsic,
};
use medchain_runtime_api::{
	runtime_decl_for_access_log_api::AccessLogApi, runtime_decl_for_shares_api::SharesApi,
};
use medchain_token::ShareToken;
use sp_keyring::Sr25519Keyring;

use super::genesis_of;

const OPERATOR_A: Sr25519Keyring = Sr25519Keyring::AliceStash;
const OPERATOR_B: Sr25519Keyring = Sr25519Keyring::BobStash;
const PATIENT: Sr25519Keyring = Sr25519Keyring::Ferdie;

fn signed(who: Sr25519Keyring) -> RuntimeOrigin {
	RuntimeOrigin::signed(who.to_account_id())
}

#[test]
fn a_custodian_submitted_share_is_used_once_by_the_grantee_and_audited() {
	genesis_of(LOCAL_TESTNET_PRESET).execute_with(|| {
		frame_system::Pallet::<Runtime>::set_block_number(1);
		pallet_timestamp::Now::<Runtime>::put(1_700_000_000_000u64);
		let patient = PATIENT.to_account_id();
		assert_ok!(pallet_hospitals::Pallet::<Runtime>::register_patient(
			signed(OPERATOR_A),
			patient.clone()
		));
		assert_ok!(pallet_records::Pallet::<Runtime>::anchor(
			signed(OPERATOR_A),
			[1; 32],
			patient.clone(),
			RecordType::Diagnosis,
			[2; 32],
			[3; 32],
		));
		let record = pallet_records::Pallet::<Runtime>::record_id(0, &[1; 32]);

		// The patient's wallet makes the token and signs the consent as polkadot.js would.
		let token = ShareToken::generate();
		let terms = GrantTerms {
			records: BoundedVec::truncate_from(vec![record]),
			fields: FieldSelection::AllButNotes,
			grantee: Some(1),
			duration: 100,
			max_uses: Some(1),
			purpose: PurposeOfUse::Treatment,
			token_key: token.public_key(),
		};
		let genesis = medchain_pallet_support::chain::genesis_hash_bytes::<Runtime>();
		let signature = PATIENT.sign(&grant_consent_message(&genesis, &patient, &terms, 0, &10u32));
		assert_ok!(Shares::create_grant_for(
			signed(OPERATOR_A),
			patient.clone(),
			terms,
			0,
			10,
			signature.into()
		));

		let request = AccessRequest {
			genesis_hash: genesis,
			grant: 0,
			record,
			accessor: 1,
			purpose: PurposeOfUse::Treatment,
			uses: 0,
			valid_until: 5,
		};
		let access = |signature| {
			pallet_access_log::Pallet::<Runtime>::access(
				signed(OPERATOR_B),
				0,
				record,
				PurposeOfUse::Treatment,
				0,
				5,
				signature,
			)
		};
		let token_signature = token.sign(&request);
		assert_ok!(access(token_signature));
		assert_noop!(
			access(token_signature),
			pallet_access_log::Error::<Runtime>::SignatureReplayed
		);

		let page = <Runtime as AccessLogApi<Block, AccountId, BlockNumber>>::entries(
			AccessQuery::Patient(patient.clone()),
			0,
			u64::MAX,
			0,
			10,
		);
		assert_eq!(page.next_cursor, None);
		let [(0, entry)] = page.entries.as_slice() else { panic!("one entry: {page:?}") };
		assert_eq!(entry.kind, AccessKind::Normal { grant: 0 });
		assert_eq!((entry.accessor, entry.custodian), (Accessor::Hospital(1), 0));
		assert_eq!(entry.fields, FieldMask::without_notes(RecordType::Diagnosis));
		assert_eq!(entry.time, 1_700_000_000_000);

		let grant = <Runtime as SharesApi<Block, AccountId, BlockNumber>>::grant(0).expect("kept");
		assert_eq!(
			(grant.grantor, grant.uses, grant.terms.records),
			(Grantor::Custodian(0), 1, vec![record])
		);
		assert_eq!(
			<Runtime as SharesApi<Block, AccountId, BlockNumber>>::grants_of_patient(
				patient, None, 10
			),
			vec![0]
		);

		assert_ok!(pallet_access_log::Pallet::<Runtime>::confirm_release(
			signed(OPERATOR_A),
			0,
			[4; 32]
		));
		let entry = <Runtime as AccessLogApi<Block, AccountId, BlockNumber>>::entry(0);
		assert_eq!(entry.and_then(|entry| entry.release).map(|r| r.response_hash), Some([4; 32]));
	});
}

/// What a patient's key signs off chain can never be an extrinsic, nor the call an extrinsic's
/// signing payload begins with: a wrapped message starts with `<` (0x3c), which is no pallet's
/// index, and a signing payload longer than 256 bytes is signed as its 32-byte hash, which no
/// wrapped message is.
#[test]
fn no_bytes_wrapped_message_decodes_as_a_call_or_an_extrinsic() {
	use codec::Decode;
	let record = RuntimeCall::Shares(pallet_shares::Call::revoke { grant: 7 });
	for payload in [Vec::new(), codec::Encode::encode(&record), vec![0; 300]] {
		let message = wrap_in_bytes_tags(&payload);
		assert!(RuntimeCall::decode(&mut message.as_slice()).is_err());
		assert!(UncheckedExtrinsic::decode(&mut message.as_slice()).is_err());
		assert_ne!(message.len(), 32);
	}
}
