//! medchain-admin: governance from the command line, for hospital administrators.
//!
//! ```text
//! medchain-admin --url http://127.0.0.1:9944 session-keys --name … --admin … --operator … \
//!     --peer-id … --address … --node-key-file <the node's key>
//! medchain-admin --url … propose-hospital --suri <proposer admin> --name … --admin … \
//!     --operator … --peer-id … --address … --keys 0x… --proof 0x… --node-proof 0x…
//! medchain-admin --url … propose --suri <admin> suspend|reinstate|remove <hospital id>
//! medchain-admin --url … vote --suri <admin> <proposal id>
//! medchain-admin --url … status
//! ```
//! Each transaction is followed until a finalized block includes it; the command fails with
//! the dispatch error if it failed on chain.

use clap::{Parser, Subcommand, ValueEnum};
use medchain_client::{admission, governance, tx::Head, Chain};
use medchain_primitives::HospitalId;
use medchain_runtime::{Runtime, RuntimeEvent};
use pallet_hospitals::{Proposal, ProposalId};
use serde_json::{json, Value};
use sp_core::{crypto::Ss58Codec, sr25519, Pair};
use sp_runtime::AccountId32;

#[derive(Parser)]
#[command(name = "medchain-admin", version, about = "medchain consortium governance")]
struct Cli {
	/// The hospital node's RPC endpoint.
	#[arg(long, default_value = "http://127.0.0.1:9944")]
	url: String,
	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand)]
enum Command {
	/// Generates a new hospital's session keys in the node's keystore, with proofs of
	/// possession over the whole admission (chain, name, accounts, node), and signs the same
	/// admission with the node's key. Needs the node's unsafe RPC methods, so run it against
	/// the new hospital's own node on localhost.
	SessionKeys {
		#[command(flatten)]
		admission: AdmissionArgs,
		/// The node's `--node-key-file` (64 hex characters or 32 raw bytes).
		#[arg(long)]
		node_key_file: std::path::PathBuf,
	},
	/// Proposes admitting a hospital; the proposer's approval counts at once. The admission
	/// must be exactly the one `session-keys` signed.
	ProposeHospital {
		/// The proposing (existing) hospital admin's secret URI.
		#[arg(long)]
		suri: String,
		#[command(flatten)]
		admission: AdmissionArgs,
		/// `keys` from `session-keys`.
		#[arg(long)]
		keys: String,
		/// `proof` from `session-keys`.
		#[arg(long)]
		proof: String,
		/// `nodeProof` from `session-keys`.
		#[arg(long)]
		node_proof: String,
	},
	/// Proposes a change to an existing hospital.
	Propose {
		#[arg(long)]
		suri: String,
		action: Action,
		hospital: HospitalId,
	},
	/// Approves proposal `id`.
	Vote {
		#[arg(long)]
		suri: String,
		id: ProposalId,
	},
	/// Registers a patient pseudonym with the hospital whose operator signs.
	RegisterPatient {
		/// The hospital operator's secret URI.
		#[arg(long)]
		suri: String,
		/// The patient's account (SS58).
		patient: String,
	},
	/// Prints the validator set, GRANDPA set id and finalized head.
	Status,
}

/// A new hospital's admission, as its session keys sign it.
#[derive(clap::Args)]
struct AdmissionArgs {
	#[arg(long)]
	name: String,
	/// The new hospital's admin account (SS58).
	#[arg(long)]
	admin: String,
	/// The new hospital's operator account (SS58).
	#[arg(long)]
	operator: String,
	#[arg(long)]
	peer_id: String,
	/// The node's public p2p address, e.g. `/ip4/203.0.113.7/tcp/30333`.
	#[arg(long)]
	address: String,
}

impl AdmissionArgs {
	fn admission(self) -> medchain_client::Result<admission::Admission> {
		Ok(admission::Admission {
			name: self.name,
			admin: account(&self.admin)?,
			operator: account(&self.operator)?,
			peer_id: self.peer_id,
			address: self.address,
		})
	}
}

#[derive(Clone, Copy, ValueEnum)]
enum Action {
	Suspend,
	Reinstate,
	Remove,
}

#[tokio::main]
async fn main() {
	let cli = Cli::parse();
	match run(cli).await {
		Ok(output) => println!("{}", serde_json::to_string_pretty(&output).unwrap_or_default()),
		Err(error) => {
			eprintln!("error: {error}");
			std::process::exit(1);
		}
	}
}

async fn run(cli: Cli) -> medchain_client::Result<Value> {
	let chain = Chain::connect(&cli.url)?;
	match cli.command {
		Command::SessionKeys { admission, node_key_file } => {
			let admission = admission.admission()?;
			let node_key = admission::read_node_key(&node_key_file)?;
			let genesis = chain.genesis_hash().await?;
			let generated = admission::generate_session_keys(&chain, &admission).await?;
			let node_proof = admission.sign_as_node(&genesis, &node_key, &generated.keys)?;
			Ok(json!({
				"keys": generated.keys_hex,
				"proof": generated.proof_hex,
				"nodeProof": sp_core::bytes::to_hex(node_proof.as_ref(), false),
			}))
		}
		Command::ProposeHospital { suri, admission, keys, proof, node_proof } => {
			let (keys, proofs) = admission::decode_session_keys(&keys, &proof)?;
			let node_proof = admission::decode_node_proof(&node_proof)?;
			let call = admission.admission()?.propose_call(keys, proofs, node_proof)?;
			submit(&chain, &suri, call).await
		}
		Command::Propose { suri, action, hospital } => {
			let proposal = match action {
				Action::Suspend => Proposal::Suspend { hospital },
				Action::Reinstate => Proposal::Reinstate { hospital },
				Action::Remove => Proposal::Remove { hospital },
			};
			submit(&chain, &suri, pallet_hospitals::Call::propose { proposal }).await
		}
		Command::Vote { suri, id } => {
			submit(&chain, &suri, pallet_hospitals::Call::vote { id }).await
		}
		Command::RegisterPatient { suri, patient } => {
			let patient = account(&patient)?;
			submit(&chain, &suri, pallet_hospitals::Call::register_patient { patient }).await
		}
		Command::Status => {
			let (finalized, number) = chain.finalized_head().await?;
			let at = Some(finalized);
			Ok(json!({
				"finalized": number,
				"validators": chain.validators(at).await?,
				"grandpaSetId": chain.grandpa_set_id(at).await?,
			}))
		}
	}
}

/// Submits a hospitals call, waits for its finalized block, and reports the proposal id (of a
/// governance call) and what it did.
async fn submit(
	chain: &Chain,
	suri: &str,
	call: pallet_hospitals::Call<Runtime>,
) -> medchain_client::Result<Value> {
	let signer = sr25519::Pair::from_string(suri, None)
		.map_err(|e| format!("--suri is not a valid secret URI: {e:?}"))?;
	let included = governance::submit(chain, &signer, call, Head::Finalized).await?;
	let (block, proposal) = (format!("{:?}", included.block), included.proposal_id());
	let events = included.succeeded()?;
	let events: Vec<String> = events
		.iter()
		.filter(|event| matches!(event, RuntimeEvent::Hospitals(_)))
		.map(|event| format!("{event:?}"))
		.collect();
	Ok(json!({ "block": block, "proposal": proposal, "events": events }))
}

fn account(ss58: &str) -> medchain_client::Result<AccountId32> {
	AccountId32::from_ss58check(ss58).map_err(|e| format!("{ss58} is not an SS58 account: {e:?}"))
}
