//! The stable replay: every seed (`crate::seeds`) and every file of `fuzz/corpus/<target>/` and
//! `fuzz/regressions/<target>/` through its target's `run`. A crash libFuzzer finds is saved to `regressions` with a name
//! saying what it was, and stays a test here.

use std::path::{Path, PathBuf};

use crate::TARGETS;

fn fuzz_dir() -> PathBuf {
	Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The files under `fuzz/<kind>/<target>/`, sorted (none if the directory is missing).
fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
	let dir = fuzz_dir().join(kind).join(target);
	let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
		.map(|entries| entries.filter_map(|entry| entry.ok().map(|entry| entry.path())).collect())
		.unwrap_or_default();
	files.retain(|path| path.is_file());
	files.sort();
	files
}

fn replay(target: &str) -> usize {
	let (_, run) = TARGETS.iter().find(|(name, _)| *name == target).expect("a target");
	for (_, name, data) in crate::seeds::seeds().into_iter().filter(|seed| seed.0 == target) {
		let outcome = std::panic::catch_unwind(|| run(&data));
		assert!(outcome.is_ok(), "seed {name} crashes {target}");
	}
	let files: Vec<PathBuf> =
		["corpus", "regressions"].iter().flat_map(|kind| inputs(kind, target)).collect();
	for file in &files {
		let data = std::fs::read(file).expect("readable");
		let outcome = std::panic::catch_unwind(|| run(&data));
		assert!(outcome.is_ok(), "{} crashes {target}", file.display());
	}
	files.len()
}

#[test]
fn every_target_has_a_corpus() {
	for (target, _) in TARGETS {
		assert!(!inputs("corpus", target).is_empty(), "fuzz/corpus/{target} is empty");
	}
}

#[test]
fn commitment_replays_its_corpus_and_regressions() {
	println!("{} inputs", replay("commitment"));
}

#[test]
fn dispatch_replays_its_corpus_and_regressions() {
	println!("{} inputs", replay("dispatch"));
}

#[test]
fn release_replays_its_corpus_and_regressions() {
	println!("{} inputs", replay("release"));
}

#[test]
fn rpc_replays_its_corpus_and_regressions() {
	println!("{} inputs", replay("rpc"));
}

#[test]
fn share_token_replays_its_corpus_and_regressions() {
	println!("{} inputs", replay("share_token"));
}
