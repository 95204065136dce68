//! The command line: every subcommand and its arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// medchain: records, shares, consents, audits and the consortium, from a hospital's node.
///
/// Secrets come from the environment rather than the command line, where other users could
/// see them: MEDCHAIN_TOKEN (the medchain RPC token), MEDCHAIN_SURI (the signing key's secret
/// URI) and MEDCHAIN_SHARE_TOKEN (a patient's VIC_ share token). The flags of the same names
/// override them, but show in the process list.
#[derive(Parser)]
#[command(name = "medchain", version, propagate_version = true)]
pub struct Cli {
	/// The node's chain RPC (reads, signed transactions).
	#[arg(long, global = true, default_value = "http://127.0.0.1:9944")]
	pub node: String,
	/// The node's medchain RPC (records, shares, audits): `https://` for a node that is not on
	/// this machine.
	#[arg(long, global = true, default_value = "http://127.0.0.1:9955")]
	pub api: String,
	/// The CA certificate (PEM) that signed the node's medchain RPC certificate, for
	/// `https://`; else MEDCHAIN_CA_FILE, else the system's trusted roots.
	#[arg(long, global = true, value_name = "PEM")]
	pub ca_file: Option<PathBuf>,
	/// The medchain RPC token (role app, auditor, admin or patient); else MEDCHAIN_TOKEN.
	/// Visible in the process list: prefer the variable or --token-file.
	#[arg(long, global = true)]
	pub token: Option<String>,
	/// A file whose first line is the medchain RPC token.
	#[arg(long, global = true, conflicts_with = "token")]
	pub token_file: Option<PathBuf>,
	/// Print JSON (one document) instead of tables.
	#[arg(long, global = true)]
	pub json: bool,
	#[command(subcommand)]
	pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
	/// Records kept by this hospital's node: submit, import, follow, read, erase.
	#[command(subcommand)]
	Record(RecordCommand),
	/// Share tokens and shares: create, revoke, and read a shared record.
	#[command(subcommand)]
	Share(ShareCommand),
	/// Consent requests: a hospital asks, the patient approves or denies.
	#[command(subcommand)]
	Consent(ConsentCommand),
	/// Prescriptions: issue one, verify it, fill it at a pharmacy, and its fill history.
	#[command(subcommand)]
	Prescription(PrescriptionCommand),
	/// The access log and its FHIR R5 export (role auditor).
	#[command(subcommand)]
	Audit(AuditCommand),
	/// The consortium: hospitals, proposals, votes, key rotation, patients.
	#[command(subcommand)]
	Hospital(HospitalCommand),
	/// The node itself.
	#[command(subcommand)]
	Node(NodeCommand),
	/// Prints a shell completion script, e.g. `medchain completions bash > /etc/bash_completion.d/medchain`.
	Completions { shell: clap_complete::Shell },
}

/// A signing key: `--suri`, else MEDCHAIN_SURI.
#[derive(Args, Clone)]
pub struct Signer {
	/// The signing key's secret URI (a mnemonic, or `//Ferdie` on a dev chain); else
	/// MEDCHAIN_SURI. Visible in the process list: prefer the variable.
	#[arg(long)]
	pub suri: Option<String>,
}

/// A new record's patient, fields and idempotency key (`record submit`, `prescription issue`).
#[derive(Args)]
pub struct NewRecord {
	/// The patient pseudonym (SS58 or 0x-hex).
	#[arg(long)]
	pub patient: String,
	/// A field, `name=value`; repeat for each field. Values given here show in the process
	/// list and the shell history: prefer `--fields-file`.
	#[arg(long = "field", value_name = "NAME=VALUE", required_unless_present = "fields_file")]
	pub fields: Vec<String>,
	/// A JSON object of the record's fields, from this file or `-` for standard input.
	#[arg(long, value_name = "FILE", conflicts_with = "fields")]
	pub fields_file: Option<PathBuf>,
	/// The idempotency key, e.g. the source system's id of the record: a retry with the same
	/// key returns the same record. By default a random key (each run stores a new record).
	#[arg(long)]
	pub request_id: Option<String>,
	/// Wait until the anchor is finalized (or fails).
	#[arg(long)]
	pub wait: bool,
}

