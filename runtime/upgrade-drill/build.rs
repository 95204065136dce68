fn main() {
	#[cfg(feature = "std")]
	{
		// As in the runtime's build script: the target directory is outside the work tree, and
		// this workspace's lint wrapper is not for the wasm's own cargo build.
		if std::env::var_os("WASM_BUILD_WORKSPACE_HINT").is_none() {
			if let Some(manifest_dir) = std::env::var_os("CARGO_MANIFEST_DIR") {
				let workspace = std::path::PathBuf::from(manifest_dir).join("../..");
				std::env::set_var("WASM_BUILD_WORKSPACE_HINT", workspace);
			}
		}
		std::env::remove_var("RUSTC_WORKSPACE_WRAPPER");
		std::env::remove_var("CLIPPY_ARGS");
		substrate_wasm_builder::WasmBuilder::init_with_defaults()
			.enable_feature("upgrade-drill")
			.build();
	}
}
