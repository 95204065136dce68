fn main() {
	#[cfg(feature = "std")]
	{
		// The cargo target directory lives outside the work tree, so the wasm builder can't
		// find the workspace's Cargo.lock by walking up from it: point it at the workspace.
		if std::env::var_os("WASM_BUILD_WORKSPACE_HINT").is_none() {
			if let Some(manifest_dir) = std::env::var_os("CARGO_MANIFEST_DIR") {
				let workspace = std::path::PathBuf::from(manifest_dir).join("..");
				std::env::set_var("WASM_BUILD_WORKSPACE_HINT", workspace);
			}
		}
		// The wasm is a cargo build of its own workspace: this workspace's lints
		// (`rustc-workspace-wrapper` in .cargo/config.toml) are not for it.
		std::env::remove_var("RUSTC_WORKSPACE_WRAPPER");
		std::env::remove_var("CLIPPY_ARGS");
		substrate_wasm_builder::WasmBuilder::build_using_defaults();
	}
}
