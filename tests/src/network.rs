//! The local four-hospital network (`--chain local`): Hospitals A to D validating with the
//! dev keys of Alice, Bob, Charlie and Dave, every node dialing all the others.

use std::time::Duration;

use medchain_runtime::local_network::LOCAL_HOSPITALS;
use sp_core::H256;
use tempfile::TempDir;

use crate::{
	node::{peer_id_of, Node, NodeSpec},
	rpc::wait_until,
};

/// The nodes of Hospitals A to D, by their index in [`LocalNetwork::nodes`].
pub const A: usize = 0;
/// Hospital B's node.
pub const B: usize = 1;
/// Hospital C's node.
pub const C: usize = 2;
/// Hospital D's node.
pub const D: usize = 3;
/// Every node of the local network.
pub const ALL: [usize; 4] = [A, B, C, D];

/// The ids the chain gives Hospitals A to D.
pub const HOSPITAL_A: u32 = 0;
/// Hospital B's id.
pub const HOSPITAL_B: u32 = 1;
/// Hospital C's id.
pub const HOSPITAL_C: u32 = 2;
/// Hospital D's id.
pub const HOSPITAL_D: u32 = 3;

/// How long a new network may take to finalize its first blocks.
pub const FIRST_FINALITY: Duration = Duration::from_secs(180);

/// The fixed node key of the hospital at `index` (0 for A): the byte `index + 1` repeated
/// 32 times, as `medchain_runtime::local_network` gives Hospitals A to D; nodes added by a
/// test (index 4 on) follow the same rule.
pub fn node_key(index: usize) -> [u8; 32] {
	[u8::try_from(index + 1).expect("fewer than 255 test nodes"); 32]
}

/// [`node_key`] in hex, as `--node-key` takes it.
pub fn node_key_hex(index: usize) -> String {
	let hex = sp_core::bytes::to_hex(&node_key(index), false);
	hex.strip_prefix("0x").unwrap_or(&hex).to_string()
}

/// Four validator processes and the temporary directory holding their data and logs.
pub struct LocalNetwork {
	pub nodes: Vec<Node>,
	data_dir: TempDir,
}

impl LocalNetwork {
	/// Starts Hospitals A to D on free loopback ports.
	pub fn start() -> crate::Result<Self> {
		Self::start_with(false, "local")
	}

	/// Starts Hospitals A to D, each its hospital's record custodian with its operator key
	/// (see [`Node::enable_custodian`]).
	pub fn start_custodians() -> crate::Result<Self> {
		Self::start_with(true, "local")
	}

	/// [`LocalNetwork::start_custodians`] on the built-in chain `chain` (e.g. `e2e`, the local
	/// consortium with the shortest durations).
	pub fn start_custodians_on(chain: &str) -> crate::Result<Self> {
		Self::start_with(true, chain)
	}

	/// [`LocalNetwork::start_custodians`] with the hospitals of `left` in `split`'s left
	/// namespace and the others in its right one, so that cutting its link partitions them.
	pub fn start_custodians_split(
		split: &crate::netns::Split,
		left: &[usize],
	) -> crate::Result<Self> {
		let sides = (0..LOCAL_HOSPITALS.len())
			.map(|index| {
				Some(if left.contains(&index) { &split.left } else { &split.right }.clone())
			})
			.collect();
		Self::start_on_sides(true, "local", sides)
	}

	fn start_with(custodians: bool, chain: &str) -> crate::Result<Self> {
		Self::start_on_sides(custodians, chain, vec![None; LOCAL_HOSPITALS.len()])
	}

