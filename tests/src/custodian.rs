//! A node as its hospital's record custodian, and clients of its medchain RPC.

use std::path::Path;

use jsonrpsee::{
	core::ClientError,
	http_client::{HeaderMap, HeaderValue, HttpClient, HttpClientBuilder},
};
use medchain_app_api::{auth::Role, types::SubmitRecord, ErrorCode};

use crate::node::{run_node_command, Node};

/// What a custodian node was given: its medchain RPC port and a token per role.
#[derive(Clone, Debug)]
pub struct Custodian {
	/// The medchain RPC's port on 127.0.0.1.
	pub port: u16,
	/// The `app` token.
	pub app: String,
	/// The `auditor` token.
	pub auditor: String,
	/// The `admin` token.
	pub admin: String,
	/// The address the medchain RPC listens on (127.0.0.1 unless a test says otherwise).
	pub listen_ip: String,
	/// The certificate and key files of a TLS listener.
	pub tls: Option<(std::path::PathBuf, std::path::PathBuf)>,
}

impl Custodian {
	/// The token of `role`; patient tokens are issued one per patient
	/// ([`Node::issue_token`]).
	pub fn token(&self, role: Role) -> crate::Result<&str> {
		match role {
			Role::App => Ok(&self.app),
			Role::Auditor => Ok(&self.auditor),
			Role::Admin => Ok(&self.admin),
			Role::Patient => Err("a patient token is issued per patient".into()),
		}
	}
}

impl Node {
	/// Makes this node its hospital's custodian before it starts: puts the operator key
	/// (`operator_suri`) in its keystore, makes one token per role and serves the medchain RPC
	/// on a free port.
	pub fn enable_custodian(&mut self, operator_suri: &str) -> crate::Result<()> {
		let base = self.base_path.display().to_string();
		let seed = operator_suri;
		run_node_command(
			&[
				"key",
				"insert",
				"--base-path",
				&base,
				"--chain",
				&self.spec.chain,
				"--key-type",
				"mdop",
				"--scheme",
				"sr25519",
				"--suri",
				seed,
			],
			"",
		)?;
		let tokens = self.base_path.join("medchain-rpc-tokens");
		let token = |role: Role| new_token(&tokens, role);
		self.custodian = Some(Custodian {
			port: crate::ports::free_port()?,
			app: token(Role::App)?,
			auditor: token(Role::Auditor)?,
			admin: token(Role::Admin)?,
			listen_ip: "127.0.0.1".into(),
			tls: None,
		});
		Ok(())
	}

	/// The custodian settings [`Node::enable_custodian`] gave this node.
	pub fn custodian(&self) -> crate::Result<&Custodian> {
		self.custodian.as_ref().ok_or_else(|| format!("{} is not a custodian", self.spec.name))
	}

	/// The custodian settings, to change before a restart.
	pub fn custodian_mut(&mut self) -> crate::Result<&mut Custodian> {
		let name = self.spec.name.clone();
		self.custodian.as_mut().ok_or_else(|| format!("{name} is not a custodian"))
	}

	/// A medchain RPC client with `role`'s token.
	pub fn app_rpc(&self, role: Role) -> crate::Result<HttpClient> {
		let custodian = self.custodian()?;
		self.app_rpc_with(Some(custodian.token(role)?))
	}

	/// A medchain RPC client that sends `token` (or none).
	pub fn app_rpc_with(&self, token: Option<&str>) -> crate::Result<HttpClient> {
		let mut headers = HeaderMap::new();
		if let Some(token) = token {
			let value =
				HeaderValue::from_str(&format!("Bearer {token}")).map_err(|e| e.to_string())?;
			headers.insert("Authorization", value);
		}
		HttpClientBuilder::default()
			.set_headers(headers)
			.max_request_size(128 << 20)
			.request_timeout(std::time::Duration::from_secs(120))
			.build(format!("http://127.0.0.1:{}", self.custodian()?.port))
			.map_err(|e| e.to_string())
	}

