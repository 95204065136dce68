//! The main job as an operator runs it: `scripts/start-network.sh` starts Hospitals A to D and
//! reports finality; when Hospital C's node dies the script says so and the other three keep
//! finalizing; `scripts/restart-hospital.sh C` brings it back and it catches up; Ctrl-C (SIGINT)
//! stops every node, even when the script was started as a background job. The script uses the local network's fixed ports (9944…, 30333…).

use std::{
	io::{BufRead, BufReader, Read},
	os::unix::process::CommandExt,
	path::{Path, PathBuf},
	process::{Child, Command, Stdio},
	sync::{Arc, Mutex},
	time::Duration,
};

use medchain_runtime::local_network::LOCAL_HOSPITALS;
use medchain_tests::{client::Chain, node::node_binary, rpc::wait_until};

const START: Duration = Duration::from_secs(240);
const PROGRESS: Duration = Duration::from_secs(180);
const HOSPITAL_C: usize = 2;

fn script_path(name: &str) -> PathBuf {
	Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("scripts").join(name)
}

fn chain_of(hospital: usize) -> medchain_tests::Result<Chain> {
	Chain::connect(&format!("http://127.0.0.1:{}", LOCAL_HOSPITALS[hospital].rpc_port))
}

/// Everything a child process writes to stdout and stderr, as it comes.
#[derive(Clone, Default)]
struct Output(Arc<Mutex<String>>);

impl Output {
	fn collect(&self, stream: impl Read + Send + 'static) {
		let output = self.clone();
		std::thread::spawn(move || {
			for line in BufReader::new(stream).lines().map_while(Result::ok) {
				let mut text = output.0.lock().unwrap_or_else(|poison| poison.into_inner());
				text.push_str(&line);
				text.push('\n');
			}
		});
	}

	fn text(&self) -> String {
		self.0.lock().unwrap_or_else(|poison| poison.into_inner()).clone()
	}

	async fn wait_for(&self, what: &str, timeout: Duration) -> medchain_tests::Result<()> {
		wait_until(&format!("the script to print {what:?}"), timeout, || async move {
			Ok(self.text().contains(what).then_some(()))
		})
		.await
		.map_err(|error| format!("{error}\n---- script output ----\n{}", self.text()))
	}
}

/// The script process; killed (with its nodes, by the pid files) if the test fails midway.
struct Network {
	script: Child,
	data: tempfile::TempDir,
}

impl Network {
	fn pid_file(&self, hospital: usize) -> PathBuf {
		self.data.path().join(format!("{}.pid", LOCAL_HOSPITALS[hospital].slug))
	}
}

impl Drop for Network {
	fn drop(&mut self) {
		let _ = self.script.kill();
		for hospital in 0..LOCAL_HOSPITALS.len() {
			if let Ok(pid) = std::fs::read_to_string(self.pid_file(hospital)) {
				let _ = Command::new("kill").arg("-9").arg(pid.trim()).status();
			}
		}
	}
}

async fn finalized(hospital: usize) -> medchain_tests::Result<u32> {
	chain_of(hospital)?.finalized_number().await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_main_job_carries_on_without_a_lost_hospital() -> medchain_tests::Result<()> {
	for hospital in &LOCAL_HOSPITALS {
		let taken = std::net::TcpListener::bind(("127.0.0.1", hospital.rpc_port));
		assert!(
			taken.is_ok(),
			"port {} is taken: is a local network already running on this machine?",
			hospital.rpc_port
		);
	}
	let data = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
	let node = node_binary()?;
	// Started with SIGINT ignored, as a background job (`nohup … &`) starts it: Ctrl-C must
	// stop it all the same.
	let mut script = Command::new("env")
		.args(["--ignore-signal=INT", "bash"])
		.arg(script_path("start-network.sh"))
		.env("MEDCHAIN_DATA", data.path())
		.env("MEDCHAIN_NODE", &node)
		.env("MEDCHAIN_SKIP_BUILD", "1")
		.stdout(Stdio::piped())
		.stderr(Stdio::piped())
		// Its own process group, as in a terminal, so that Ctrl-C reaches the script and
		// whatever it runs in the foreground (the nodes, started in the background, ignore it).
		.process_group(0)
		.spawn()
		.map_err(|e| format!("starting start-network.sh: {e}"))?;
	let output = Output::default();
	output.collect(script.stdout.take().ok_or("no stdout")?);
	output.collect(script.stderr.take().ok_or("no stderr")?);
	let network = Network { script, data };
	output.wait_for("the network is finalizing", START).await?;

	// Hospital C's node dies without a clean shutdown.
	let pid = std::fs::read_to_string(network.pid_file(HOSPITAL_C))
		.map_err(|e| format!("Hospital C's pid file: {e}"))?;
	let killed = Command::new("kill").arg("-9").arg(pid.trim()).status();
	assert!(killed.is_ok_and(|status| status.success()), "kill -9 {pid}");
	output.wait_for("Hospital C's node stopped", PROGRESS).await?;

	// The other three carry on finalizing.
	let at_kill = finalized(0).await?;
	wait_until("A, B and D to finalize 3 more blocks", PROGRESS, || async move {
		for hospital in [0, 1, 3] {
			if finalized(hospital).await? < at_kill + 3 {
				return Ok(None);
			}
		}
		Ok(Some(()))
	})
	.await
	.map_err(|error| format!("{error}\n---- script output ----\n{}", output.text()))?;

	// The documented restart brings it back, and it catches up with the others.
	let restart = Command::new("bash")
		.arg(script_path("restart-hospital.sh"))
		.arg("C")
		.env("MEDCHAIN_DATA", network.data.path())
		.env("MEDCHAIN_NODE", &node)
		.output()
		.map_err(|e| format!("restart-hospital.sh: {e}"))?;
	assert!(
		restart.status.success(),
		"restart-hospital.sh C failed: {}{}",
		String::from_utf8_lossy(&restart.stdout),
		String::from_utf8_lossy(&restart.stderr)
	);
	let target = finalized(0).await?;
	wait_until("Hospital C to catch up", PROGRESS, || async move {
		Ok(finalized(HOSPITAL_C).await.ok().filter(|&height| height >= target))
	})
	.await?;
	output.wait_for("Hospital C is running again", PROGRESS).await?;

	// Ctrl-C (SIGINT to the script's process group) stops every node and removes the pid files.
	let mut network = network;
	let group = format!("-{}", network.script.id());
	let interrupted = Command::new("kill").args(["-INT", "--", &group]).status();
	assert!(interrupted.is_ok_and(|status| status.success()));
	let exit = wait_until("the script to exit after SIGINT", PROGRESS, || {
		let status = network.script.try_wait().map_err(|e| e.to_string());
		async move { status }
	})
	.await?;
	println!("start-network.sh exited with {exit} after SIGINT");
	for (index, hospital) in LOCAL_HOSPITALS.iter().enumerate() {
		assert!(!network.pid_file(index).exists(), "hospital {index} still has a pid file");
		assert!(!chain_of(index)?.rpc.is_up().await, "{} still answers", hospital.name);
	}
	Ok(())
}
