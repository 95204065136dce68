//! One `medchain-node` process on 127.0.0.1 (or in a network namespace, its ports forwarded
//! here), with its own base path, ports and log file.

use std::{
	fs::OpenOptions,
	io::Write,
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
};

use crate::{client::Chain, ports::free_port, rpc::Rpc};

/// The node binary: `$MEDCHAIN_NODE`, or `medchain-node` in the cargo target directory and
/// profile of the running executable (a test in `deps/`, or a tool beside the node).
pub fn node_binary() -> crate::Result<PathBuf> {
	if let Some(path) = std::env::var_os("MEDCHAIN_NODE") {
		return Ok(PathBuf::from(path));
	}
	let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
	let exe_dir =
		exe.parent().ok_or_else(|| format!("unexpected executable path {}", exe.display()))?;
	let candidates = [Some(exe_dir), exe_dir.parent()];
	let found = candidates
		.into_iter()
		.flatten()
		.map(|dir| dir.join("medchain-node"))
		.find(|binary| binary.is_file());
	found.ok_or_else(|| {
		format!(
			"medchain-node not found next to {}: build it first (`cargo build --release \
			 --workspace`) or set MEDCHAIN_NODE",
			exe.display()
		)
	})
}

/// What one `medchain` command did: whether it succeeded, its standard output and error.
#[derive(Debug)]
pub struct CliRun {
	/// Exit status 0.
	pub success: bool,
	/// Standard output.
	pub stdout: String,
	/// Standard error.
	pub stderr: String,
}

impl CliRun {
	/// The JSON the command printed (`--json`), or why it failed.
	pub fn json(&self) -> crate::Result<serde_json::Value> {
		if !self.success {
			return Err(format!("medchain failed: {}", self.stderr));
		}
		serde_json::from_str(&self.stdout)
			.map_err(|e| format!("medchain printed no JSON ({e}): {}", self.stdout))
	}
}

/// Runs the `medchain` command line (built beside the node) with `args`, with only the
/// environment variables `env` of its own (MEDCHAIN_TOKEN, MEDCHAIN_SURI, …).
pub fn run_cli(args: &[&str], env: &[(&str, &str)]) -> crate::Result<CliRun> {
	let tool = node_binary()?.with_file_name("medchain");
	let mut command = Command::new(&tool);
	command.args(args);
	for name in ["MEDCHAIN_TOKEN", "MEDCHAIN_SURI", "MEDCHAIN_SHARE_TOKEN"] {
		command.env_remove(name);
	}
	command.envs(env.iter().copied());
	let output =
		command.output().map_err(|e| format!("spawning {} {args:?}: {e}", tool.display()))?;
	Ok(CliRun {
		success: output.status.success(),
		stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
		stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
	})
}

/// Runs the node binary with `args`, feeding `stdin`, and returns its trimmed stdout.
pub fn run_node_command(args: &[&str], stdin: &str) -> crate::Result<String> {
	let mut child = Command::new(node_binary()?)
		.args(args)
		.stdin(Stdio::piped())
		.stdout(Stdio::piped())
		.stderr(Stdio::piped())
		.spawn()
		.map_err(|e| format!("spawning medchain-node {args:?}: {e}"))?;
	if let Some(mut input) = child.stdin.take() {
		input.write_all(stdin.as_bytes()).map_err(|e| format!("writing stdin: {e}"))?;
	}
	let output = child.wait_with_output().map_err(|e| format!("medchain-node {args:?}: {e}"))?;
	if !output.status.success() {
		return Err(format!(
			"medchain-node {args:?} exited with {}: {}",
			output.status,
			String::from_utf8_lossy(&output.stderr)
		));
	}
	String::from_utf8(output.stdout)
		.map(|s| s.trim().to_string())
		.map_err(|e| format!("medchain-node {args:?} printed non-UTF-8: {e}"))
}