	/// A medchain RPC WebSocket client with `role`'s token, for subscriptions.
	pub async fn app_ws(&self, role: Role) -> crate::Result<jsonrpsee::ws_client::WsClient> {
		self.app_ws_with(self.custodian()?.token(role)?).await
	}

	/// A medchain RPC WebSocket client that sends `token`.
	pub async fn app_ws_with(&self, token: &str) -> crate::Result<jsonrpsee::ws_client::WsClient> {
		let custodian = self.custodian()?;
		let mut headers = HeaderMap::new();
		let value = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|e| e.to_string())?;
		headers.insert("Authorization", value);
		jsonrpsee::ws_client::WsClientBuilder::default()
			.set_headers(headers)
			.request_timeout(std::time::Duration::from_secs(120))
			.build(format!("ws://127.0.0.1:{}", custodian.port))
			.await
			.map_err(|e| e.to_string())
	}

	/// POSTs `body` to the medchain RPC as raw JSON with `token` (or none); returns the HTTP
	/// status and the JSON answer. For what the typed client can't show: statuses, batches.
	pub async fn post_raw(
		&self,
		token: Option<&str>,
		body: &serde_json::Value,
	) -> crate::Result<(u16, serde_json::Value)> {
		use http_body_util::{BodyExt, Full};
		use hyper_util::{client::legacy::Client, rt::TokioExecutor};
		let url = format!("http://127.0.0.1:{}", self.custodian()?.port);
		let mut request = hyper::Request::post(&url).header("content-type", "application/json");
		if let Some(token) = token {
			request = request.header("authorization", format!("Bearer {token}"));
		}
		let request = request
			.body(Full::new(hyper::body::Bytes::from(body.to_string())))
			.map_err(|e| e.to_string())?;
		let client = Client::builder(TokioExecutor::new()).build_http::<Full<hyper::body::Bytes>>();
		let response = client.request(request).await.map_err(|e| format!("POST {url}: {e}"))?;
		let status = response.status().as_u16();
		let bytes = response.into_body().collect().await.map_err(|e| e.to_string())?.to_bytes();
		let answer = serde_json::from_slice(&bytes).map_err(|e| format!("POST {url}: {e}"))?;
		Ok((status, answer))
	}

	/// Runs `medchain args` against this node, with `role`'s token (none if `None`)
	/// and the environment variables `env` (MEDCHAIN_SURI, MEDCHAIN_SHARE_TOKEN).
	pub fn cli(
		&self,
		role: Option<Role>,
		args: &[&str],
		env: &[(&str, &str)],
	) -> crate::Result<crate::node::CliRun> {
		let node = format!("http://127.0.0.1:{}", self.rpc_port);
		let api = format!("http://127.0.0.1:{}", self.custodian()?.port);
		let mut full = vec!["--node", node.as_str(), "--api", api.as_str()];
		full.extend_from_slice(args);
		let mut env = env.to_vec();
		if let Some(role) = role {
			env.push(("MEDCHAIN_TOKEN", self.custodian()?.token(role)?));
		}
		crate::node::run_cli(&full, &env)
	}

	/// Issues another token of `role` (for `patient`, acting for `patient`) into the running
	/// node's token file; the node takes it within a second.
	pub fn issue_token(
		&self,
		role: Role,
		patient: Option<sp_keyring::Sr25519Keyring>,
	) -> crate::Result<String> {
		let file = self.base_path.join("medchain-rpc-tokens").display().to_string();
		let mut args = vec!["rpc-token", "--role", role.name(), "--file", &file];
		let patient = patient.map(|patient| pseudonym_of(patient).to_string());
		if let Some(patient) = &patient {
			args.extend(["--patient", patient]);
		}
		run_node_command(&args, "")
	}

	/// The custodian's command-line flags.
	pub(crate) fn custodian_args(&self) -> Vec<String> {
		let Some(custodian) = &self.custodian else { return Vec::new() };
		let mut args = vec![
			"--medchain-rpc-tokens".into(),
			self.base_path.join("medchain-rpc-tokens").display().to_string(),
			"--medchain-rpc-addr".into(),
			format!("{}:{}", custodian.listen_ip, custodian.port),
		];
		if let Some((cert, key)) = &custodian.tls {
			args.push("--medchain-rpc-tls-cert".into());
			args.push(cert.display().to_string());
			args.push("--medchain-rpc-tls-key".into());
			args.push(key.display().to_string());
		}
		args
	}
}

