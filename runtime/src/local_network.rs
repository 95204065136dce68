//! The local four-hospital network (`--chain local`), defined once. The `local_testnet` genesis
//! preset, `medchain-node local-network` (which `scripts/start-network.sh` reads) and the
//! multi-node test harness all take it from here.

use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// One hospital of the local network.
pub struct LocalHospital {
	/// Its name in the registry and on its node.
	pub name: &'static str,
	/// The name of its data directory and log (`hospital-a`).
	pub slug: &'static str,
	/// Its dev admin account; the same sr25519 key is its Aura key, which the node's dev flag
	/// (`--alice`) inserts.
	pub admin: Sr25519Keyring,
	/// Its dev operator account.
	pub operator: Sr25519Keyring,
	/// Its GRANDPA key.
	pub grandpa: Ed25519Keyring,
	/// Its node's fixed ed25519 node key is this byte repeated 32 times.
	pub node_key_byte: u8,
	/// The peer id of that node key (a runtime test checks that they match).
	pub peer_id: &'static str,
	/// The p2p port it listens on, on 127.0.0.1.
	pub p2p_port: u16,
	/// Its JSON-RPC port (HTTP and WebSocket).
	pub rpc_port: u16,
	/// Its Prometheus port.
	pub prometheus_port: u16,
	/// Its medchain RPC port (the custodian's authenticated listener).
	pub app_rpc_port: u16,
}

impl LocalHospital {
	/// The node key, as `--node-key` takes it (64 hex digits).
	pub fn node_key_hex(&self) -> alloc::string::String {
		alloc::format!("{:02x}", self.node_key_byte).repeat(32)
	}

	/// The secret URI of its dev operator key (`//Alice//stash`), for the node's keystore.
	pub fn operator_suri(&self) -> alloc::string::String {
		let name = alloc::format!("{}", self.operator);
		match name.strip_suffix("Stash") {
			Some(base) => alloc::format!("//{base}//stash"),
			None => alloc::format!("//{name}"),
		}
	}

	/// The multiaddr other nodes dial.
	pub fn address(&self) -> alloc::string::String {
		alloc::format!("/ip4/127.0.0.1/tcp/{}", self.p2p_port)
	}
}

/// Hospitals A to D, in id order.
pub const LOCAL_HOSPITALS: [LocalHospital; 4] = [
	LocalHospital {
		name: "Hospital A",
		slug: "hospital-a",
		admin: Sr25519Keyring::Alice,
		operator: Sr25519Keyring::AliceStash,
		grandpa: Ed25519Keyring::Alice,
		node_key_byte: 1,
		peer_id: "12D3KooWK99VoVxNE7XzyBwXEzW7xhK7Gpv85r9F3V3fyKSUKPH5",
		p2p_port: 30333,
		rpc_port: 9944,
		prometheus_port: 9615,
		app_rpc_port: 9955,
	},
	LocalHospital {
		name: "Hospital B",
		slug: "hospital-b",
		admin: Sr25519Keyring::Bob,
		operator: Sr25519Keyring::BobStash,
		grandpa: Ed25519Keyring::Bob,
		node_key_byte: 2,
		peer_id: "12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq",
		p2p_port: 30334,
		rpc_port: 9945,
		prometheus_port: 9616,
		app_rpc_port: 9956,
	},
	LocalHospital {
		name: "Hospital C",
		slug: "hospital-c",
		admin: Sr25519Keyring::Charlie,
		operator: Sr25519Keyring::CharlieStash,
		grandpa: Ed25519Keyring::Charlie,
		node_key_byte: 3,
		peer_id: "12D3KooWRndVhVZPCiQwHBBBdg769GyrPUW13zxwqQyf9r3ANaba",
		p2p_port: 30335,
		rpc_port: 9946,
		prometheus_port: 9617,
		app_rpc_port: 9957,
	},
	LocalHospital {
		name: "Hospital D",
		slug: "hospital-d",
		admin: Sr25519Keyring::Dave,
		operator: Sr25519Keyring::DaveStash,
		grandpa: Ed25519Keyring::Dave,
		node_key_byte: 4,
		peer_id: "12D3KooWPT98FXMfDQYavZm66EeVjTqP9Nnehn1gyaydqV8L8BQw",
		p2p_port: 30336,
		rpc_port: 9947,
		prometheus_port: 9618,
		app_rpc_port: 9958,
	},
];
