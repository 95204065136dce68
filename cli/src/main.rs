//! `medchain`: one command line for a hospital's apps, its patients, auditors and operators.
//!
//! A thin client: records, shares and audits go to the node's medchain RPC
//! (`medchain-app-api`); consents, governance and the patient's own reads are transactions the
//! command signs and sends to the node's chain RPC (`medchain-client`). Every command prints
//! a table, or one JSON document with `--json`; a refusal exits with status 1 and the node's
//! or the chain's message.

mod args;
mod audit;
mod connect;
mod consent;
mod hospital;
mod output;
mod prescription;
mod record;
mod share;
mod signing;

use clap::{CommandFactory, Parser};

use args::{Cli, Command, NodeCommand};

/// Errors end a command with their text.
pub type Result<T> = std::result::Result<T, String>;

#[tokio::main]
async fn main() {
	let cli = Cli::parse();
	let json = cli.json;
	match run(cli).await {
		Ok(Some(report)) => output::print(&report, json),
		Ok(None) => {}
		Err(error) => {
			eprintln!("error: {error}");
			std::process::exit(1);
		}
	}
}

/// Runs one command; `None` when it printed its output itself.
async fn run(cli: Cli) -> Result<Option<serde_json::Value>> {
	let context = connect::Context::new(&cli);
	let report = match cli.command {
		Command::Record(command) => record::run(&context, command).await?,
		Command::Share(command) => share::run(&context, command).await?,
		Command::Prescription(command) => prescription::run(&context, command).await?,
		Command::Consent(command) => consent::run(&context, command).await?,
		Command::Audit(command) => match audit::run(&context, command, cli.json).await? {
			Some(report) => report,
			None => return Ok(None),
		},
		Command::Hospital(command) => hospital::run(&context, command).await?,
		Command::Node(NodeCommand::Status) => hospital::node_status(&context).await?,
		Command::Completions { shell } => {
			clap_complete::generate(shell, &mut Cli::command(), "medchain", &mut std::io::stdout());
			return Ok(None);
		}
	};
	Ok(Some(report))
}
