//! A log filter that traces the RPC server would write request bodies (record fields, tokens'
//! requests, patients' signatures) to the log: the node refuses to start with one while it
//! serves the medchain RPC.

/// Refuses `-l`/`--log` directives, or a `RUST_LOG`, that enable `trace` for jsonrpsee (or for
/// every target).
pub fn refuse_body_tracing(directives: &[String], rust_log: Option<&str>) -> Result<(), String> {
	let all = directives.iter().map(String::as_str).chain(rust_log);
	for directive in all.flat_map(|list| list.split(',')) {
		let directive = directive.trim();
		let (target, level) = directive.rsplit_once('=').unwrap_or(("", directive));
		let traces = level.trim().eq_ignore_ascii_case("trace");
		let target = target.trim();
		if traces && (target.is_empty() || target.starts_with("jsonrpsee")) {
			return Err(format!(
				"the log filter {directive:?} would write the medchain RPC's request bodies (record \
				 fields, signatures) to the log: use at most `debug` for jsonrpsee"
			));
		}
	}
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn tracing_jsonrpsee_or_everything_is_refused() {
		let refused = |directives: &[&str], env: Option<&str>| {
			let directives: Vec<String> = directives.iter().map(|d| d.to_string()).collect();
			refuse_body_tracing(&directives, env).is_err()
		};
		assert!(refused(&["jsonrpsee=trace"], None));
		assert!(refused(&["sync=debug,jsonrpsee-server=TRACE"], None));
		assert!(refused(&["trace"], None));
		assert!(refused(&[], Some("info,jsonrpsee_core=trace")));
		assert!(!refused(&["jsonrpsee=debug", "sync=trace", "medchain=trace"], Some("info")));
		assert!(!refused(&[], None));
	}
}
