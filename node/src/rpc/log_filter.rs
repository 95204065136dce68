//! A log filter that traces the RPC server would write request bodies (record fields, tokens'
//! requests, patients' signatures) to the log: the node refuses to start with one while it
//! serves the medchain RPC.

/// The targets the RPC server logs request bodies under.
const BODY_TARGETS: [&str; 4] =
	["jsonrpsee", "jsonrpsee-server", "jsonrpsee_server", "jsonrpsee_core"];

/// Refuses `-l`/`--log` directives, or a `RUST_LOG`, that enable `trace` for jsonrpsee: a
/// directive whose target is a prefix of its targets (or none: every target), at level `trace`,
/// `5`, or no level (which means every level).
pub fn refuse_body_tracing(directives: &[String], rust_log: Option<&str>) -> Result<(), String> {
	let all = directives.iter().map(String::as_str).chain(rust_log);
	for directive in all.flat_map(|list| list.split(',')) {
		let directive = directive.trim();
		if directive.is_empty() {
			continue;
		}
		let (target, level) = match directive.rsplit_once('=') {
			Some((target, level)) => (target.trim(), Some(level.trim())),
			// A bare word is a level when it names one, else a target at every level.
			None if is_level(directive) => ("", Some(directive)),
			None => (directive, None),
		};
		let traces = level.is_none_or(|level| level.eq_ignore_ascii_case("trace") || level == "5");
		let covers_bodies = BODY_TARGETS.iter().any(|body| body.starts_with(target));
		if traces && covers_bodies {
			return Err(format!(
				"the log filter {directive:?} would write the medchain RPC's request bodies (record \
				 fields, signatures) to the log: use at most `debug` for jsonrpsee"
			));
		}
	}
	Ok(())
}

fn is_level(word: &str) -> bool {
	["off", "error", "warn", "info", "debug", "trace", "0", "1", "2", "3", "4", "5"]
		.iter()
		.any(|level| level.eq_ignore_ascii_case(word))
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
		assert!(refused(&["jsonrpsee"], None), "a bare target is every level");
		assert!(refused(&["jsonrpsee=5"], None));
		assert!(refused(&["json=trace"], None), "targets match by prefix");
		assert!(!refused(&["jsonrpsee=debug", "sync=trace", "medchain=trace"], Some("info")));
		assert!(!refused(&["jsonrpsee=4", "debug"], None));
		assert!(!refused(&[], None));
	}
}
