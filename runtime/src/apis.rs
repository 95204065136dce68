//! The runtime APIs the node and clients call. Composition only: each delegates to a pallet
//! or to the executive.

use alloc::vec::Vec;
use frame_support::{genesis_builder_helper::get_preset, traits::BuildGenesisConfig};
use medchain_primitives::{
	access::{AccessEntry, AccessId, AccessPage, AccessQuery},
	commitment::{DisclosedField, Hash256, RecordId},
	shares::{
		ConsentRequest, ConsentRequestId, Grant, GrantId, GrantRefusal, PurposeOfUse, TokenKey,
	},
	HospitalId,
};
use pallet_grandpa::AuthorityId as GrandpaId;
use sp_api::impl_runtime_apis;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_core::{crypto::KeyTypeId, OpaqueMetadata};
use sp_runtime::{
	traits::{Block as BlockT, NumberFor},
	transaction_validity::{TransactionSource, TransactionValidity},
	ApplyExtrinsicResult, ExtrinsicInclusionMode,
};
use sp_version::RuntimeVersion;

use super::{
	AccessLog, AccountId, Aura, Block, BlockNumber, Executive, Grandpa, Hospitals, InherentDataExt,
	Nonce, Records, Runtime, RuntimeGenesisConfig, SessionKeys, Shares, System, VERSION,
};