/// The libp2p peer id of an ed25519 node key given as hex.
pub fn peer_id_of(node_key_hex: &str) -> crate::Result<String> {
	run_node_command(&["key", "inspect-node-key"], node_key_hex)
}

/// What a node is started with; ports are chosen by [`Node::start`].
#[derive(Clone, Debug)]
pub struct NodeSpec {
	/// Node name, shown in telemetry and logs.
	pub name: String,
	/// `--chain`: a built-in chain name or a chain spec path.
	pub chain: String,
	/// Dev keyring (`alice`, `bob`, …) whose session keys the node validates with.
	pub validator_keyring: Option<String>,
	/// Hex ed25519 secret for the libp2p identity, so peer ids are known in advance.
	pub node_key_hex: String,
	/// Full multiaddrs (`/ip4/…/tcp/…/p2p/…`) to dial at start.
	pub bootnodes: Vec<String>,
	/// Runs as a validator with keys generated later (`author_rotateKeysWithOwner`), when no
	/// dev keyring is given.
	pub validator: bool,
	/// Runs in this side's network namespace, listening for peers on its address; `None`: in
	/// this process's, on 127.0.0.1.
	pub side: Option<crate::netns::Side>,
	/// A command and its arguments that the node runs under, e.g. `env LD_PRELOAD=… FAKETIME=…`;
	/// empty: none. It must exec the node (as `env` does), so that signals reach the node.
	pub launcher: Vec<String>,
	/// Flags added to this node's command line, e.g. `--db-storage-threshold 128`.
	pub extra_args: Vec<String>,
}

/// A running (or killed) node. Dropping it kills the process.
pub struct Node {
	pub spec: NodeSpec,
	pub base_path: PathBuf,
	pub log_path: PathBuf,
	pub rpc_port: u16,
	pub p2p_port: u16,
	pub prometheus_port: u16,
	pub(crate) custodian: Option<crate::custodian::Custodian>,
	child: Option<Child>,
	/// The stop flags of the port forwarders of a node in a namespace, by port.
	forwarders: std::collections::BTreeMap<u16, std::sync::Arc<std::sync::atomic::AtomicBool>>,
}

impl Node {
	/// Prepares a node whose base path and log live under `data_dir`, choosing its ports.
	/// It does not run until [`Node::start`].
	pub fn new(spec: NodeSpec, data_dir: &Path) -> crate::Result<Self> {
		let dir_name = spec.name.to_lowercase().replace(' ', "-");
		Ok(Node {
			base_path: data_dir.join(&dir_name),
			log_path: data_dir.join(format!("{dir_name}.log")),
			rpc_port: free_port()?,
			p2p_port: free_port()?,
			prometheus_port: free_port()?,
			spec,
			custodian: None,
			child: None,
			forwarders: Default::default(),
		})
	}

	fn args(&self) -> Vec<String> {
		let mut args = vec![
			"--chain".into(),
			self.spec.chain.clone(),
			"--name".into(),
			self.spec.name.clone(),
			"--base-path".into(),
			self.base_path.display().to_string(),
			"--node-key".into(),
			self.spec.node_key_hex.clone(),
			"--listen-addr".into(),
			format!("/ip4/{}/tcp/{}", self.p2p_ip(), self.p2p_port),
			"--rpc-port".into(),
			self.rpc_port.to_string(),
			"--prometheus-port".into(),
			self.prometheus_port.to_string(),
			// Nodes of other test runs on this machine must never be discovered.
			"--no-mdns".into(),
			"--no-telemetry".into(),
		];
		if let Some(keyring) = &self.spec.validator_keyring {
			args.push(format!("--{keyring}"));
		} else if self.spec.validator {
			args.push("--validator".into());
		}
		for bootnode in &self.spec.bootnodes {
			args.push("--bootnodes".into());
			args.push(bootnode.clone());
		}
		args.extend(self.custodian_args());
		args.extend(self.spec.extra_args.iter().cloned());
		// Flags for every node of a run, e.g. `--trie-cache-size 67108864` to see what a cache
		// costs in a benchmark.
		if let Ok(extra) = std::env::var("MEDCHAIN_NODE_ARGS") {
			args.extend(extra.split_whitespace().map(String::from));
		}
		args
	}

