//! Assembles the node: client and ParityDB backend, transaction pool, p2p network, Aura block
//! authoring, GRANDPA finality and the RPC server.

use std::{path::Path, sync::Arc, time::Duration};

use medchain_runtime::{apis::RuntimeApi, opaque::Block};
use sc_client_api::BlockBackend;
use sc_consensus_aura::{ImportQueueParams, SlotProportion, StartAuraParams};
use sc_consensus_grandpa::SharedVoterState;
use sc_service::{error::Error as ServiceError, Configuration, TaskManager, WarpSyncConfig};
use sc_telemetry::{Telemetry, TelemetryWorker};
use sc_transaction_pool_api::OffchainTransactionPoolFactory;
use sp_consensus_aura::sr25519::{AuthorityId as AuraId, AuthorityPair as AuraPair};

pub(crate) type FullClient = sc_service::TFullClient<
	Block,
	RuntimeApi,
	sc_executor::WasmExecutor<sp_io::SubstrateHostFunctions>,
>;
type FullBackend = sc_service::TFullBackend<Block>;
pub(crate) type TransactionPoolHandle =
	sc_transaction_pool::TransactionPoolHandle<Block, FullClient>;

/// The custodian's settings from the command line (`crate::cli::CustodianArgs`).
pub struct CustodianSettings {
	/// The medchain RPC's token file.
	pub tokens: std::path::PathBuf,
	/// Where the medchain RPC listens.
	pub addr: std::net::SocketAddr,
	/// The medchain RPC's certificate and key, if it serves TLS.
	pub tls: Option<medchain_node::rpc::tls::TlsFiles>,
	/// The KEK file, if not the default.
	pub kek: Option<std::path::PathBuf>,
	/// The root key that seals the KEK file (`--kek-fd`), if any.
	pub kek_root: Option<medchain_store::kek::RootKey>,
	/// The most records waiting to be anchored (`--medchain-outbox-limit`).
	pub outbox_limit: u64,
}
type FullSelectChain = sc_consensus::LongestChain<FullBackend, Block>;
type GrandpaBlockImport =
	sc_consensus_grandpa::GrandpaBlockImport<FullBackend, Block, FullClient, FullSelectChain>;

/// GRANDPA stores a justification at least every this many blocks, so a syncing node can
/// prove finality without replaying every vote.
const GRANDPA_JUSTIFICATION_PERIOD: u32 = 512;

/// GRANDPA's round timers are multiples of this: a round takes two to four of it when every
/// voter is online. Short, for hospitals on a LAN or a low-latency WAN.
const GRANDPA_GOSSIP_DURATION: Duration = Duration::from_millis(200);

/// The parts shared by the full node and the database subcommands.
pub type Service = sc_service::PartialComponents<
	FullClient,
	FullBackend,
	FullSelectChain,
	sc_consensus::DefaultImportQueue<Block>,
	TransactionPoolHandle,
	(
		GrandpaBlockImport,
		sc_consensus_grandpa::LinkHalf<Block, FullClient, FullSelectChain>,
		Option<Telemetry>,
	),
>;

/// Timestamp and Aura slot inherents for a block built now.
fn slot_inherents(
	slot_duration: sp_consensus_aura::SlotDuration,
) -> (sp_consensus_aura::inherents::InherentDataProvider, sp_timestamp::InherentDataProvider) {
	let timestamp = sp_timestamp::InherentDataProvider::from_system_time();
	let slot = sp_consensus_aura::inherents::InherentDataProvider::from_timestamp_and_slot_duration(
		*timestamp,
		slot_duration,
	);
	(slot, timestamp)
}