impl_runtime_apis! {
	impl sp_api::Core<Block> for Runtime {
		fn version() -> RuntimeVersion {
			VERSION
		}

		fn execute_block(block: <Block as BlockT>::LazyBlock) {
			Executive::execute_block(block);
		}

		fn initialize_block(header: &<Block as BlockT>::Header) -> ExtrinsicInclusionMode {
			Executive::initialize_block(header)
		}
	}

	impl sp_api::Metadata<Block> for Runtime {
		fn metadata() -> OpaqueMetadata {
			OpaqueMetadata::new(Runtime::metadata().into())
		}

		fn metadata_at_version(version: u32) -> Option<OpaqueMetadata> {
			Runtime::metadata_at_version(version)
		}

		fn metadata_versions() -> Vec<u32> {
			Runtime::metadata_versions()
		}
	}

	impl sp_block_builder::BlockBuilder<Block> for Runtime {
		fn apply_extrinsic(extrinsic: <Block as BlockT>::Extrinsic) -> ApplyExtrinsicResult {
			Executive::apply_extrinsic(extrinsic)
		}

		fn finalize_block() -> <Block as BlockT>::Header {
			Executive::finalize_block()
		}

		fn inherent_extrinsics(data: sp_inherents::InherentData) -> Vec<<Block as BlockT>::Extrinsic> {
			data.create_extrinsics()
		}

		fn check_inherents(
			block: <Block as BlockT>::LazyBlock,
			data: sp_inherents::InherentData,
		) -> sp_inherents::CheckInherentsResult {
			data.check_extrinsics(&block)
		}
	}

	impl sp_transaction_pool::runtime_api::TaggedTransactionQueue<Block> for Runtime {
		fn validate_transaction(
			source: TransactionSource,
			tx: <Block as BlockT>::Extrinsic,
			block_hash: <Block as BlockT>::Hash,
		) -> TransactionValidity {
			Executive::validate_transaction(source, tx, block_hash)
		}
	}

	impl sp_offchain::OffchainWorkerApi<Block> for Runtime {
		fn offchain_worker(header: &<Block as BlockT>::Header) {
			Executive::offchain_worker(header)
		}
	}

	impl sp_consensus_aura::AuraApi<Block, AuraId> for Runtime {
		fn slot_duration() -> sp_consensus_aura::SlotDuration {
			sp_consensus_aura::SlotDuration::from_millis(Aura::slot_duration())
		}

		fn authorities() -> Vec<AuraId> {
			pallet_aura::Authorities::<Runtime>::get().into_inner()
		}
	}

	impl sp_session::SessionKeys<Block> for Runtime {
		fn generate_session_keys(
			owner: Vec<u8>,
			seed: Option<Vec<u8>>,
		) -> sp_session::OpaqueGeneratedSessionKeys {
			SessionKeys::generate(&owner, seed).into()
		}

		fn decode_session_keys(encoded: Vec<u8>) -> Option<Vec<(Vec<u8>, KeyTypeId)>> {
			SessionKeys::decode_into_raw_public_keys(&encoded)
		}
	}

	impl sp_consensus_grandpa::GrandpaApi<Block> for Runtime {
		fn grandpa_authorities() -> sp_consensus_grandpa::AuthorityList {
			Grandpa::grandpa_authorities()
		}

		fn current_set_id() -> sp_consensus_grandpa::SetId {
			Grandpa::current_set_id()
		}

		// Equivocation reporting is not wired (see `KeyOwnerProof = Void` in configs).
		fn submit_report_equivocation_unsigned_extrinsic(
			_equivocation_proof: sp_consensus_grandpa::EquivocationProof<
				<Block as BlockT>::Hash,
				NumberFor<Block>,
			>,
			_key_owner_proof: sp_consensus_grandpa::OpaqueKeyOwnershipProof,
		) -> Option<()> {
			None
		}

		fn generate_key_ownership_proof(
			_set_id: sp_consensus_grandpa::SetId,
			_authority_id: GrandpaId,
		) -> Option<sp_consensus_grandpa::OpaqueKeyOwnershipProof> {
			None
		}
	}

	impl medchain_runtime_api::ConsortiumApi<Block> for Runtime {
		fn authorized_nodes() -> Vec<medchain_primitives::validators::AuthorizedNode> {
			Hospitals::authorized_nodes()
		}

		fn validators() -> Vec<medchain_primitives::HospitalId> {
			pallet_validator_set::Validators::<Runtime>::get().into_inner()
		}
	}

	#[api_version(3)]
	impl medchain_runtime_api::RecordsApi<Block, AccountId, BlockNumber> for Runtime {
		fn record(id: RecordId) -> Option<medchain_primitives::records::Record<AccountId, BlockNumber>> {
			pallet_records::Records::<Runtime>::get(id)
		}

		fn records_of_patient(patient: AccountId, start: u32, limit: u32) -> Vec<RecordId> {
			Records::records_of_patient(&patient, start, limit)
		}

		fn records_of_custodian(
			custodian: medchain_primitives::HospitalId,
			start: u32,
			limit: u32,
		) -> Vec<RecordId> {
			Records::records_of_custodian(custodian, start, limit)
		}

		fn verify(
			id: RecordId,
			root: Hash256,
		) -> Option<medchain_primitives::records::RootVerification<AccountId, BlockNumber>> {
			Records::verify(id, root)
		}

		fn verify_fields(id: RecordId, fields: Vec<DisclosedField>) -> bool {
			Records::verify_fields(id, &fields)
		}

		fn prescription(
			id: RecordId,
		) -> Option<medchain_primitives::prescription::PrescriptionState<AccountId, BlockNumber>> {
			Records::prescription(&id)
		}

		fn fills(
			id: RecordId,
			start: u32,
			limit: u32,
		) -> Vec<medchain_primitives::prescription::Fill<BlockNumber>> {
			Records::fills(&id, start, limit)
		}

		fn check_fill(
			id: RecordId,
			pharmacy: medchain_primitives::HospitalId,
		) -> Option<medchain_primitives::prescription::FillRefusal> {
			Records::fill_refusal(&id, pharmacy)
		}
	}

	#[api_version(4)]
	impl medchain_runtime_api::SharesApi<Block, AccountId, BlockNumber> for Runtime {
		fn grant(id: GrantId) -> Option<Grant<AccountId, BlockNumber, Vec<RecordId>>> {
			Shares::grant(id)
		}

		fn grant_by_token(token_key: TokenKey) -> Option<GrantId> {
			Shares::grant_by_token(&token_key)
		}

		fn check_use(
			grant: GrantId,
			record: RecordId,
			accessor: HospitalId,
			purpose: PurposeOfUse,
		) -> Result<(), GrantRefusal> {
			Shares::check_use(grant, &record, accessor, purpose)
		}

		fn grants_of_patient(patient: AccountId, after: Option<GrantId>, limit: u32) -> Vec<GrantId> {
			Shares::grants_of_patient(&patient, after, limit)
		}

		fn pending_consent_requests(
			patient: AccountId,
			after: Option<ConsentRequestId>,
			limit: u32,
		) -> Vec<(ConsentRequestId, ConsentRequest<BlockNumber, Vec<RecordId>>)> {
			Shares::pending_consent_requests(&patient, after, limit)
		}
	}

	impl medchain_runtime_api::AccessLogApi<Block, AccountId, BlockNumber> for Runtime {
		fn entry(id: AccessId) -> Option<AccessEntry<AccountId, BlockNumber>> {
			AccessLog::entry(id)
		}

		fn entries(
			query: AccessQuery<AccountId>,
			from_time: u64,
			to_time: u64,
			cursor: u32,
			limit: u32,
		) -> AccessPage<AccountId, BlockNumber> {
			AccessLog::entries(query, from_time, to_time, cursor, limit)
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	impl frame_benchmarking::Benchmark<Block> for Runtime {
		// `list_benchmarks!` and `add_benchmarks!` name the pallets as `crate::benchmarks` does.
		fn benchmark_metadata(
			extra: bool,
		) -> (Vec<frame_benchmarking::BenchmarkList>, Vec<frame_support::traits::StorageInfo>) {
			use frame_support::traits::StorageInfoTrait;
			use crate::ValidatorSet;
			let mut list = Vec::<frame_benchmarking::BenchmarkList>::new();
			list_benchmarks!(list, extra);
			(list, crate::AllPalletsWithSystem::storage_info())
		}

		fn dispatch_benchmark(
			config: frame_benchmarking::BenchmarkConfig,
		) -> Result<Vec<frame_benchmarking::BenchmarkBatch>, alloc::string::String> {
			use frame_support::traits::WhitelistedStorageKeys;
			use crate::ValidatorSet;
			let whitelist = crate::AllPalletsWithSystem::whitelisted_storage_keys();
			let mut batches = Vec::<frame_benchmarking::BenchmarkBatch>::new();
			let params = (&config, &whitelist);
			add_benchmarks!(params, batches);
			Ok(batches)
		}
	}

	impl frame_system_rpc_runtime_api::AccountNonceApi<Block, AccountId, Nonce> for Runtime {
		fn account_nonce(account: AccountId) -> Nonce {
			System::account_nonce(account)
		}
	}

	#[cfg(feature = "try-runtime")]
	impl frame_try_runtime::TryRuntime<Block> for Runtime {
		// try-runtime is an off-chain tool: a failed check must stop it with its reason.
		#[allow(clippy::expect_used, reason = "try-runtime tooling, never on chain")]
		fn on_runtime_upgrade(
			checks: frame_try_runtime::UpgradeCheckSelect,
		) -> (frame_support::weights::Weight, frame_support::weights::Weight) {
			let weight = Executive::try_runtime_upgrade(checks).expect("runtime upgrade checks");
			(weight, crate::configs::RuntimeBlockWeights::get().max_block)
		}

		#[allow(clippy::expect_used, reason = "try-runtime tooling, never on chain")]
		fn execute_block(
			block: <Block as BlockT>::LazyBlock,
			state_root_check: bool,
			signature_check: bool,
			select: frame_try_runtime::TryStateSelect,
		) -> frame_support::weights::Weight {
			Executive::try_execute_block(block, state_root_check, signature_check, select)
				.expect("try_execute_block")
		}
	}

	impl sp_genesis_builder::GenesisBuilder<Block> for Runtime {
		fn build_state(config: Vec<u8>) -> sp_genesis_builder::Result {
			let mut genesis = serde_json::from_slice::<RuntimeGenesisConfig>(&config)
				.map_err(|error| alloc::format!("Invalid JSON blob: {error}"))?;
			// The founding hospitals first, each checked as an admission is: a malformed one
			// is refused with its reason (a pallet's genesis build can't return an error). The
			// other pallets' genesis reads the registry they fill.
			let founders = core::mem::take(&mut genesis.hospitals.hospitals);
			pallet_hospitals::genesis::admit_founders::<Runtime>(&founders)?;
			genesis.build();
			Ok(())
		}

		fn get_preset(id: &Option<sp_genesis_builder::PresetId>) -> Option<Vec<u8>> {
			get_preset::<RuntimeGenesisConfig>(id, crate::genesis_config_presets::get_preset)
		}

		fn preset_names() -> Vec<sp_genesis_builder::PresetId> {
			crate::genesis_config_presets::preset_names()
		}
	}
}