fn new_token(file: &Path, role: Role) -> crate::Result<String> {
	run_node_command(
		&["rpc-token", "--role", role.name(), "--file", &file.display().to_string()],
		"",
	)
}

/// The medchain error code of a failed call.
pub fn error_code<T: std::fmt::Debug>(result: Result<T, ClientError>) -> crate::Result<i32> {
	match result {
		Err(ClientError::Call(error)) => Ok(error.code()),
		other => Err(format!("expected an RPC error, got {other:?}")),
	}
}

/// That a call failed with `expected`.
pub fn expect_error<T: std::fmt::Debug>(
	result: Result<T, ClientError>,
	expected: ErrorCode,
) -> crate::Result<()> {
	let actual = error_code(result)?;
	(actual == expected.code())
		.then_some(())
		.ok_or(format!("expected {expected:?}, got code {actual}"))
}

/// A dev account's pseudonym, as the medchain RPC takes a patient.
pub fn pseudonym_of(patient: sp_keyring::Sr25519Keyring) -> medchain_app_api::AccountId {
	<[u8; 32]>::from(patient.to_account_id()).into()
}

/// Registers `patient` with the hospital whose operator is `operator`, once finalized.
pub async fn register_patient(
	chain: &crate::client::Chain,
	operator: sp_keyring::Sr25519Keyring,
	patient: sp_keyring::Sr25519Keyring,
) -> crate::Result<()> {
	let register = pallet_hospitals::Call::register_patient { patient: patient.to_account_id() };
	let call = medchain_runtime::RuntimeCall::Hospitals(register);
	crate::client::tx::submit_and_finalize(chain, &operator.pair(), call).await?.succeeded()?;
	Ok(())
}

/// A VITAL_SIGNS record of `patient` with client request id `id` (also its heart rate field),
/// the drills' record.
pub fn vital_signs(patient: sp_keyring::Sr25519Keyring, id: &str) -> SubmitRecord {
	SubmitRecord {
		client_request_id: id.into(),
		patient: pseudonym_of(patient),
		record_type: "VITAL_SIGNS".into(),
		fields:
			serde_json::json!({ "heart_rate": id, "recorded_by": "nurse", "date": "2026-12-07" })
				.as_object()
				.cloned()
				.unwrap_or_default(),
		valid_until: None,
	}
}

/// Waits until the medchain RPC of `node` answers (after a start), for `timeout` at most.
pub async fn wait_app_rpc(node: &Node, timeout: std::time::Duration) -> crate::Result<()> {
	use medchain_app_api::MedchainApiClient;
	let app = node.app_rpc(Role::App)?;
	crate::rpc::wait_until("the medchain RPC", timeout, || async {
		Ok(app.health().await.ok().map(|_| ()))
	})
	.await
}

/// Waits until the custodian behind `app` reports every record of `ids` finalized, for
/// `timeout` at most; fails at once on one it reports failed.
pub async fn wait_custodian_finalized(
	app: &HttpClient,
	ids: &[medchain_app_api::RecordId],
	timeout: std::time::Duration,
) -> crate::Result<()> {
	use medchain_app_api::{types::AnchorStatus, MedchainApiClient};
	crate::rpc::wait_until("the custodian to report its records finalized", timeout, || async {
		for id in ids {
			let status = app.record_status(*id).await.map_err(|e| e.to_string())?;
			match status.status {
				AnchorStatus::Finalized => {}
				AnchorStatus::Failed => return Err(format!("anchor failed: {status:?}")),
				_ => return Ok(None),
			}
		}
		Ok(Some(()))
	})
	.await
}

