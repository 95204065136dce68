//! Checks exported JSON against the FHIR R5 models of the `fhir.resources` Python package, with
//! the auditors' validator `fhir/validate.py` (it also checks required codes, reference targets
//! and empty elements, which the models let through). `scripts/setup-fhir.sh` installs the
//! package in a venv.

use std::{
	io::Write,
	path::PathBuf,
	process::{Command, Stdio},
};

use serde_json::Value;

/// The validator script.
pub const SCRIPT: &str = include_str!("../../fhir/validate.py");

/// The venv Python with `fhir.resources`: `$MEDCHAIN_FHIR_PYTHON`, or where
/// `scripts/setup-fhir.sh` puts it.
pub fn python() -> PathBuf {
	std::env::var_os("MEDCHAIN_FHIR_PYTHON").map(PathBuf::from).unwrap_or_else(|| {
		let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
		home.join(".cache/medchain/fhir-venv/bin/python")
	})
}

/// Validates `resource` (a Bundle or one resource): the validator's summary, or its errors.
pub fn validate(resource: &Value) -> Result<String, String> {
	let python = python();
	if !python.exists() {
		return Err(format!(
			"no FHIR validator at {}: run scripts/setup-fhir.sh",
			python.display()
		));
	}
	let mut child = Command::new(&python)
		.args(["-c", SCRIPT, "-"])
		.stdin(Stdio::piped())
		.stdout(Stdio::piped())
		.stderr(Stdio::piped())
		.spawn()
		.map_err(|error| format!("{}: {error}", python.display()))?;
	let input = resource.to_string();
	if let Some(mut stdin) = child.stdin.take() {
		stdin.write_all(input.as_bytes()).map_err(|error| error.to_string())?;
	}
	let output = child.wait_with_output().map_err(|error| error.to_string())?;
	let stdout = String::from_utf8_lossy(&output.stdout).trim().to_owned();
	if output.status.success() {
		Ok(stdout)
	} else {
		Err(format!("{stdout}{}", String::from_utf8_lossy(&output.stderr)))
	}
}