	/// Starts the process; its output is appended to [`Node::log_path`].
	pub fn start(&mut self) -> crate::Result<()> {
		let log = OpenOptions::new()
			.create(true)
			.append(true)
			.open(&self.log_path)
			.map_err(|e| format!("opening {}: {e}", self.log_path.display()))?;
		let log_for_stderr = log.try_clone().map_err(|e| format!("cloning log handle: {e}"))?;
		let mut program = Vec::new();
		if let Some(side) = self.spec.side.clone() {
			self.forward_ports(&side.namespace)?;
			program.extend(["ip", "netns", "exec", &side.namespace].map(String::from));
		}
		program.extend(self.spec.launcher.iter().cloned());
		let mut command = match program.split_first() {
			Some((first, rest)) => {
				let mut command = Command::new(first);
				command.args(rest).arg(node_binary()?);
				command
			}
			None => Command::new(node_binary()?),
		};
		let child = command
			.args(self.args())
			.stdin(Stdio::null())
			.stdout(Stdio::from(log))
			.stderr(Stdio::from(log_for_stderr))
			.spawn()
			.map_err(|e| format!("spawning {}: {e}", self.spec.name))?;
		self.child = Some(child);
		Ok(())
	}

	/// Brings the node's RPC, medchain RPC and Prometheus ports from `namespace` to this
	/// process's 127.0.0.1, each port once.
	fn forward_ports(&mut self, namespace: &str) -> crate::Result<()> {
		let custodian_port = self.custodian.as_ref().map(|custodian| custodian.port);
		for port in
			[Some(self.rpc_port), Some(self.prometheus_port), custodian_port].into_iter().flatten()
		{
			if let std::collections::btree_map::Entry::Vacant(entry) = self.forwarders.entry(port) {
				entry.insert(crate::netns::forward(namespace, port)?);
			}
		}
		Ok(())
	}

	/// The address the node listens on for peers.
	fn p2p_ip(&self) -> &str {
		self.spec.side.as_ref().map_or("127.0.0.1", |side| side.ip.as_str())
	}

	/// Kills the process with SIGKILL (no clean shutdown) and reaps it.
	pub fn kill(&mut self) -> crate::Result<()> {
		if let Some(mut child) = self.child.take() {
			child.kill().map_err(|e| format!("killing {}: {e}", self.spec.name))?;
			child.wait().map_err(|e| format!("reaping {}: {e}", self.spec.name))?;
		}
		Ok(())
	}

	/// Asks the process to shut down cleanly (SIGTERM) and returns at once; see
	/// [`Node::is_running`].
	pub fn terminate(&self) -> crate::Result<()> {
		self.signal("-TERM")
	}

