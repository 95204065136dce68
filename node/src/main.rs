//! medchain-node: one hospital's validator node.

// `sc_cli::Error` and `sc_service::Error` are Substrate's own errors, returned once, at start-up.
#![allow(clippy::result_large_err)]

mod chain_spec;
mod cli;
mod command;
mod service;

/// jemalloc, as polkadot's node: under sustained block import glibc's allocator kept growing.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> sc_cli::Result<()> {
	command::run()
}
