//! Custodian flags the node refuses at start, before it opens anything: a medchain RPC on a
//! non-loopback address without TLS, half a TLS configuration, a log filter that would write
//! the RPC's request bodies to the log, and an outbox limit below one submission.

use std::process::Command;

use medchain_tests::{node::node_binary, Result};

/// Runs the node with `args` (as a custodian of the dev chain, in a temporary base path; killed
/// after 60 s if it does start) and returns everything it printed.
fn refused(args: &[&str], env: &[(&str, &str)]) -> Result<String> {
	let base = tempfile::tempdir().map_err(|e| e.to_string())?;
	let tokens = base.path().join("tokens");
	std::fs::write(&tokens, "").map_err(|e| e.to_string())?;
	let output = Command::new("timeout")
		.arg("60")
		.arg(node_binary()?)
		.args(["--dev", "--base-path"])
		.arg(base.path())
		.arg("--medchain-rpc-tokens")
		.arg(&tokens)
		.args(args)
		.env_remove("RUST_LOG")
		.envs(env.iter().copied())
		.output()
		.map_err(|e| e.to_string())?;
	assert!(!output.status.success(), "the node started with {args:?}");
	let text = format!(
		"{}{}",
		String::from_utf8_lossy(&output.stdout),
		String::from_utf8_lossy(&output.stderr)
	);
	Ok(text)
}

#[test]
fn a_plaintext_listener_off_loopback_is_refused_with_how_to_fix_it() -> Result<()> {
	let text = refused(&["--medchain-rpc-addr", "0.0.0.0:19955"], &[])?;
	assert!(text.contains("--medchain-rpc-tls-cert"), "{text}");
	assert!(text.contains("0.0.0.0:19955"), "{text}");
	let half = refused(&["--medchain-rpc-tls-cert", "/nonexistent.pem"], &[])?;
	assert!(half.contains("--medchain-rpc-tls-key"), "{half}");
	Ok(())
}

#[test]
fn a_log_filter_that_traces_request_bodies_is_refused() -> Result<()> {
	let text = refused(&["-l", "jsonrpsee=trace"], &[])?;
	assert!(text.contains("request bodies"), "{text}");
	let from_env = refused(&[], &[("RUST_LOG", "info,jsonrpsee_server=trace")])?;
	assert!(from_env.contains("request bodies"), "{from_env}");
	Ok(())
}

#[test]
fn an_outbox_limit_below_one_submission_is_refused() -> Result<()> {
	let text = refused(&["--medchain-outbox-limit", "499"], &[])?;
	assert!(text.contains("--medchain-outbox-limit"), "{text}");
	assert!(text.contains("500"), "{text}");
	Ok(())
}