	fn start_on_sides(
		custodians: bool,
		chain: &str,
		sides: Vec<Option<crate::netns::Side>>,
	) -> crate::Result<Self> {
		let data_dir = tempfile::Builder::new()
			.prefix("medchain-net-")
			.tempdir()
			.map_err(|e| format!("creating a data directory: {e}"))?;
		let mut nodes = Vec::new();
		let mut addresses = Vec::new();
		for (hospital, side) in LOCAL_HOSPITALS.iter().zip(sides) {
			let node_key_hex = hospital.node_key_hex();
			let spec = NodeSpec {
				name: hospital.name.to_string(),
				chain: chain.into(),
				validator_keyring: Some(hospital.admin.to_string().to_lowercase()),
				node_key_hex,
				bootnodes: Vec::new(),
				validator: true,
				side,
				launcher: Vec::new(),
				extra_args: Vec::new(),
			};
			let mut node = Node::new(spec, data_dir.path())?;
			if custodians {
				node.enable_custodian(&hospital.operator_suri())?;
			}
			addresses.push(node.multiaddr(hospital.peer_id));
			nodes.push(node);
		}
		for (index, node) in nodes.iter_mut().enumerate() {
			node.spec.bootnodes = addresses
				.iter()
				.enumerate()
				.filter(|(i, _)| *i != index)
				.map(|(_, a)| a.clone())
				.collect();
			node.start()?;
		}
		Ok(Self { nodes, data_dir })
	}

	/// Starts one more node, `name`, with fixed node key number `index` (see [`node_key_hex`]),
	/// dialing every node already running; with `validator`, it waits for session keys.
	/// Returns its index in [`LocalNetwork::nodes`] and its peer id.
	pub fn add_node(
		&mut self,
		name: &str,
		index: usize,
		validator: bool,
	) -> crate::Result<(usize, String)> {
		let node_key_hex = node_key_hex(index);
		let peer_id = peer_id_of(&node_key_hex)?;
		let mut bootnodes = Vec::new();
		for node in &self.nodes {
			bootnodes.push(node.multiaddr(&peer_id_of(&node.spec.node_key_hex)?));
		}
		let spec = NodeSpec {
			name: name.to_string(),
			chain: "local".into(),
			validator_keyring: None,
			node_key_hex,
			bootnodes,
			validator,
			side: None,
			launcher: Vec::new(),
			extra_args: Vec::new(),
		};
		let mut node = Node::new(spec, self.data_dir.path())?;
		node.start()?;
		self.nodes.push(node);
		Ok((self.nodes.len() - 1, peer_id))
	}

	pub fn data_dir(&self) -> &std::path::Path {
		self.data_dir.path()
	}

	/// Waits until every node in `which` has finalized block `number`; returns their
	/// finalized heights.
	pub async fn wait_finalized(
		&self,
		which: &[usize],
		number: u32,
		timeout: Duration,
	) -> crate::Result<Vec<u32>> {
		let chains =
			which.iter().map(|&i| self.nodes[i].chain()).collect::<crate::Result<Vec<_>>>()?;
		wait_until(&format!("nodes {which:?} to finalize #{number}"), timeout, || {
			let chains = chains.clone();
			async move {
				let mut heights = Vec::new();
				for chain in &chains {
					heights.push(chain.finalized_number().await?);
				}
				Ok(heights.iter().all(|&h| h >= number).then_some(heights))
			}
		})
		.await
		.map_err(|e| self.with_log_tails(e))
	}

	/// `error` followed by the last log lines of every node, to show why a wait failed.
	pub fn with_log_tails(&self, error: String) -> String {
		self.nodes.iter().fold(error, |text, node| {
			format!("{text}\n---- last log lines of {} ----\n{}", node.spec.name, node.log_tail(25))
		})
	}

	/// Fails unless every node holds the same blocks up to the lowest finalized height of them
	/// all; that height.
	pub async fn one_finalized_chain(&self) -> crate::Result<u32> {
		let mut up_to = u32::MAX;
		for node in &self.nodes {
			up_to = up_to.min(node.chain()?.finalized_number().await?);
		}
		let reference = self.block_hashes(0, up_to).await?;
		for index in 1..self.nodes.len() {
			if self.block_hashes(index, up_to).await? != reference {
				return Err(format!("node {index} holds other blocks up to #{up_to} than node 0"));
			}
		}
		Ok(up_to)
	}

	/// Block hashes `1..=up_to` as node `index` sees them.
	pub async fn block_hashes(&self, index: usize, up_to: u32) -> crate::Result<Vec<H256>> {
		self.nodes[index].chain()?.block_hashes(up_to).await
	}
}
