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

/// Runs `run` over `target`'s seeds, corpus and regressions; how many inputs there were.
fn replay(target: &str, run: fn(&[u8])) -> usize {
	let seeds = crate::seeds::seeds().into_iter().filter(|seed| seed.0 == target);
	let seeds: Vec<(String, Vec<u8>)> =
		seeds.map(|(_, name, data)| (format!("seed {name}"), data)).collect();
	let files = ["corpus", "regressions"].iter().flat_map(|kind| inputs(kind, target));
	let files = files.map(|file| (file.display().to_string(), std::fs::read(&file).unwrap()));
	let inputs: Vec<(String, Vec<u8>)> = seeds.into_iter().chain(files).collect();
	for (name, data) in &inputs {
		let outcome = std::panic::catch_unwind(|| run(data));
		assert!(outcome.is_ok(), "{name} crashes {target}");
	}
	inputs.len()
}

#[test]
fn every_target_has_a_corpus() {
	for (target, _) in TARGETS {
		assert!(!inputs("corpus", target).is_empty(), "fuzz/corpus/{target} is empty");
	}
}

#[test]
fn every_target_runs_its_seeds_corpus_and_regressions_without_a_crash() {
	for (target, run) in TARGETS {
		println!("{target}: {} inputs", replay(target, run));
	}
}