pub fn new_partial(config: &Configuration) -> Result<Service, ServiceError> {
	let telemetry = config
		.telemetry_endpoints
		.clone()
		.filter(|endpoints| !endpoints.is_empty())
		.map(|endpoints| -> Result<_, sc_telemetry::Error> {
			let worker = TelemetryWorker::new(16)?;
			let telemetry = worker.handle().new_telemetry(endpoints);
			Ok((worker, telemetry))
		})
		.transpose()?;

	let executor = sc_service::new_wasm_executor::<sp_io::SubstrateHostFunctions>(&config.executor);
	let (client, backend, keystore_container, task_manager) =
		sc_service::new_full_parts::<Block, RuntimeApi, _>(
			config,
			telemetry.as_ref().map(|(_, telemetry)| telemetry.handle()),
			executor,
			Vec::new(),
		)?;
	let client = Arc::new(client);

	let telemetry = telemetry.map(|(worker, telemetry)| {
		task_manager.spawn_handle().spawn("telemetry", None, worker.run());
		telemetry
	});

	let select_chain = sc_consensus::LongestChain::new(backend.clone());

	let transaction_pool = Arc::from(
		sc_transaction_pool::Builder::new(
			task_manager.spawn_essential_handle(),
			client.clone(),
			config.role.is_authority().into(),
		)
		.with_options(config.transaction_pool.clone())
		.with_prometheus(config.prometheus_registry())
		.build(),
	);

	let (grandpa_block_import, grandpa_link) = sc_consensus_grandpa::block_import(
		client.clone(),
		GRANDPA_JUSTIFICATION_PERIOD,
		&client,
		select_chain.clone(),
		telemetry.as_ref().map(|x| x.handle()),
	)?;

	let inherent_client = client.clone();
	let import_queue =
		sc_consensus_aura::import_queue::<AuraPair, _, _, _, _, _>(ImportQueueParams {
			block_import: grandpa_block_import.clone(),
			justification_import: Some(Box::new(grandpa_block_import.clone())),
			client: client.clone(),
			create_inherent_data_providers: move |parent_hash, _| {
				let inherent_client = inherent_client.clone();
				async move {
					let slot_duration = sc_consensus_aura::standalone::slot_duration_at(
						&*inherent_client,
						parent_hash,
					)?;
					Ok(slot_inherents(slot_duration))
				}
			},
			spawner: &task_manager.spawn_essential_handle(),
			registry: config.prometheus_registry(),
			check_for_equivocation: Default::default(),
			telemetry: telemetry.as_ref().map(|x| x.handle()),
			compatibility_mode: Default::default(),
		})?;

	Ok(sc_service::PartialComponents {
		client,
		backend,
		task_manager,
		import_queue,
		keystore_container,
		select_chain,
		transaction_pool,
		other: (grandpa_block_import, grandpa_link, telemetry),
	})
}

/// Builds and starts a full node; returns the task manager that keeps it running.
pub fn new_full<
	N: sc_network::NetworkBackend<Block, <Block as sp_runtime::traits::Block>::Hash>,