#[derive(Subcommand)]
pub enum PrescriptionCommand {
	/// Issues a PRESCRIPTION on this hospital's node: stored encrypted, anchored with its
	/// refills and expiry, which the chain enforces when pharmacies fill it.
	Issue {
		#[command(flatten)]
		record: NewRecord,
		/// Fills allowed after the first (0 to 11).
		#[arg(long)]
		refills: u32,
		/// Its expiry (RFC 3339); by default, and at most, a year after anchoring.
		#[arg(long, value_name = "TIME")]
		valid_until: Option<String>,
	},
	/// Checks a prescription at the finalized block: prescriber, status, expiry, fills; with
	/// the patient's share token (--share-token or MEDCHAIN_SHARE_TOKEN), its fields too.
	Verify {
		/// The prescription's record id (0x-hex).
		record: String,
		/// Open the shared fields with the share token in MEDCHAIN_SHARE_TOKEN.
		#[arg(long)]
		with_fields: bool,
		/// The share token; visible in the process list: prefer MEDCHAIN_SHARE_TOKEN.
		#[arg(long)]
		share_token: Option<String>,
		/// The purpose of that access (HL7 PurposeOfUse).
		#[arg(long, default_value = "TREAT")]
		purpose: String,
	},
	/// Records a fill at this pharmacy (it must have opened this version with the token).
	Fill {
		/// The prescription's latest version (0x-hex).
		record: String,
		/// How much is dispensed.
		#[arg(long)]
		quantity: u32,
	},
	/// The fills of a prescription, with their pharmacies.
	History {
		/// The prescription's record id (0x-hex).
		record: String,
	},
}

#[derive(Subcommand)]
pub enum RecordCommand {
	/// Stores one record on this hospital's node, encrypted, and anchors its hash.
	Submit {
		#[command(flatten)]
		record: NewRecord,
		/// The record type, e.g. DIAGNOSIS.
		#[arg(long = "type")]
		record_type: String,
		/// A PRESCRIPTION's expiry (RFC 3339); by default a year after anchoring. Its fills are
		/// the `refills` field plus one (`prescription issue` takes them as flags).
		#[arg(long, value_name = "TIME")]
		valid_until: Option<String>,
	},
	/// Stores the records of a JSON-lines file (one `submitRecord` object per line), in
	/// batches that are each stored whole or not at all. A rerun after a failure resumes: the
	/// records already stored are recognized by their clientRequestId.
	Import {
		file: PathBuf,
		/// Records per batch (at most 500).
		#[arg(long, default_value_t = 100)]
		batch: usize,
	},
	/// Where a record's anchor (and erasure) stands.
	Status {
		record: String,
		/// Wait until the anchor is finalized (or fails).
		#[arg(long)]
		wait: bool,
	},
	/// The patient reads their own record (through the hospital's app: an app token): logs the
	/// read on chain with the patient's key, signs the node's challenge, and prints the fields
	/// verified against the anchor.
	Get {
		record: String,
		#[command(flatten)]
		patient: Signer,
	},
	/// Erases a record: with the admin token; or with the app token or the patient's own token
	/// and the patient's approval (`--patient-approval`: the CLI computes the approval message
	/// from the chain and the node's challenge, and signs it with the patient's key).
	Erase {
		record: String,
		/// Sign the erasure as the patient (their key: --suri or MEDCHAIN_SURI).
		#[arg(long)]
		patient_approval: bool,
		#[command(flatten)]
		patient: Signer,
	},
}

/// What a share releases, to whom, for how long and why.
#[derive(Args, Clone)]
pub struct Scope {
	/// The patient pseudonym whose records these are (SS58 or 0x-hex).
	#[arg(long)]
	pub patient: String,
	/// A record id; repeat for each record.
	#[arg(long = "record", value_name = "RECORD", required = true)]
	pub records: Vec<String>,
	/// A field to release, by name; repeat for each field. Every field but `notes` if none.
	#[arg(long = "field", value_name = "NAME")]
	pub fields: Vec<String>,
	/// How long the share lasts, in hours.
	#[arg(long)]
	pub hours: u32,
	/// The HL7 PurposeOfUse code, e.g. TREAT.
	#[arg(long, default_value = "TREAT")]
	pub purpose: String,
}

