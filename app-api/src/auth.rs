//! Who may call what: roles, the method table, and the token file.
//!
//! The token file holds one line per token, `<role> <sha256 of the token, hex> [label]`; `#`
//! starts a comment. The node never stores a token itself, only its hash. A caller sends
//! `Authorization: Bearer <token>`.

use std::{collections::HashMap, path::Path};

use sha2::{Digest, Sha256};

/// What a token may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
	/// A hospital app: submits records and shares, reads statuses.
	App,
	/// An auditor: reads statuses and access logs.
	Auditor,
	/// A hospital administrator: erases records.
	Admin,
}

impl Role {
	/// The role's name in the token file.
	pub fn name(self) -> &'static str {
		match self {
			Role::App => "app",
			Role::Auditor => "auditor",
			Role::Admin => "admin",
		}
	}

	/// The role named `name`.
	pub fn parse(name: &str) -> Option<Self> {
		[Role::App, Role::Auditor, Role::Admin].into_iter().find(|role| role.name() == name)
	}
}

/// The roles that may call `method`; `None` for a method this API does not have.
pub fn allowed_roles(method: &str) -> Option<&'static [Role]> {
	Some(match method {
		"medchain_submitRecord" | "medchain_submitRecords" => &[Role::App],
		"medchain_recordStatus" => &[Role::App, Role::Auditor, Role::Admin],
		"medchain_eraseRecord" => &[Role::Admin, Role::App],
		"medchain_recordChallenge" | "medchain_getRecord" => &[Role::App],
		"medchain_accessShared" | "medchain_retryAccess" => &[Role::App],
		"medchain_prepareShare" | "medchain_createShare" | "medchain_revokeShare" => &[Role::App],
		"medchain_subscribe" | "medchain_unsubscribe" => &[Role::App],
		"medchain_accessLog" | "medchain_exportFhir" => &[Role::Auditor],
		crate::DISCOVER => &[Role::App, Role::Auditor, Role::Admin],
		_ => return None,
	})
}

/// The tokens a node accepts, by hash.
#[derive(Clone, Debug, Default)]
pub struct Tokens(HashMap<[u8; 32], Role>);

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
			let role = words
				.next()
				.and_then(Role::parse)
				.ok_or(format!("line {line_number}: the role must be app, auditor or admin"))?;
			let mut hash = [0u8; 32];
			words
				.next()
				.and_then(|hex_hash| hex::decode_to_slice(hex_hash, &mut hash).ok())
				.ok_or(format!(
					"line {line_number}: expected the token's SHA-256 as 64 hex digits"
				))?;
			tokens.insert(hash, role);
		}
		Ok(Self(tokens))
	}

	/// The role of `token`, if it is known.
	pub fn role(&self, token: &str) -> Option<Role> {
		self.0.get(&token_hash(token)).copied()
	}

	/// The token-file line for `token` with `role`.
	pub fn line(role: Role, token: &str, label: &str) -> String {
		format!("{} {} {label}", role.name(), hex::encode(token_hash(token)))
	}
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
