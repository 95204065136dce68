//! Who may call what: roles, the method table, and the token file.
//!
//! The token file holds one line per token, `<role> <sha256 of the token, hex> [label]`; a
//! `patient` token names its pseudonym after the hash: `patient <sha256> <pseudonym> [label]`.
//! `#` starts a comment. The node never stores a token itself, only its hash. A caller sends
//! `Authorization: Bearer <token>`.

use std::{collections::HashMap, path::Path};

use sha2::{Digest, Sha256};

use crate::ids::AccountId;

/// What a token may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
	/// A hospital app: submits records and shares, reads statuses.
	App,
	/// An auditor: reads statuses and access logs.
	Auditor,
	/// A hospital administrator: erases records.
	Admin,
	/// One patient's app: reads and erases that patient's records only (with the patient's
	/// signature), and follows that patient's notifications.
	Patient,
}

impl Role {
	/// The role's name in the token file.
	pub fn name(self) -> &'static str {
		match self {
			Role::App => "app",
			Role::Auditor => "auditor",
			Role::Admin => "admin",
			Role::Patient => "patient",
		}
	}

	/// The role named `name`.
	pub fn parse(name: &str) -> Option<Self> {
		[Role::App, Role::Auditor, Role::Admin, Role::Patient]
			.into_iter()
			.find(|role| role.name() == name)
	}
}

/// Who holds a known token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Holder {
	/// The token's hash: the token's identity (rate limits, request-id scope).
	pub id: [u8; 32],
	/// What it may do.
	pub role: Role,
	/// The one patient a `patient` token acts for.
	pub patient: Option<[u8; 32]>,
}

impl Holder {
	/// Whether this holder may act on `patient`'s records: any patient's, except for a
	/// `patient` token, which only its own.
	pub fn may_act_for(&self, patient: &[u8; 32]) -> bool {
		self.patient.is_none_or(|own| own == *patient)
	}
}

/// The roles that may call `method`; `None` for a method this API does not have.
pub fn allowed_roles(method: &str) -> Option<&'static [Role]> {
	Some(match method {
		"medchain_submitRecord" | "medchain_submitRecords" => &[Role::App],
		"medchain_recordStatus" => &[Role::App, Role::Auditor, Role::Admin],
		"medchain_eraseRecord" => &[Role::Admin, Role::App, Role::Patient],
		"medchain_recordChallenge" | "medchain_getRecord" => &[Role::App, Role::Patient],
		"medchain_accessShared" | "medchain_retryAccess" => &[Role::App],
		"medchain_fillPrescription" => &[Role::App],
		// With a share token, the method itself requires `app`.
		"medchain_verifyPrescription" => &[Role::App, Role::Auditor, Role::Admin],
		"medchain_prepareShare" | "medchain_createShare" | "medchain_revokeShare" => &[Role::App],
		"medchain_subscribe" | "medchain_unsubscribe" => &[Role::App, Role::Patient],
		// A patient token reads its own patient's accesses only (checked by the method).
		"medchain_accessLog" => &[Role::Auditor, Role::Patient],
		"medchain_exportFhir" => &[Role::Auditor],
		crate::DISCOVER
		| "medchain_hospitals"
		| "medchain_session"
		| "medchain_recordTypes"
		| "medchain_wsTicket" => &[Role::App, Role::Auditor, Role::Admin, Role::Patient],
		"medchain_health" => &[Role::App, Role::Auditor, Role::Admin],
		_ => return None,
	})
}

/// The tokens a node accepts, by hash.
#[derive(Clone, Debug, Default)]
pub struct Tokens(HashMap<[u8; 32], Holder>);

impl Tokens {
	/// Reads a token file.
	pub fn read(path: &Path) -> Result<Self, String> {
		let text = std::fs::read_to_string(path)
			.map_err(|error| format!("{}: {error}", path.display()))?;
		Self::parse(&text).map_err(|error| format!("{}: {error}", path.display()))
	}

	/// Parses a token file's text.
	pub fn parse(text: &str) -> Result<Self, String> {
		let mut tokens = HashMap::new();
		for (number, line) in text.lines().enumerate() {
			let line = line.split('#').next().unwrap_or("").trim();
			if line.is_empty() {
				continue;
			}
			let mut words = line.split_whitespace();
			let line_number = number.saturating_add(1);
			let role = words.next().and_then(Role::parse).ok_or(format!(
				"line {line_number}: the role must be app, auditor, admin or patient"
			))?;
			let mut id = [0u8; 32];
			words.next().and_then(|hex_hash| hex::decode_to_slice(hex_hash, &mut id).ok()).ok_or(
				format!("line {line_number}: expected the token's SHA-256 as 64 hex digits"),
			)?;
			let patient = match role {
				Role::Patient => Some(words.next().and_then(AccountId::from_ss58_or_hex).map(|p| p.0).ok_or(
					format!("line {line_number}: a patient token names its pseudonym after the hash (SS58 or 0x-hex)"),
				)?),
				_ => None,
			};
			tokens.insert(id, Holder { id, role, patient });
		}
		Ok(Self(tokens))
	}

	/// Who holds `token`, if it is known.
	pub fn holder(&self, token: &str) -> Option<Holder> {
		self.0.get(&token_hash(token)).copied()
	}

	/// The holder of the token whose hash is `id`, if it is known.
	pub fn by_id(&self, id: &[u8; 32]) -> Option<Holder> {
		self.0.get(id).copied()
	}

