//! Command-line interface: the standard Substrate run flags plus operator subcommands.

/// The smallest `--medchain-outbox-limit`: one submission's most records.
const MIN_OUTBOX_LIMIT: u64 = medchain_store::MAX_BULK_RECORDS as u64;

/// `medchain-node [SUBCOMMAND] [RUN FLAGS]`. Without a subcommand it runs the node.
#[derive(Debug, clap::Parser)]
pub struct Cli {
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	#[clap(flatten)]
	pub run: sc_cli::RunCmd,

	#[clap(flatten)]
	pub custodian: CustodianArgs,

	/// `--db-storage-threshold` (MiB, default 1024) and `--db-storage-polling-period`: the node
	/// stops when the chain database's file system has less free, before a write fails.
	#[clap(flatten)]
	pub storage_monitor: sc_storage_monitor::StorageMonitorParams,
}

/// The node as its hospital's record custodian: the record store, the anchoring outbox and
/// the medchain RPC.
#[derive(Debug, Clone, clap::Args)]
pub struct CustodianArgs {
	/// Keep this hospital's records and serve the medchain RPC, with the API tokens in FILE
	/// (one line per token: `<app|auditor|admin> <SHA-256 of the token, hex> [label]`, or
	/// `patient <SHA-256> <pseudonym> [label]`; see `medchain-node rpc-token`), read again
	/// when it changes. Needs the operator key in the keystore (key type `mdop`).
	#[arg(long, value_name = "FILE")]
	pub medchain_rpc_tokens: Option<std::path::PathBuf>,

	/// Where the medchain RPC listens. An address other than loopback needs TLS
	/// (`--medchain-rpc-tls-cert` and `--medchain-rpc-tls-key`).
	#[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9955")]
	pub medchain_rpc_addr: std::net::SocketAddr,

	/// The medchain RPC's TLS certificate chain (PEM), the hospital's certificate first. Read
	/// again when it changes (certificate rotation without a restart).
	#[arg(long, value_name = "PEM", requires = "medchain_rpc_tls_key")]
	pub medchain_rpc_tls_cert: Option<std::path::PathBuf>,

	/// The private key of `--medchain-rpc-tls-cert` (PEM, mode 0600).
	#[arg(long, value_name = "PEM", requires = "medchain_rpc_tls_cert")]
	pub medchain_rpc_tls_key: Option<std::path::PathBuf>,

	/// The key-encryption key file (mode 0600), created on the first start. Back it up:
	/// without it the records can't be read. Default: `<base-path>/chains/<chain>/medchain/kek`.
	#[arg(long, value_name = "FILE")]
	pub kek_file: Option<std::path::PathBuf>,

	/// Read a root key (64 hex digits) from this open file descriptor, e.g. `--kek-fd 3
	/// 3<"$CREDENTIALS_DIRECTORY/medchain-root"`, and keep the KEK file sealed under it. The
	/// root key is never stored by the node; never put a key on the command line.
	#[arg(long, value_name = "FD")]
	pub kek_fd: Option<u32>,

	/// Refuse new records (`Busy`) that would leave more than N of this hospital's records
	/// waiting to be anchored, so the store never runs far ahead of the chain. At least 500 (one
	/// submission's most), so that an empty outbox takes any submission.
	#[arg(
		long,
		value_name = "N",
		default_value_t = medchain_store::DEFAULT_OUTBOX_LIMIT,
		value_parser = clap::value_parser!(u64).range(MIN_OUTBOX_LIMIT..),
	)]
	pub medchain_outbox_limit: u64,
}

#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Key management: generate, inspect and insert keys, and derive node keys and peer ids.
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Build a chain specification (`--raw` for the storage form nodes start from).
	BuildSpec(sc_cli::BuildSpecCmd),

	/// Export a chain specification without touching any node database.
	ExportChainSpec(sc_cli::ExportChainSpecCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a given block into a chain spec.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Database metadata.
	ChainInfo(sc_cli::ChainInfoCmd),

	/// Print the local four-hospital network (`--chain local`), one hospital per line,
	/// tab-separated: index, name, slug, dev key, node key, peer id, p2p, RPC and Prometheus
	/// ports, the operator key's dev seed and the medchain RPC port. `scripts/start-network.sh` runs the network from it.
	LocalNetwork,

	/// Make a medchain RPC token: appends its hash and role to the token file (created with
	/// mode 0600) and prints the token, which is shown only this once.
	RpcToken(RpcTokenCmd),
}

/// `medchain-node rpc-token --role app --file tokens [--label ehr]`, or
/// `--role patient --patient <pseudonym>`. A running node reads the file again when it changes.
#[derive(Debug, clap::Args)]
pub struct RpcTokenCmd {
	/// `app`, `auditor`, `admin` or `patient`.
	#[arg(long)]
	pub role: String,
	/// The pseudonym a `patient` token acts for (SS58 or 0x-hex).
	#[arg(long)]
	pub patient: Option<String>,
	/// The token file the node reads (`--medchain-rpc-tokens`).
	#[arg(long, value_name = "FILE")]
	pub file: std::path::PathBuf,
	/// A note kept next to the hash, e.g. which app holds the token.
	#[arg(long, default_value = "")]
	pub label: String,
}
