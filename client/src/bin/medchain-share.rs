//! medchain-share: share tokens for patients' wallets and apps, offline (no node needed).
//!
//! ```text
//! medchain-share new-token                      → {"token": "VIC_…", "tokenKey": "0x…"}
//! medchain-share token-key <TOKEN>              → {"tokenKey": "0x…"}
//! medchain-share sign-access --token <TOKEN> --genesis 0x… --grant 7 --record 0x… \
//!     --accessor 1 --purpose TREAT --uses 0 --valid-until 1000   → {"signature": "0x…"}
//! medchain-share sign-consent --patient-suri <SURI> --message 0x…  → {"signature": "0x…"}
//! ```
//! `sign-consent` is the patient's wallet signing the consent message a custodian's
//! `medchain_prepareShare` returned (sr25519); the app passes the signature to `createShare`.
//! The token is the secret that lets its holder use a grant; the chain only ever sees the token
//! key and signatures. See README ("Shares, consent and the access log").

use clap::{Parser, Subcommand};
use medchain_primitives::shares::{AccessRequest, PurposeOfUse};
use medchain_token::ShareToken;
use serde_json::{json, Value};
use sp_core::{
	bytes::{from_hex, to_hex},
	Pair,
};

#[derive(Parser)]
#[command(name = "medchain-share", version, about = "medchain share tokens")]
struct Cli {
	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand)]
enum Command {
	/// Generates a share token from the operating system's random number generator.
	NewToken,
	/// Prints the token key a grant for this token must carry.
	TokenKey { token: String },
	/// Signs a request to use a grant once, as the token holder.
	SignAccess {
		#[arg(long)]
		token: String,
		/// The chain's genesis hash (0x + 64 hex digits).
		#[arg(long)]
		genesis: String,
		#[arg(long)]
		grant: u64,
		/// The record id (0x + 64 hex digits).
		#[arg(long)]
		record: String,
		/// The id of the hospital that will submit the access.
		#[arg(long)]
		accessor: u32,
		/// HL7 PurposeOfUse code, e.g. TREAT.
		#[arg(long)]
		purpose: String,
		/// The grant's use count now (`SharesApi::grant(id).uses`).
		#[arg(long)]
		uses: u32,
		/// The last block in which the access may be submitted.
		#[arg(long)]
		valid_until: u32,
	},
	/// Signs a share's consent message (from `medchain_prepareShare`) as the patient.
	SignConsent {
		/// The patient's secret URI (e.g. a mnemonic, or `//Ferdie` on a dev chain).
		#[arg(long)]
		patient_suri: String,
		/// The message, 0x-hex, exactly as `prepareShare` returned it.
		#[arg(long)]
		message: String,
	},
}

fn main() {
	match run(Cli::parse()) {
		Ok(output) => println!("{output}"),
		Err(error) => {
			eprintln!("error: {error}");
			std::process::exit(1);
		}
	}
}

fn run(cli: Cli) -> Result<Value, String> {
	match cli.command {
		Command::NewToken => {
			let token = ShareToken::generate();
			Ok(
				json!({ "token": token.as_str(), "tokenKey": to_hex(token.public_key().as_ref(), false) }),
			)
		}
		Command::TokenKey { token } => {
			let token = ShareToken::parse(&token).map_err(|e| e.to_string())?;
			Ok(json!({ "tokenKey": to_hex(token.public_key().as_ref(), false) }))
		}
		Command::SignAccess {
			token,
			genesis,
			grant,
			record,
			accessor,
			purpose,
			uses,
			valid_until,
		} => {
			let token = ShareToken::parse(&token).map_err(|e| e.to_string())?;
			let purpose = PurposeOfUse::from_code(&purpose).ok_or_else(|| {
				format!("{purpose} is not a PurposeOfUse code (e.g. TREAT, ETREAT)")
			})?;
			let request = AccessRequest {
				genesis_hash: hash32("--genesis", &genesis)?,
				grant,
				record: hash32("--record", &record)?,
				accessor,
				purpose,
				uses,
				valid_until,
			};
			Ok(json!({ "signature": to_hex(token.sign(&request).as_ref(), false) }))
		}
		Command::SignConsent { patient_suri, message } => {
			let pair = sp_core::sr25519::Pair::from_string(&patient_suri, None)
				.map_err(|e| format!("--patient-suri: {e:?}"))?;
			let message = from_hex(&message).map_err(|e| format!("--message is not hex: {e}"))?;
			Ok(json!({ "signature": to_hex(sp_core::Pair::sign(&pair, &message).as_ref(), false) }))
		}
	}
}

fn hash32(name: &str, hex: &str) -> Result<[u8; 32], String> {
	let bytes = from_hex(hex).map_err(|e| format!("{name} is not hex: {e}"))?;
	bytes.try_into().map_err(|bytes: Vec<u8>| format!("{name} has {} bytes, not 32", bytes.len()))
}
