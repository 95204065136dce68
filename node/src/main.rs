//! medchain-node: one hospital's validator node.

// `sc_cli::Error` and `sc_service::Error` are Substrate's own errors, returned once, at start-up.
#![allow(clippy::result_large_err)]

mod chain_spec;
mod cli;
mod command;
mod service;

fn main() -> sc_cli::Result<()> {
	command::run()
}
