//! Command-line interface: the standard Substrate run flags plus operator subcommands.

/// `medchain-node [SUBCOMMAND] [RUN FLAGS]`. Without a subcommand it runs the node.
#[derive(Debug, clap::Parser)]
pub struct Cli {
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	#[clap(flatten)]
	pub run: sc_cli::RunCmd,
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
	/// ports. `scripts/start-network.sh` runs the network from it.
	LocalNetwork,
}
