//! The container entrypoint (docker/entrypoint.sh) with the dev secrets in its environment and
//! a stand-in for medchain-node: the operator seed and node key never reach the node's
//! environment, and the seed's temporary file is gone whether `key insert` succeeds or fails.

use std::{path::Path, process::Command};

use medchain_tests::Result;

const SEED: &str = "//Alice//stash-entrypoint-test";
const NODE_KEY: &str = "0101010101010101010101010101010101010101010101010101010101010101";

/// A medchain-node stand-in: records its arguments and environment; `key insert` fails when
/// `fail` is set.
fn fake_node(dir: &Path, fail: bool) -> Result<std::path::PathBuf> {
	let path = dir.join("medchain-node");
	let key_insert = if fail { "exit 1" } else { "exit 0" };
	let script = format!(
		"#!/bin/sh\nif [ \"$1\" = key ]; then {key_insert}; fi\nenv >\"{}/node-env\"\n",
		dir.display()
	);
	std::fs::write(&path, script).map_err(|e| e.to_string())?;
	let chmod = Command::new("chmod").arg("755").arg(&path).status().map_err(|e| e.to_string())?;
	assert!(chmod.success());
	Ok(path)
}

/// Runs the entrypoint with node flags; whether it succeeded, and what its temporary directory
/// holds afterwards.
fn run_entrypoint(dir: &Path, fail: bool) -> Result<(bool, Vec<String>)> {
	let node = fake_node(dir, fail)?;
	let (data, tmp) = (dir.join("data"), dir.join("tmp"));
	for path in [&data, &tmp] {
		std::fs::create_dir_all(path).map_err(|e| e.to_string())?;
	}
	let entrypoint = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docker/entrypoint.sh");
	let status = Command::new("sh")
		.arg(&entrypoint)
		.arg("--name=test")
		.env("MEDCHAIN_NODE_BIN", &node)
		.env("MEDCHAIN_DATA_DIR", &data)
		.env("TMPDIR", &tmp)
		.env("MEDCHAIN_OPERATOR_SEED", SEED)
		.env("MEDCHAIN_NODE_KEY", NODE_KEY)
		.status()
		.map_err(|e| format!("{}: {e}", entrypoint.display()))?;
	let left = std::fs::read_dir(&tmp)
		.map_err(|e| e.to_string())?
		.map(|entry| entry.map(|entry| entry.path().display().to_string()))
		.collect::<std::io::Result<Vec<_>>>()
		.map_err(|e| e.to_string())?;
	Ok((status.success(), left))
}

#[test]
fn a_failed_key_insert_leaves_no_seed_on_disk() -> Result<()> {
	let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
	let (succeeded, left) = run_entrypoint(dir.path(), true)?;
	assert!(!succeeded, "the entrypoint went on after a failed key insert");
	assert!(left.is_empty(), "left behind: {left:?}");
	assert!(!dir.path().join("node-env").exists(), "the node ran");
	Ok(())
}

#[test]
fn the_node_starts_without_the_seed_or_node_key_in_its_environment() -> Result<()> {
	let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
	let (succeeded, left) = run_entrypoint(dir.path(), false)?;
	assert!(succeeded);
	assert!(left.is_empty(), "left behind: {left:?}");
	let env = std::fs::read_to_string(dir.path().join("node-env")).map_err(|e| e.to_string())?;
	assert!(env.contains("MEDCHAIN_DATA_DIR="), "the stand-in recorded no environment");
	assert!(!env.contains(SEED) && !env.contains(NODE_KEY), "a secret reached the node: {env}");
	let node_key =
		std::fs::read_to_string(dir.path().join("data/node-key")).map_err(|e| e.to_string())?;
	assert_eq!(node_key, NODE_KEY, "the node key file the node reads");
	Ok(())
}