/// Who may use a share, and how often.
#[derive(Args, Clone)]
pub struct Reach {
	/// The one hospital that may use the share; any holder of the token if absent.
	#[arg(long)]
	pub grantee: Option<u32>,
	/// The most uses; unlimited within the duration if absent.
	#[arg(long)]
	pub max_uses: Option<u32>,
}

#[derive(Subcommand)]
pub enum ShareCommand {
	/// Generates a share token (offline): the VIC_ token the patient hands over, and its key.
	NewToken,
	/// Prints the token key of a share token (offline).
	TokenKey {
		/// The share token; else MEDCHAIN_SHARE_TOKEN.
		#[arg(long)]
		share_token: Option<String>,
	},
	/// Creates a share of this hospital's records with the patient's consent: asks the node
	/// for the consent nonce and deadline, computes the consent message from the chain and has
	/// the patient sign it (`--suri`), or takes a signature made elsewhere (`sign-consent`), and
	/// waits until the share is finalized.
	Create {
		#[command(flatten)]
		scope: Scope,
		#[command(flatten)]
		reach: Reach,
		/// The token key (0x-hex) of a token the patient made; a new token is made and
		/// printed if absent.
		#[arg(long)]
		token_key: Option<String>,
		#[command(flatten)]
		patient: Signer,
		/// The patient's signature of the consent message, made elsewhere; needs the
		/// `--token-key`, `--nonce` and `--deadline` that `prepare` used and printed.
		#[arg(long, requires_all = ["nonce", "deadline", "token_key"], conflicts_with = "suri")]
		signature: Option<String>,
		/// The consent nonce `prepare` printed.
		#[arg(long, requires = "signature")]
		nonce: Option<u64>,
		/// The consent deadline `prepare` printed.
		#[arg(long, requires = "signature")]
		deadline: Option<u32>,
	},
	/// Prints the consent nonce and deadline of a share (and the node's copy of the message),
	/// for the patient to sign elsewhere with `sign-consent`.
	Prepare {
		#[command(flatten)]
		scope: Scope,
		#[command(flatten)]
		reach: Reach,
		/// The token key (0x-hex).
		#[arg(long)]
		token_key: String,
	},
	/// Signs the patient's consent to these terms with the nonce and deadline `prepare` printed
	/// (the message is computed here from the chain, never taken from the node).
	SignConsent {
		#[command(flatten)]
		scope: Scope,
		#[command(flatten)]
		reach: Reach,
		/// The token key (0x-hex).
		#[arg(long)]
		token_key: String,
		/// The consent nonce `prepare` printed.
		#[arg(long)]
		nonce: u64,
		/// The consent deadline `prepare` printed.
		#[arg(long)]
		deadline: u32,
		#[command(flatten)]
		patient: Signer,
	},
	/// Signs a request to use a grant once, as the token holder (offline).
	SignAccess {
		/// The share token; else MEDCHAIN_SHARE_TOKEN.
		#[arg(long)]
		share_token: Option<String>,
		/// The chain's genesis hash (0x-hex).
		#[arg(long)]
		genesis: String,
		#[arg(long)]
		grant: u64,
		/// The record id (0x-hex).
		#[arg(long)]
		record: String,
		/// The id of the hospital that will submit the access.
		#[arg(long)]
		accessor: u32,
		/// The HL7 PurposeOfUse code, e.g. TREAT.
		#[arg(long)]
		purpose: String,
		/// The grant's use count now.
		#[arg(long)]
		uses: u32,
		/// The last block in which the access may be submitted.
		#[arg(long)]
		valid_until: u32,
	},
	/// Revokes a share this hospital created.
	Revoke { grant: u64 },
	/// Reads a record another hospital shared, with the share token: the access is logged on
	/// chain, and the fields come from the custodian's node, verified against the anchor.
	Access {
		/// The record id.
		#[arg(long, required_unless_present = "retry", conflicts_with = "retry")]
		record: Option<String>,
		/// The HL7 PurposeOfUse code the share was made for.
		#[arg(long, default_value = "TREAT", conflicts_with = "retry")]
		purpose: String,
		/// The share token; else MEDCHAIN_SHARE_TOKEN.
		#[arg(long)]
		share_token: Option<String>,
		/// Fetch again the fields of this finalized access entry (after CustodianUnavailable).
		#[arg(long)]
		retry: Option<u64>,
	},
}