	/// The role of `token`, if it is known.
	pub fn role(&self, token: &str) -> Option<Role> {
		self.holder(token).map(|holder| holder.role)
	}

	/// The token-file line for `token` with `role` (not `patient`: see [`Self::patient_line`]).
	pub fn line(role: Role, token: &str, label: &str) -> String {
		format!("{} {} {label}", role.name(), hex::encode(token_hash(token)))
	}

	/// The token-file line for a `patient` token acting for `pseudonym` (0x-hex).
	pub fn patient_line(token: &str, pseudonym: &[u8; 32], label: &str) -> String {
		format!(
			"{} {} 0x{} {label}",
			Role::Patient.name(),
			hex::encode(token_hash(token)),
			hex::encode(pseudonym)
		)
	}
}

/// Makes a new token for `role` (and for `patient`, a `patient` token's pseudonym), appends its
/// line to the token file `file` (created with mode 0600, synced) and returns the token, which
/// exists nowhere else.
pub fn issue(
	file: &Path,
	role: Role,
	patient: Option<&[u8; 32]>,
	label: &str,
) -> Result<String, String> {
	use std::{io::Write, os::unix::fs::OpenOptionsExt};
	let line_of = |token: &str| match (role, patient) {
		(Role::Patient, Some(patient)) => Ok(Tokens::patient_line(token, patient, label)),
		(Role::Patient, None) => Err("a patient token needs the patient's pseudonym".to_string()),
		(_, Some(_)) => Err(format!("a {} token names no patient", role.name())),
		(_, None) => Ok(Tokens::line(role, token, label)),
	};
	let mut bytes = [0u8; 32];
	rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
	let token = format!("mct_{}", hex::encode(bytes));
	let line = line_of(&token)?;
	let mut opened = std::fs::OpenOptions::new()
		.create(true)
		.append(true)
		.mode(0o600)
		.open(file)
		.map_err(|error| format!("{}: {error}", file.display()))?;
	writeln!(opened, "{line}")
		.and_then(|()| opened.sync_all())
		.map_err(|error| format!("{}: {error}", file.display()))?;
	Ok(token)
}

/// SHA-256 of a token's text: what the token file holds.
pub fn token_hash(token: &str) -> [u8; 32] {
	Sha256::digest(token.as_bytes()).into()
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_token_file_maps_hashes_to_roles() {
		let text = format!(
			"# apps\n{}\n{} # the audit office\n\n",
			Tokens::line(Role::App, "app-secret", "ehr"),
			Tokens::line(Role::Auditor, "audit-secret", "")
		);
		let tokens = Tokens::parse(&text).unwrap();
		assert_eq!(tokens.role("app-secret"), Some(Role::App));
		assert_eq!(tokens.role("audit-secret"), Some(Role::Auditor));
		assert_eq!(tokens.role("app-secret "), None);
		assert!(!text.contains("app-secret"));
	}

	#[test]
	fn a_patient_token_is_bound_to_its_pseudonym() {
		let text = Tokens::patient_line("patient-secret", &[7; 32], "ferdie's phone");
		let tokens = Tokens::parse(&text).unwrap();
		let holder = tokens.holder("patient-secret").unwrap();
		assert_eq!((holder.role, holder.patient), (Role::Patient, Some([7; 32])));
		assert!(holder.may_act_for(&[7; 32]) && !holder.may_act_for(&[8; 32]));
		let app = Tokens::parse(&Tokens::line(Role::App, "app", "")).unwrap().holder("app");
		assert!(app.unwrap().may_act_for(&[8; 32]));
		let unbound = format!("patient {}", hex::encode(token_hash("x")));
		assert!(Tokens::parse(&unbound).unwrap_err().contains("pseudonym"));
		assert_eq!(allowed_roles("medchain_submitRecord"), Some(&[Role::App][..]));
		assert!(!allowed_roles("medchain_revokeShare").unwrap().contains(&Role::Patient));
	}

	#[test]
	fn issued_tokens_are_appended_and_read_back_with_their_role_and_patient() {
		let dir = tempfile::tempdir().unwrap();
		let file = dir.path().join("tokens");
		let app = issue(&file, Role::App, None, "ehr").unwrap();
		let patient = issue(&file, Role::Patient, Some(&[5; 32]), "").unwrap();
		assert!(issue(&file, Role::Patient, None, "").unwrap_err().contains("pseudonym"));
		assert!(issue(&file, Role::App, Some(&[5; 32]), "").is_err());
		let tokens = Tokens::read(&file).unwrap();
		assert_eq!(tokens.role(&app), Some(Role::App));
		assert_eq!(tokens.holder(&patient).and_then(|holder| holder.patient), Some([5; 32]));
		use std::os::unix::fs::PermissionsExt;
		let mode = std::fs::metadata(&file).unwrap().permissions().mode();
		assert_eq!(mode & 0o777, 0o600);
		assert!(!std::fs::read_to_string(&file).unwrap().contains(&app));
	}

	#[test]
	fn a_malformed_line_is_refused_with_its_number() {
		assert!(Tokens::parse("app 00").unwrap_err().contains("line 1"));
		assert!(Tokens::parse("\nroot 00").unwrap_err().contains("line 2"));
	}

	#[test]
	fn every_method_has_roles() {
		for method in [
			"medchain_submitRecord",
			"medchain_submitRecords",
			"medchain_recordStatus",
			"rpc.discover",
		] {
			assert!(allowed_roles(method).is_some_and(|roles| !roles.is_empty()), "{method}");
		}
		assert_eq!(allowed_roles("author_insertKey"), None);
	}
}
