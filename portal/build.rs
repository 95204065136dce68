//! Embeds every file of `web/dist` (the portal's Vite build, `scripts/build-portal.sh`). Without
//! a build the node serves a page that says how to make one.

use std::{
	fmt::Write as _,
	path::{Path, PathBuf},
};

fn files(dir: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
	for entry in std::fs::read_dir(dir)? {
		let path = entry?.path();
		if path.is_dir() {
			files(&path, found)?;
		} else {
			found.push(path);
		}
	}
	Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
	let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
	let dist = manifest.join("web").join("dist");
	// The page names its hashed assets: a new build always changes it.
	for watched in [dist.clone(), dist.join("index.html"), dist.join("assets")] {
		println!("cargo:rerun-if-changed={}", watched.display());
	}
	let mut found = Vec::new();
	if dist.join("index.html").is_file() {
		files(&dist, &mut found)?;
	} else {
		println!(
			"cargo:warning=portal/web/dist has no build: the node will serve no portal \
			 (run scripts/build-portal.sh first)"
		);
	}
	found.sort();
	let mut table = String::from(
		"/// The built files, by path under `dist/`.\npub static FILES: &[(&str, &[u8])] = &[\n",
	);
	for path in &found {
		let name = path.strip_prefix(&dist)?.to_string_lossy().replace('\\', "/");
		writeln!(table, "\t({name:?}, include_bytes!({:?})),", path.display().to_string())?;
	}
	table.push_str("];\n");
	let out = PathBuf::from(std::env::var("OUT_DIR")?).join("files.rs");
	std::fs::write(out, table)?;
	Ok(())
}