#[derive(Subcommand)]
pub enum ConsentCommand {
	/// A hospital asks a patient to share records with it (signed by the hospital's operator).
	Request {
		#[command(flatten)]
		scope: Scope,
		#[command(flatten)]
		operator: Signer,
	},
	/// The consent requests waiting for a patient's answer.
	Pending {
		/// The patient pseudonym (SS58 or 0x-hex).
		#[arg(long)]
		patient: String,
		/// Only requests with ids above this one (the last id of the previous page).
		#[arg(long)]
		after: Option<u64>,
		/// Requests per page (the runtime caps it).
		#[arg(long, default_value_t = 50)]
		limit: u32,
	},
	/// The patient approves a request: a share to the requester with a token key (a new token
	/// is made and printed if absent).
	Approve {
		request: u64,
		/// The token key (0x-hex) of a token the patient made.
		#[arg(long)]
		token_key: Option<String>,
		/// The most uses; unlimited within the duration if absent.
		#[arg(long)]
		max_uses: Option<u32>,
		#[command(flatten)]
		patient: Signer,
	},
	/// The patient denies a request.
	Deny {
		request: u64,
		#[command(flatten)]
		patient: Signer,
	},
}

/// Which accesses: exactly one subject, a time range, a page.
#[derive(Args, Clone)]
pub struct AuditFilter {
	/// Accesses to this patient's records (SS58 or 0x-hex).
	#[arg(long, group = "subject")]
	pub patient: Option<String>,
	/// Accesses by this hospital.
	#[arg(long, group = "subject")]
	pub hospital: Option<u32>,
	/// Accesses to the records this hospital keeps.
	#[arg(long, group = "subject")]
	pub custodian: Option<u32>,
	/// Accesses to this record.
	#[arg(long, group = "subject")]
	pub record: Option<String>,
	/// From this time on (RFC 3339, inclusive).
	#[arg(long)]
	pub from: Option<String>,
	/// Before this time (RFC 3339, exclusive).
	#[arg(long)]
	pub to: Option<String>,
	/// The next cursor a previous page printed.
	#[arg(long)]
	pub cursor: Option<String>,
	/// Rows per page (1 to 500).
	#[arg(long)]
	pub limit: Option<u32>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum FhirKind {
	/// The access log as AuditEvents.
	AuditEvent,
	/// A patient's shares as Consents (needs --patient).
	Consent,
	/// A prescription as a MedicationRequest (needs --record).
	MedicationRequest,
	/// A prescription's fills as MedicationDispenses (needs --record).
	MedicationDispense,
}

#[derive(Subcommand)]
pub enum AuditCommand {
	/// Who accessed what, when, why, and whether it was really released; refused attempts
	/// with the chain's reason. In time order, a page at a time.
	Log {
		#[command(flatten)]
		filter: AuditFilter,
		/// Follow the cursor to the last page.
		#[arg(long, conflicts_with = "cursor")]
		all: bool,
	},
	/// The access log (AuditEvent), a patient's shares (Consent), or a prescription and its
	/// fills (MedicationRequest, MedicationDispense) as a FHIR R5 Bundle (JSON).
	Export {
		#[arg(long, value_enum)]
		kind: FhirKind,
		#[command(flatten)]
		filter: AuditFilter,
		/// Write the Bundle to this file instead of standard output.
		#[arg(long)]
		out: Option<PathBuf>,
	},
}

/// A new member's admission, exactly as its node key (and a hospital's session keys) sign it.
#[derive(Args, Clone)]
pub struct Admission {
	/// The new member's name.
	#[arg(long)]
	pub name: String,
	/// The new member's admin account (SS58).
	#[arg(long)]
	pub admin: String,
	/// The new member's operator account (SS58).
	#[arg(long)]
	pub operator: String,
	/// The new member's node's peer id (`medchain-node key inspect-node-key`).
	#[arg(long)]
	pub peer_id: String,
	/// The node's public p2p address, e.g. `/ip4/203.0.113.7/tcp/30333`.
	#[arg(long)]
	pub address: String,
}

#[derive(Subcommand)]
pub enum HospitalCommand {
	/// The members in the registry (hospitals and pharmacies), by id.
	List {
		/// The first hospital id.
		#[arg(long, default_value_t = 0)]
		from: u32,
		/// Hospitals per page, at most 100.
		#[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=100))]
		limit: u32,
	},
	/// Proposes a change to the consortium (signed by a member's admin); the proposer's
	/// approval counts at once.
	#[command(subcommand)]
	Propose(Proposal),
	/// Approves a proposal (signed by a member's admin).
	Vote {
		proposal: u32,
		#[command(flatten)]
		admin: Signer,
	},
	/// Rotates the admin's hospital's operator account or session keys.
	#[command(subcommand)]
	Rotate(Rotation),
	/// Generates a new hospital's session keys in its own node's keystore, with proofs over
	/// the admission, and signs the admission with the node's key. Run it against the new
	/// hospital's node (its unsafe RPC methods, on localhost).
	SessionKeys {
		#[command(flatten)]
		admission: Admission,
		/// The node's `--node-key-file` (64 hex characters or 32 raw bytes).
		#[arg(long)]
		node_key_file: PathBuf,
	},
	/// Signs a new pharmacy's admission with its node's key (the pharmacy runs it; no session
	/// keys: a pharmacy never validates). Prints the `nodeProof` for `propose admit-pharmacy`.
	PharmacyNodeProof {
		#[command(flatten)]
		admission: Admission,
		/// The node's `--node-key-file` (64 hex characters or 32 raw bytes).
		#[arg(long)]
		node_key_file: PathBuf,
	},
	/// Registers a patient pseudonym with the hospital whose operator signs.
	RegisterPatient {
		/// The patient's account (SS58).
		patient: String,
		#[command(flatten)]
		operator: Signer,
		/// Once registered, issue the patient's own medchain RPC token (role `patient`, bound
		/// to this pseudonym) into this token file of the node (the node's
		/// `--medchain-rpc-tokens`): the token is printed this once.
		#[arg(long, value_name = "FILE")]
		issue_token_into: Option<std::path::PathBuf>,
	},
}

#[derive(Subcommand)]
pub enum Proposal {
	/// Admit a hospital, with what `session-keys` printed.
	Admit {
		#[command(flatten)]
		admission: Admission,
		/// `keys` from `session-keys`.
		#[arg(long)]
		keys: String,
		/// `proof` from `session-keys`.
		#[arg(long)]
		proof: String,
		/// `nodeProof` from `session-keys`.
		#[arg(long)]
		node_proof: String,
		#[command(flatten)]
		admin: Signer,
	},
	/// Admit a pharmacy (a member that fills prescriptions and never validates), with the
	/// `nodeProof` `pharmacy-node-proof` printed.
	AdmitPharmacy {
		#[command(flatten)]
		admission: Admission,
		/// `nodeProof` from `pharmacy-node-proof`.
		#[arg(long)]
		node_proof: String,
		#[command(flatten)]
		admin: Signer,
	},
	/// Suspend a member (a hospital or a pharmacy).
	Suspend {
		hospital: u32,
		#[command(flatten)]
		admin: Signer,
	},
	/// Reinstate a suspended hospital.
	Reinstate {
		hospital: u32,
		#[command(flatten)]
		admin: Signer,
	},
	/// Remove a hospital for good.
	Remove {
		hospital: u32,
		#[command(flatten)]
		admin: Signer,
	},
}

#[derive(Subcommand)]
pub enum Rotation {
	/// Replaces the hospital's operator account.
	Operator {
		/// The new operator account (SS58).
		new_operator: String,
		#[command(flatten)]
		admin: Signer,
	},
	/// Generates new Aura and GRANDPA keys in the node's keystore (unsafe RPC, localhost)
	/// and registers them; the validator set takes them up at the next session.
	SessionKeys {
		#[command(flatten)]
		admin: Signer,
	},
}

#[derive(Subcommand)]
pub enum NodeCommand {
	/// The node's chain (heads, peers, validators, runtime) and whether its medchain RPC
	/// answers.
	Status,
}