>(
	mut config: Configuration,
	custodian: Option<CustodianSettings>,
	storage_monitor: sc_storage_monitor::StorageMonitorParams,
) -> Result<TaskManager, ServiceError> {
	// Reserved-only from the first moment: until the allowlist task has read the registry, no
	// peer outside the reserved set (initially the bootnodes given on the command line) may
	// open a sync substream.
	config.network.default_peers_set.non_reserved_mode =
		sc_network::config::NonReservedPeerMode::Deny;

	let sc_service::PartialComponents {
		client,
		backend,
		mut task_manager,
		import_queue,
		keystore_container,
		select_chain,
		transaction_pool,
		other: (block_import, grandpa_link, mut telemetry),
	} = new_partial(&config)?;

	let mut net_config = sc_network::config::FullNetworkConfiguration::<
		Block,
		<Block as sp_runtime::traits::Block>::Hash,
		N,
	>::new(&config.network, config.prometheus_registry().cloned());
	let metrics = N::register_notification_metrics(config.prometheus_registry());

	let genesis_hash = client
		.block_hash(0)
		.ok()
		.flatten()
		.ok_or_else(|| ServiceError::Other("the database has no genesis block".into()))?;
	let grandpa_protocol_name =
		sc_consensus_grandpa::protocol_standard_name(&genesis_hash, &config.chain_spec);
	let (grandpa_protocol_config, grandpa_notification_service) =
		sc_consensus_grandpa::grandpa_peers_set_config::<_, N>(
			grandpa_protocol_name.clone(),
			metrics.clone(),
			net_config.peer_store_handle(),
		);
	net_config.add_notification_protocol(grandpa_protocol_config);

	// The release protocol: registered by custodians, which serve it and fetch with it.
	let release_requests = custodian.is_some().then(|| {
		let (sender, receiver) = async_channel::bounded(RELEASE_QUEUE);
		net_config.add_request_response_protocol(N::request_response_config(
			medchain_custodian::protocol::protocol_name(&genesis_hash),
			Vec::new(),
			medchain_custodian::protocol::MAX_REQUEST_BYTES,
			medchain_custodian::protocol::MAX_RESPONSE_BYTES,
			medchain_custodian::protocol::REQUEST_TIMEOUT,
			Some(sender),
		));
		receiver
	});

	let warp_sync = Arc::new(sc_consensus_grandpa::warp_proof::NetworkProvider::new(
		backend.clone(),
		grandpa_link.shared_authority_set().clone(),
		Vec::default(),
	));

	let (network, system_rpc_tx, tx_handler_controller, sync_service, _bitswap) =
		sc_service::build_network(sc_service::BuildNetworkParams {
			config: &config,
			net_config,
			client: client.clone(),
			transaction_pool: transaction_pool.clone(),
			spawn_handle: task_manager.spawn_handle(),
			spawn_essential_handle: task_manager.spawn_essential_handle(),
			import_queue,
			block_announce_validator_builder: None,
			warp_sync_config: Some(WarpSyncConfig::WithProvider(warp_sync)),
			block_relay: None,
			metrics,
			gap_sync_body_policy: None,
		})?;

	// One follower of finalized blocks, for the allowlist and the custodian's tasks.
	let chain: Arc<dyn medchain_custodian::Chain> =
		Arc::new(medchain_custodian::ClientChain::<_, FullBackend>::new(client.clone()));
	let follower = medchain_custodian::Follower::new(chain.clone());
	let essential = task_manager.spawn_essential_handle();
	let database = config
		.database
		.path()
		.ok_or_else(|| ServiceError::Other("the chain database has no path".into()))?
		.to_owned();
	let database_reserve = storage_monitor.threshold.saturating_mul(1 << 20);
	// Stops the node (an essential task ending) before the database meets a full disk.
	sc_storage_monitor::StorageMonitorService::try_spawn(
		storage_monitor,
		database.clone(),
		&essential,
	)
	.map_err(|error| {
		let error = format!("the chain database's disk ({}): {error}", database.display());
		// Logged now, as the custodian's errors below: the way out may abort first.
		log::error!(target: "medchain::node", "{error}");
		ServiceError::Other(error)
	})?;
	essential.spawn("medchain-follower", Some("medchain"), follower.clone().run());
	essential.spawn(
		"peer-allowlist",
		Some("medchain"),
		medchain_node::network::allowlist::follow_registry(
			client.clone(),
			network.clone(),
			follower.subscribe(),
		),
	);

	if let Some(mut settings) = custodian {
		let dir = config.base_path.config_dir(config.chain_spec.id()).join("medchain");
		let store = dir.join("store");
		let shared_reserve = store_shared_reserve(&store, &database, database_reserve);
		let paths = medchain_custodian::CustodianPaths {
			kek: medchain_store::kek::KekFile {
				path: settings.kek.clone().unwrap_or_else(|| dir.join("kek")),
				root: settings.kek_root.take(),
			},
			store,
			shared_reserve,
			outbox_limit: settings.outbox_limit,
		};
		let metrics = medchain_custodian::metrics::Metrics::new(config.prometheus_registry())
			.map_err(|error| ServiceError::Other(format!("medchain metrics: {error}")))?;
		start_custodian(
			&task_manager,
			metrics,
			settings,
			paths,
			(chain, follower),
			transaction_pool.clone(),
			keystore_container.keystore(),
			network.clone(),
			release_requests,
		)
		// Logged now: dropping the task manager on the way out can abort the process (a
		// runtime-shutdown panic) before the error reaches `main`.
		.inspect_err(|error| log::error!(target: "medchain::custodian", "{error}"))?;
	}

	let role = config.role;
	let force_authoring = config.force_authoring;
	let name = config.network.node_name.clone();
	let enable_grandpa = !config.disable_grandpa;
	let prometheus_registry = config.prometheus_registry().cloned();

	let shared_voter_state = SharedVoterState::empty();
	let rpc_builder = {
		let client = client.clone();
		let pool = transaction_pool.clone();
		let shared_voter_state = shared_voter_state.clone();
		let shared_authority_set = grandpa_link.shared_authority_set().clone();
		let justification_stream = grandpa_link.justification_stream();
		let finality_provider = sc_consensus_grandpa::FinalityProofProvider::new_for_service(
			backend.clone(),
			Some(shared_authority_set.clone()),
		);
		Box::new(move |subscription_executor| {
			let deps = medchain_node::rpc::FullDeps {
				client: client.clone(),
				pool: pool.clone(),
				grandpa: medchain_node::rpc::GrandpaDeps {
					shared_voter_state: shared_voter_state.clone(),
					shared_authority_set: shared_authority_set.clone(),
					justification_stream: justification_stream.clone(),
					subscription_executor,
					finality_provider: finality_provider.clone(),
				},
			};
			medchain_node::rpc::create_full(deps).map_err(Into::into)
		})
	};

	sc_service::spawn_tasks(sc_service::SpawnTasksParams {
		network: network.clone(),
		client: client.clone(),
		keystore: keystore_container.keystore(),
		task_manager: &mut task_manager,
		transaction_pool: transaction_pool.clone(),
		rpc_builder,
		backend,
		system_rpc_tx,
		tx_handler_controller,
		sync_service: sync_service.clone(),
		config,
		telemetry: telemetry.as_mut(),
		tracing_execute_block: None,
	})?;

	if role.is_authority() {
		let proposer_factory = sc_basic_authorship::ProposerFactory::new(
			task_manager.spawn_handle(),
			client.clone(),
			transaction_pool.clone(),
			prometheus_registry.as_ref(),
			telemetry.as_ref().map(|x| x.handle()),
		);

		let slot_duration = sc_consensus_aura::slot_duration::<AuraId, _, _>(&*client)?;

		let aura = sc_consensus_aura::start_aura::<AuraPair, _, _, _, _, _, _, _, _, _, _>(
			StartAuraParams {
				slot_duration,
				client,
				select_chain,
				block_import,
				proposer_factory,
				create_inherent_data_providers: move |_, ()| async move {
					Ok(slot_inherents(slot_duration))
				},
				force_authoring,
				backoff_authoring_blocks: Option::<()>::None,
				keystore: keystore_container.keystore(),
				sync_oracle: sync_service.clone(),
				justification_sync_link: sync_service.clone(),
				block_proposal_slot_portion: SlotProportion::new(2f32 / 3f32),
				max_block_proposal_slot_portion: None,
				telemetry: telemetry.as_ref().map(|x| x.handle()),
				compatibility_mode: Default::default(),
			},
		)?;

		// Authoring is essential: if it stops, the node stops rather than idling silently.
		task_manager.spawn_essential_handle().spawn_blocking("aura", Some("block-authoring"), aura);
	}

	if enable_grandpa {
		// Only validators vote, so only they need the keystore.
		let keystore = role.is_authority().then(|| keystore_container.keystore());

		let grandpa_config = sc_consensus_grandpa::Config {
			gossip_duration: GRANDPA_GOSSIP_DURATION,
			justification_generation_period: GRANDPA_JUSTIFICATION_PERIOD,
			name: Some(name),
			observer_enabled: false,
			keystore,
			local_role: role,
			telemetry: telemetry.as_ref().map(|x| x.handle()),
			protocol_name: grandpa_protocol_name,
		};

		let grandpa_params = sc_consensus_grandpa::GrandpaParams {
			config: grandpa_config,
			link: grandpa_link,
			network,
			sync: sync_service,
			notification_service: grandpa_notification_service,
			// Vote as far as the best block while finality keeps up (three quarters of a longer
			// unfinalized chain): the default rule's two more blocks of lag would cost two slots
			// on every access.
			voting_rule: sc_consensus_grandpa::VotingRulesBuilder::new()
				.add(sc_consensus_grandpa::ThreeQuartersOfTheUnfinalizedChain)
				.build(),
			prometheus_registry,
			shared_voter_state,
			telemetry: telemetry.as_ref().map(|x| x.handle()),
			offchain_tx_pool_factory: OffchainTransactionPoolFactory::new(transaction_pool),
		};

		// The voter is essential too: a node that stops voting must not keep running.
		task_manager.spawn_essential_handle().spawn_blocking(
			"grandpa-voter",
			None,
			sc_consensus_grandpa::run_grandpa_voter(grandpa_params)?,
		);
	}

	Ok(task_manager)
}

