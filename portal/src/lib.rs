//! The medchain portal, built (`portal/web`, Vite and TypeScript) and embedded in the node,
//! which serves it under `/portal` on its medchain listener with [`CONTENT_SECURITY_POLICY`].

include!(concat!(env!("OUT_DIR"), "/files.rs"));

/// Everything the page may load or reach: its own scripts, styles and RPC, and WebAssembly (the
/// signing code); nothing from elsewhere, no inline script or style, no frames.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self' \
	'wasm-unsafe-eval'; style-src 'self'; img-src 'self'; connect-src 'self'; media-src 'self'; \
	base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// One file of the portal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Asset {
	/// Its bytes.
	pub body: &'static [u8],
	/// Its media type.
	pub content_type: &'static str,
	/// Whether its name carries its content's hash (Vite's `assets/`): cache it for good.
	pub immutable: bool,
}

/// Whether the node was built with the portal (`portal/web/dist` existed).
pub fn is_built() -> bool {
	FILES.iter().any(|(name, _)| *name == "index.html")
}

/// The file at `path` under `/portal/`; the page itself for `""` and for paths with no file
/// extension (the page's own views).
pub fn asset(path: &str) -> Option<Asset> {
	let name = if path.is_empty() || !path.rsplit('/').next().unwrap_or("").contains('.') {
		"index.html"
	} else {
		path
	};
	let (name, body) = FILES.iter().find(|(candidate, _)| *candidate == name)?;
	Some(Asset { body, content_type: content_type(name), immutable: name.starts_with("assets/") })
}

fn content_type(name: &str) -> &'static str {
	match name.rsplit('.').next().unwrap_or("") {
		"html" => "text/html; charset=utf-8",
		"js" | "mjs" => "text/javascript; charset=utf-8",
		"css" => "text/css; charset=utf-8",
		"wasm" => "application/wasm",
		"svg" => "image/svg+xml",
		"png" => "image/png",
		"ico" => "image/x-icon",
		"json" => "application/json",
		_ => "application/octet-stream",
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn views_get_the_page_and_unknown_files_nothing() {
		if !is_built() {
			assert_eq!(asset(""), None);
			return;
		}
		let page = asset("").expect("the page");
		assert_eq!(page.content_type, "text/html; charset=utf-8");
		assert!(!page.immutable);
		assert_eq!(asset("audit"), Some(page), "a view's path is the page");
		assert_eq!(asset("assets/missing.js"), None);
		let script = FILES.iter().find(|(name, _)| name.ends_with(".js")).expect("a script");
		let served = asset(script.0).expect("the script");
		assert_eq!(served.content_type, "text/javascript; charset=utf-8");
		assert!(served.immutable);
	}

	#[test]
	fn the_policy_allows_nothing_from_elsewhere() {
		for directive in CONTENT_SECURITY_POLICY.split(';') {
			assert!(!directive.contains("http"), "{directive}");
			assert!(!directive.contains("'unsafe-inline'"), "{directive}");
			assert!(!directive.contains("'unsafe-eval'"), "{directive}");
		}
		assert!(CONTENT_SECURITY_POLICY.starts_with("default-src 'none'"));
	}
}
