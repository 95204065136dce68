//! Dispatches the command line to the node service or to an operator subcommand.

use crate::{
	chain_spec,
	cli::{Cli, Subcommand},
	service,
};
use medchain_runtime::opaque::Block;
use sc_cli::SubstrateCli;
use sc_service::PartialComponents;

impl SubstrateCli for Cli {
	fn impl_name() -> String {
		"medchain node".into()
	}

	fn impl_version() -> String {
		env!("SUBSTRATE_CLI_IMPL_VERSION").into()
	}

	fn description() -> String {
		env!("CARGO_PKG_DESCRIPTION").into()
	}

	fn author() -> String {
		env!("CARGO_PKG_AUTHORS").into()
	}

	fn support_url() -> String {
		"https://example.invalid/medchain/issues".into()
	}

	fn copyright_start_year() -> i32 {
		2026
	}

	fn load_spec(&self, id: &str) -> Result<Box<dyn sc_service::ChainSpec>, String> {
		chain_spec::load(id)
	}
}

/// Prints `medchain_runtime::local_network` for the scripts (see [`Subcommand::LocalNetwork`]).
fn print_local_network() {
	for (index, hospital) in medchain_runtime::local_network::LOCAL_HOSPITALS.iter().enumerate() {
		println!(
			"{index}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
			hospital.name,
			hospital.slug,
			hospital.admin.to_string().to_lowercase(),
			hospital.node_key_hex(),
			hospital.peer_id,
			hospital.p2p_port,
			hospital.rpc_port,
			hospital.prometheus_port,
			hospital.operator_suri(),
			hospital.app_rpc_port,
		);
	}
}

/// Parses the command line and runs it.
pub fn run() -> sc_cli::Result<()> {
	let cli = Cli::from_args();

	match &cli.subcommand {
		Some(Subcommand::Key(cmd)) => cmd.run(&cli),
		Some(Subcommand::BuildSpec(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run(config.chain_spec, config.network))
		}
		Some(Subcommand::ExportChainSpec(cmd)) => cmd.run(cli.load_spec(&cmd.chain)?),
		Some(Subcommand::CheckBlock(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, import_queue, .. } =
					service::new_partial(&config)?;
				Ok((cmd.run(client, import_queue), task_manager))
			})
		}
		Some(Subcommand::ExportBlocks(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, .. } = service::new_partial(&config)?;
				Ok((cmd.run(client, config.database), task_manager))
			})
		}
		Some(Subcommand::ExportState(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, .. } = service::new_partial(&config)?;
				Ok((cmd.run(client, config.chain_spec), task_manager))
			})
		}
		Some(Subcommand::ImportBlocks(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, import_queue, .. } =
					service::new_partial(&config)?;
				Ok((cmd.run(client, import_queue), task_manager))
			})
		}
		Some(Subcommand::PurgeChain(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run(config.database))
		}
		Some(Subcommand::Revert(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				let PartialComponents { client, task_manager, backend, .. } =
					service::new_partial(&config)?;
				let revert_grandpa = Box::new(|client, _, blocks| {
					sc_consensus_grandpa::revert(client, blocks)?;
					Ok(())
				});
				Ok((cmd.run(client, backend, Some(revert_grandpa)), task_manager))
			})
		}
		Some(Subcommand::ChainInfo(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run::<Block>(&config))
		}
		Some(Subcommand::LocalNetwork) => {
			print_local_network();
			Ok(())
		}
		Some(Subcommand::RpcToken(cmd)) => new_rpc_token(cmd),
		None => {
			let custodian = custodian_settings(&cli.custodian)?;
			if custodian.is_some() {
				let rust_log = std::env::var("RUST_LOG").ok();
				medchain_node::rpc::log_filter::refuse_body_tracing(
					&cli.run.shared_params.log,
					rust_log.as_deref(),
				)
				.map_err(sc_cli::Error::Input)?;
			}
			let storage_monitor = cli.storage_monitor.clone();
			let runner = cli.create_runner(&cli.run)?;
			runner.run_node_until_exit(|config| async move {
				match config.network.network_backend {
					sc_network::config::NetworkBackendType::Libp2p => {
						service::new_full::<
							sc_network::NetworkWorker<
								Block,
								<Block as sp_runtime::traits::Block>::Hash,
							>,
						>(config, custodian, storage_monitor)
						.map_err(sc_cli::Error::Service)
					}
					sc_network::config::NetworkBackendType::Litep2p => {
						service::new_full::<sc_network::Litep2pNetworkBackend>(
							config,
							custodian,
							storage_monitor,
						)
						.map_err(sc_cli::Error::Service)
					}
				}
			})
		}
	}
}

fn custodian_settings(
	args: &crate::cli::CustodianArgs,
) -> sc_cli::Result<Option<service::CustodianSettings>> {
	let Some(tokens) = args.medchain_rpc_tokens.clone() else { return Ok(None) };
	let kek_root = args
		.kek_fd
		.map(|fd| {
			let text = zeroize::Zeroizing::new(
				std::fs::read_to_string(format!("/dev/fd/{fd}"))
					.map_err(|e| sc_cli::Error::Input(format!("--kek-fd {fd}: {e}")))?,
			);
			medchain_store::kek::RootKey::parse(&text)
				.map_err(|e| sc_cli::Error::Input(format!("--kek-fd {fd}: {e}")))
		})
		.transpose()?;
	let tls = match (&args.medchain_rpc_tls_cert, &args.medchain_rpc_tls_key) {
		(Some(cert), Some(key)) => {
			Some(medchain_node::rpc::tls::TlsFiles { cert: cert.clone(), key: key.clone() })
		}
		(None, None) => None,
		_ => {
			return Err(sc_cli::Error::Input(
				"--medchain-rpc-tls-cert and --medchain-rpc-tls-key go together".into(),
			))
		}
	};
	medchain_node::rpc::tls::check_listener(args.medchain_rpc_addr, tls.as_ref())
		.map_err(sc_cli::Error::Input)?;
	Ok(Some(service::CustodianSettings {
		tokens,
		addr: args.medchain_rpc_addr,
		tls,
		kek: args.kek_file.clone(),
		kek_root,
		outbox_limit: args.medchain_outbox_limit,
	}))
}

/// Appends a new token's hash to the token file and prints the token (see
/// [`Subcommand::RpcToken`]).
fn new_rpc_token(cmd: &crate::cli::RpcTokenCmd) -> sc_cli::Result<()> {
	use medchain_app_api::auth::{issue, Role};
	let role = Role::parse(&cmd.role).ok_or_else(|| {
		sc_cli::Error::Input("--role must be app, auditor, admin or patient".into())
	})?;
	let patient = cmd
		.patient
		.as_deref()
		.map(|text| {
			medchain_app_api::AccountId::from_ss58_or_hex(text).map(|patient| patient.0).ok_or_else(
				|| {
					sc_cli::Error::Input(format!(
						"--patient {text:?} is not an SS58 address or 0x-hex account id"
					))
				},
			)
		})
		.transpose()?;
	let token = issue(&cmd.file, role, patient.as_ref(), &cmd.label).map_err(|error| {
		sc_cli::Error::Input(error.replace("pseudonym", "pseudonym (--patient)"))
	})?;
	println!("{token}");
	Ok(())
}