/// Release requests waiting for the custodian; more are refused by the network.
const RELEASE_QUEUE: usize = 64;

/// What the store keeps free for the chain database: `database_reserve` when they share a file
/// system, and when that can't be told; 0 otherwise. Logged either way.
fn store_shared_reserve(store: &Path, database: &Path, database_reserve: u64) -> u64 {
	if database_reserve == 0 {
		return 0;
	}
	let (shared, how) = match medchain_store::disk_space::same_file_system(store, database) {
		Ok(true) => (true, "shares".to_owned()),
		Ok(false) => (false, "does not share".to_owned()),
		Err(error) => (true, format!("may share ({error})")),
	};
	log::info!(
		target: "medchain::custodian",
		"the record store {} {how} the chain database's file system ({})",
		store.display(),
		database.display(),
	);
	if shared {
		database_reserve
	} else {
		0
	}
}

/// Starts the custodian (its store and tasks, `medchain_custodian`) and the medchain RPC
/// listener, essential too: a custodian that can't serve stops the node rather than idling.
#[allow(clippy::too_many_arguments)]
fn start_custodian(
	task_manager: &TaskManager,
	metrics: Arc<medchain_custodian::metrics::Metrics>,
	settings: CustodianSettings,
	paths: medchain_custodian::CustodianPaths,
	(chain, follower): (Arc<dyn medchain_custodian::Chain>, Arc<medchain_custodian::Follower>),
	pool: Arc<TransactionPoolHandle>,
	keystore: sp_keystore::KeystorePtr,
	network: Arc<dyn sc_network::service::traits::NetworkService>,
	release_requests: Option<
		async_channel::Receiver<sc_network::request_responses::IncomingRequest>,
	>,
) -> Result<(), ServiceError> {
	let tokens =
		medchain_node::rpc::auth::TokenFile::open(&settings.tokens).map_err(ServiceError::Other)?;
	let tls = settings
		.tls
		.clone()
		.map(medchain_node::rpc::tls::Acceptor::load)
		.transpose()
		.map_err(ServiceError::Other)?;
	let genesis = chain.info().genesis_hash;
	let services = medchain_custodian::Services {
		chain,
		follower,
		pool: Arc::new(medchain_custodian::SubstratePool(pool)),
		keystore,
		network: Arc::new(medchain_custodian::protocol::P2p::new(network, &genesis)),
		metrics,
	};
	let custodian =
		medchain_custodian::Custodian::spawn(paths, services, task_manager, release_requests)
			.map_err(ServiceError::Other)?;
	task_manager.spawn_essential_handle().spawn("medchain-rpc", Some("medchain"), async move {
		match medchain_node::rpc::app::start(settings.addr, tokens, tls, custodian).await {
			Ok(server) => server.stopped().await,
			Err(error) => log::error!(target: "medchain::rpc", "{error}"),
		}
	});
	Ok(())
}