/// `patient`'s grant of `record_id` to hospital `grantee` under a fresh token for `duration`
/// blocks (all fields but notes, for treatment), made by the patient's own transaction.
pub async fn grant_record(
	chain: &crate::client::Chain,
	patient: sp_keyring::Sr25519Keyring,
	record_id: medchain_primitives::commitment::RecordId,
	grantee: u32,
	duration: u32,
) -> crate::Result<(medchain_token::ShareToken, medchain_primitives::shares::GrantId)> {
	use medchain_primitives::shares::{FieldSelection, GrantTerms, PurposeOfUse};
	let token = medchain_token::ShareToken::generate();
	let terms = GrantTerms {
		records: sp_runtime::BoundedVec::truncate_from(vec![record_id]),
		fields: FieldSelection::AllButNotes,
		grantee: Some(grantee),
		duration,
		max_uses: None,
		purpose: PurposeOfUse::Treatment,
		token_key: token.public_key(),
	};
	let call = medchain_runtime::RuntimeCall::Shares(pallet_shares::Call::create_grant { terms });
	let events =
		crate::client::tx::submit_and_finalize(chain, &patient.pair(), call).await?.succeeded()?;
	let grant = events
		.iter()
		.find_map(|event| match event {
			medchain_runtime::RuntimeEvent::Shares(pallet_shares::Event::GrantCreated {
				grant,
				..
			}) => Some(*grant),
			_ => None,
		})
		.ok_or("no GrantCreated event")?;
	Ok((token, grant))
}

/// How many `anchor_batch` transactions blocks `from..=to` carry, and how many anchors in all.
pub async fn anchor_batches(
	chain: &crate::client::Chain,
	from: u32,
	to: u32,
) -> crate::Result<(usize, usize)> {
	use medchain_runtime::{RuntimeCall, UncheckedExtrinsic};
	let (mut batches, mut anchors) = (0, 0);
	for number in from..=to {
		let hash = chain.block_hash(number).await?.ok_or(format!("no block #{number}"))?;
		for bytes in chain.extrinsics(hash).await? {
			let extrinsic: UncheckedExtrinsic =
				codec::Decode::decode(&mut &bytes[..]).map_err(|e| e.to_string())?;
			if let RuntimeCall::Records(pallet_records::Call::anchor_batch { items }) =
				extrinsic.function
			{
				batches += 1;
				anchors += items.len();
			}
		}
	}
	Ok((batches, anchors))
}

/// Every file under `dir`, with its bytes.
pub fn files_under(dir: &Path) -> crate::Result<Vec<(std::path::PathBuf, Vec<u8>)>> {
	let mut files = Vec::new();
	let mut pending = vec![dir.to_path_buf()];
	while let Some(path) = pending.pop() {
		if path.is_dir() {
			for entry in std::fs::read_dir(&path).map_err(|e| e.to_string())? {
				pending.push(entry.map_err(|e| e.to_string())?.path());
			}
		} else {
			let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
			files.push((path, bytes));
		}
	}
	Ok(files)
}

/// How many bytes the files under `dir` hold, none of them `needle`; or the first file that
/// holds it (or the error that stopped the scan).
pub fn files_without(dir: &Path, needle: &[u8]) -> Result<usize, String> {
	let files = files_under(dir)?;
	if let Some((path, _)) =
		files.iter().find(|(_, bytes)| bytes.windows(needle.len()).any(|w| w == needle))
	{
		return Err(path.display().to_string());
	}
	Ok(files.iter().map(|(_, bytes)| bytes.len()).sum())
}

/// The id of the access entry an access's error names in its data (`NotFinalYet`,
/// `CustodianUnavailable`: logged on chain, not opened yet), if it names one.
pub fn logged_access_id(error: &jsonrpsee::types::ErrorObjectOwned) -> Option<u64> {
	let data: serde_json::Value = serde_json::from_str(error.data()?.get()).ok()?;
	data["accessId"].as_u64()
}