	/// Waits up to `timeout` for the process to exit on its own (after [`Node::terminate`]);
	/// its exit status.
	pub async fn wait_exit(
		&mut self,
		timeout: std::time::Duration,
	) -> crate::Result<std::process::ExitStatus> {
		let deadline = std::time::Instant::now() + timeout;
		loop {
			let child =
				self.child.as_mut().ok_or_else(|| format!("{} is not running", self.spec.name))?;
			if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
				self.child = None;
				return Ok(status);
			}
			if std::time::Instant::now() > deadline {
				return Err(format!(
					"{} still runs {timeout:?} after it was asked to stop",
					self.spec.name
				));
			}
			tokio::time::sleep(std::time::Duration::from_millis(100)).await;
		}
	}

	/// Freezes the process (SIGSTOP): it keeps its sockets but answers nothing, as a hung node.
	pub fn pause(&self) -> crate::Result<()> {
		self.signal("-STOP")
	}

	/// Lets a paused process run again (SIGCONT).
	pub fn resume(&self) -> crate::Result<()> {
		self.signal("-CONT")
	}

	fn signal(&self, signal: &str) -> crate::Result<()> {
		let child =
			self.child.as_ref().ok_or_else(|| format!("{} is not running", self.spec.name))?;
		let status = Command::new("kill")
			.args([signal, &child.id().to_string()])
			.status()
			.map_err(|e| format!("kill {signal} {}: {e}", self.spec.name))?;
		status
			.success()
			.then_some(())
			.ok_or_else(|| format!("kill {signal} {}: {status}", self.spec.name))
	}

	/// Starts the process again on the same base path, ports and keys.
	pub fn restart(&mut self) -> crate::Result<()> {
		self.kill()?;
		self.start()
	}

	/// Whether the process is still alive (it has not exited on its own).
	pub fn is_running(&mut self) -> bool {
		matches!(self.child.as_mut().map(|c| c.try_wait()), Some(Ok(None)))
	}

	/// The node's JSON-RPC endpoint.
	pub fn rpc(&self) -> crate::Result<Rpc> {
		Rpc::new(&self.rpc_url())
	}

	/// The peak resident memory of the node process so far (`VmHWM`), in bytes.
	pub fn peak_rss(&self) -> crate::Result<u64> {
		self.memory("VmHWM")
	}

	/// The memory figure `field` of the node process (`VmRSS`, `VmHWM`, … of
	/// `/proc/<pid>/status`), in bytes.
	pub fn memory(&self, field: &str) -> crate::Result<u64> {
		let pid = self.child.as_ref().map(Child::id).ok_or("the node is not running")?;
		let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
			.map_err(|e| format!("/proc/{pid}/status: {e}"))?;
		let kib = status
			.lines()
			.find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
			.and_then(|value| value.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
			.ok_or(format!("no {field} in /proc/<pid>/status"))?;
		Ok(kib.saturating_mul(1024))
	}

	/// The URL of the node's JSON-RPC endpoint.
	pub fn rpc_url(&self) -> String {
		format!("http://127.0.0.1:{}", self.rpc_port)
	}

	/// The chain as this node sees it.
	pub fn chain(&self) -> crate::Result<Chain> {
		Ok(Chain::new(self.rpc()?))
	}

	/// The address other nodes dial to reach this one.
	pub fn multiaddr(&self, peer_id: &str) -> String {
		format!("/ip4/{}/tcp/{}/p2p/{peer_id}", self.p2p_ip(), self.p2p_port)
	}

	/// How long the node's log is now, in bytes: [`Node::log_since`] reads what follows.
	pub fn log_len(&self) -> u64 {
		std::fs::metadata(&self.log_path).map(|metadata| metadata.len()).unwrap_or(0)
	}

	/// What the node logged after the log was `offset` bytes long.
	pub fn log_since(&self, offset: u64) -> String {
		let text = std::fs::read(&self.log_path).unwrap_or_default();
		let start = usize::try_from(offset).unwrap_or(usize::MAX).min(text.len());
		String::from_utf8_lossy(&text[start..]).into_owned()
	}

	/// The last `lines` lines of the node's log.
	pub fn log_tail(&self, lines: usize) -> String {
		let text = std::fs::read_to_string(&self.log_path).unwrap_or_default();
		let all: Vec<&str> = text.lines().collect();
		all[all.len().saturating_sub(lines)..].join("\n")
	}
}

impl Drop for Node {
	fn drop(&mut self) {
		if std::thread::panicking() {
			eprintln!(
				"---- last log lines of {} ({}) ----\n{}",
				self.spec.name,
				self.log_path.display(),
				self.log_tail(40)
			);
		}
		let _ = self.kill();
		for forwarder in self.forwarders.values() {
			forwarder.store(true, std::sync::atomic::Ordering::Relaxed);
		}
	}
}
