//! The node processes as `/proc` shows them: CPU time, resident and peak memory.

use std::{path::Path, process::Command};

use medchain_tests::{network::LocalNetwork, Result};

/// A node's resident memory now and at its peak (`VmRSS`, `VmHWM`), in bytes.
pub struct Memory {
	rss: u64,
	peak: u64,
}

/// Each node's process id, found by its `--base-path` on its command line.
pub fn node_pids(net: &LocalNetwork) -> Result<Vec<u32>> {
	net.nodes.iter().map(|node| pid_of(&node.base_path)).collect()
}

fn pid_of(base_path: &Path) -> Result<u32> {
	let wanted = base_path.display().to_string();
	let entries = std::fs::read_dir("/proc").map_err(|e| format!("/proc: {e}"))?;
	for entry in entries.flatten() {
		let Some(pid) = entry.file_name().to_str().and_then(|name| name.parse::<u32>().ok()) else {
			continue;
		};
		let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) else { continue };
		let args: Vec<&[u8]> = cmdline.split(|byte| *byte == 0).collect();
		let on_base_path = args.windows(2).any(
			|pair| matches!(pair, [flag, path] if *flag == b"--base-path" && *path == wanted.as_bytes()),
		);
		// `key insert` takes a base path too, but no RPC port.
		if on_base_path && args.iter().any(|arg| *arg == b"--rpc-port") {
			return Ok(pid);
		}
	}
	Err(format!("no node process with --base-path {wanted}"))
}

/// Clock ticks per second, the unit of `/proc/PID/stat`'s CPU times.
fn clock_ticks() -> f64 {
	Command::new("getconf")
		.arg("CLK_TCK")
		.output()
		.ok()
		.and_then(|output| String::from_utf8(output.stdout).ok())
		.and_then(|text| text.trim().parse().ok())
		.unwrap_or(100.0)
}

/// CPU seconds (user and system) each process has used so far.
pub fn cpu_seconds(pids: &[u32]) -> Result<Vec<f64>> {
	let ticks = clock_ticks();
	pids.iter().map(|&pid| cpu_ticks(pid).map(|used| used / ticks)).collect()
}

fn cpu_ticks(pid: u32) -> Result<f64> {
	let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
		.map_err(|e| format!("/proc/{pid}/stat: {e}"))?;
	// The command name is in parentheses and may hold spaces: count fields after it, where
	// field 3 of proc(5) (the state) comes first, so utime (14) and stime (15) are 11 and 12.
	let (_, after_name) = stat.rsplit_once(')').ok_or(format!("/proc/{pid}/stat: no name"))?;
	let fields: Vec<&str> = after_name.split_whitespace().collect();
	let field = |index: usize| {
		fields
			.get(index)
			.and_then(|value| value.parse::<f64>().ok())
			.ok_or(format!("/proc/{pid}/stat: no field {index}"))
	};
	Ok(field(11)? + field(12)?)
}

pub fn memory(pids: &[u32]) -> Result<Vec<Memory>> {
	pids.iter()
		.map(|&pid| {
			let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
				.map_err(|e| format!("/proc/{pid}/status: {e}"))?;
			let bytes = |name: &str| {
				status
					.lines()
					.find_map(|line| line.strip_prefix(name))
					.and_then(|value| {
						value.trim().trim_end_matches("kB").trim().parse::<u64>().ok()
					})
					.map(|kib| kib * 1024)
					.ok_or(format!("no {name} in /proc/{pid}/status"))
			};
			Ok(Memory { rss: bytes("VmRSS:")?, peak: bytes("VmHWM:")? })
		})
		.collect()
}

fn mib(bytes: u64) -> String {
	format!("{:.0} MiB", bytes as f64 / f64::from(1 << 20))
}

/// CPU over the window and memory at the end, per node and in all.
pub fn print(
	net: &LocalNetwork,
	before: &[f64],
	after: &[f64],
	memory: &[Memory],
	window_seconds: f64,
) {
	println!("\n## Nodes (CPU over the window; memory at the end)\n");
	println!("| node | CPU | of one core | RSS | peak RSS |");
	println!("|---|---|---|---|---|");
	let mut total = 0.0;
	for (((node, before), after), memory) in net.nodes.iter().zip(before).zip(after).zip(memory) {
		let used = after - before;
		total += used;
		println!(
			"| {} | {used:.1} s | {:.0}% | {} | {} |",
			node.spec.name,
			used / window_seconds * 100.0,
			mib(memory.rss),
			mib(memory.peak)
		);
	}
	let cores = std::thread::available_parallelism().map_or(1, usize::from);
	println!(
		"| all | {total:.1} s | {:.0}% of {cores} cores | | |",
		total / window_seconds / cores as f64 * 100.0
	);
}
