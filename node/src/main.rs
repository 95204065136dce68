//! medchain-node: one hospital's validator node.

mod chain_spec;
mod cli;
mod command;
mod network;
mod rpc;
mod service;

fn main() -> sc_cli::Result<()> {
	command::run()
}
