//! The custodian's app RPC against a malicious patient app, a stolen app token and a flood, on
//! the four-hospital network:
//! - a `patient` token, issued into the running node's token file, reads its own patient's
//!   record with the CLI and is refused (`Forbidden`) for another patient's record, for
//!   submitting records, for revoking shares and for another patient's notifications;
//! - another app replaying a request id learns nothing: right and wrong content get the same
//!   answer, a new record each;
//! - 5,000 `revokeShare` calls for unknown grants on one WebSocket make no transaction, and a
//!   record submitted afterwards is finalized as usual;
//! - a record whose anchor failed is erased without a chain event;
//! - 100 pipelined ~60 MiB `submitRecords` on one WebSocket leave the node alive with its
//!   memory bounded (the peak RSS is printed);
//! - a node refuses to serve the medchain RPC on a non-loopback address without TLS; with the
//!   certificate `scripts/make-rpc-cert.sh` makes, the CLI reads a record over `https`, and a
//!   capture of the exchange holds neither the bearer token nor the record's plaintext.

use std::time::{Duration, Instant};

use jsonrpsee::{core::ClientError, http_client::HttpClient, ws_client::WsClientBuilder};
use medchain_app_api::{
	auth::Role,
	types::{AnchorStatus, GetRecord, SubmitRecord, SubscribeFilter},
	ErrorCode, MedchainApiClient, RecordId,
};
use medchain_tests::network::{ALL, FIRST_FINALITY};
use medchain_tests::{
	client::rpc::wait_until,
	custodian::{error_code as code, expect_error as expect, pseudonym_of, register_patient},
	network::LocalNetwork,
	node::Node,
	Result,
};
use serde_json::{json, Value};
use sp_core::Pair;
use sp_keyring::Sr25519Keyring;

const OPERATOR_A: Sr25519Keyring = Sr25519Keyring::AliceStash;
const PATIENT: Sr25519Keyring = Sr25519Keyring::Ferdie;
const OTHER_PATIENT: Sr25519Keyring = Sr25519Keyring::Eve;
const REVOKES: u64 = 5_000;
const PIPELINED: usize = 100;
/// Records per pipelined request, each with ~1 MiB of notes: ~60 MiB a request.
const RECORDS_PER_REQUEST: usize = 60;

fn diagnosis(request_id: &str, patient: Sr25519Keyring, notes: &str) -> SubmitRecord {
	SubmitRecord {
		client_request_id: request_id.into(),
		patient: pseudonym_of(patient),
		record_type: "DIAGNOSIS".into(),
		fields: json!({
			"diagnosis": "asthma",
			"icd10_code": "J45",
			"doctor": "Dr A",
			"date": "2026-12-01",
			"notes": notes,
		})
		.as_object()
		.cloned()
		.unwrap_or_default(),
		valid_until: None,
	}
}

/// Whether `error` is the node's `Unauthorized` (a token it has not read yet).
fn unauthorized(error: &ClientError) -> bool {
	matches!(error, ClientError::Call(error) if error.code() == ErrorCode::Unauthorized.code())
}

/// Submits `record` and waits for its anchor's finality; the record id and how long it took.
async fn anchored(app: &HttpClient, record: SubmitRecord) -> Result<(RecordId, Duration)> {
	let start = Instant::now();
	let submitted = app.submit_record(record).await.map_err(|e| e.to_string())?;
	let id = submitted.record_id;
	wait_until("the anchor to be final", Duration::from_secs(120), || async {
		let status = app.record_status(id).await.map_err(|e| e.to_string())?;
		if status.status == AnchorStatus::Failed {
			return Err(format!("the anchor failed: {status:?}"));
		}
		Ok((status.status == AnchorStatus::Finalized).then_some(()))
	})
	.await?;
	Ok((id, start.elapsed()))
}

#[tokio::test(flavor = "multi_thread")]
async fn tokens_are_bounded_to_their_patient_their_requests_and_their_share_of_the_node(
) -> Result<()> {
	let mut net = LocalNetwork::start_custodians()?;
	net.wait_finalized(&ALL, 1, FIRST_FINALITY).await?;
	let a = &net.nodes[0];
	let chain = a.chain()?;
	for patient in [PATIENT, OTHER_PATIENT] {
		register_patient(&chain, OPERATOR_A, patient).await?;
	}
	let app = a.app_rpc(Role::App)?;
	let (own_record, usual) = anchored(&app, diagnosis("own-1", PATIENT, "own notes")).await?;
	let (other_record, _) = anchored(&app, diagnosis("other-1", OTHER_PATIENT, "x")).await?;

	patient_token(a, own_record, other_record).await.map_err(|e| net.with_log_tails(e))?;
	notifications_decoded_once(a).await.map_err(|e| net.with_log_tails(e))?;
	revoke_flood(a, &app, own_record, usual).await.map_err(|e| net.with_log_tails(e))?;
	request_ids(a, own_record).await.map_err(|e| net.with_log_tails(e))?;
	failed_anchor_is_erased(a).await.map_err(|e| net.with_log_tails(e))?;
	pipelined_large_requests(a).await.map_err(|e| net.with_log_tails(e))?;
	tls_listener(&mut net).await.map_err(|e| net.with_log_tails(e))
}

/// A patient token reads its own patient's record, and nothing of anyone else's.
async fn patient_token(a: &Node, own_record: RecordId, other_record: RecordId) -> Result<()> {
	let token = a.issue_token(Role::Patient, Some(PATIENT))?;
	let patient_app = a.app_rpc_with(Some(&token))?;
	// The running node reads its token file again within a second.
	wait_until("the node to take the new token", Duration::from_secs(10), || async {
		match patient_app.record_challenge(own_record).await {
			Ok(_) => Ok(Some(())),
			Err(error) if unauthorized(&error) => Ok(None),
			Err(error) => Err(error.to_string()),
		}
	})
	.await?;

	let read = a.cli(
		None,
		&["--json", "record", "get", &own_record.to_string()],
		&[("MEDCHAIN_TOKEN", token.as_str()), ("MEDCHAIN_SURI", "//Ferdie")],
	)?;
	assert!(read.success, "the patient's own read: {}", read.stderr);
	assert_eq!(read.json()?["fields"]["notes"], "own notes");

	expect(patient_app.record_challenge(other_record).await, ErrorCode::Forbidden)?;
	let other_read = GetRecord {
		record_id: other_record,
		access_id: 0,
		challenge: format!("0x{}", "00".repeat(32)),
		signature: format!("0x{}", "00".repeat(64)),
	};
	expect(patient_app.get_record(other_read).await, ErrorCode::Forbidden)?;
	expect(patient_app.erase_record(other_record, None).await, ErrorCode::Forbidden)?;
	expect(patient_app.submit_record(diagnosis("p-1", PATIENT, "x")).await, ErrorCode::Forbidden)?;
	expect(patient_app.revoke_share(0).await, ErrorCode::Forbidden)?;

	let ws = a.app_ws_with(&token).await?;
	let other = SubscribeFilter { patient: Some(pseudonym_of(OTHER_PATIENT)), hospital: None };
	expect(ws.subscribe_events(other).await, ErrorCode::Forbidden)?;
	let hospital = SubscribeFilter { patient: None, hospital: Some(0) };
	expect(ws.subscribe_events(hospital).await, ErrorCode::Forbidden)?;
	let own = SubscribeFilter { patient: Some(pseudonym_of(PATIENT)), hospital: None };
	ws.subscribe_events(own).await.map_err(|e| format!("own notifications: {e}"))?;
	Ok(())
}

/// Three subscribers: each finalized block is decoded once for all of them.
async fn notifications_decoded_once(a: &Node) -> Result<()> {
	use medchain_tests::metrics::{sample, scrape};
	let decoded = || async {
		let text = scrape(a.prometheus_port).await?;
		Ok::<_, String>(sample(&text, "medchain_notification_blocks_total", "").unwrap_or(0.0))
	};
	let chain = a.chain()?;
	let mut subscriptions = Vec::new();
	for _ in 0..3 {
		let ws = a.app_ws(Role::App).await?;
		let filter = SubscribeFilter { patient: Some(pseudonym_of(PATIENT)), hospital: None };
		let subscription = ws.subscribe_events(filter).await.map_err(|e| e.to_string())?;
		subscriptions.push((ws, subscription));
	}
	let (before, from) = (decoded().await?, chain.finalized_number().await?);
	wait_until("five more finalized blocks", Duration::from_secs(120), || async {
		Ok((chain.finalized_number().await? >= from + 5).then_some(()))
	})
	.await?;
	let to = chain.finalized_number().await?;
	let after = decoded().await?;
	let blocks = f64::from(to - from);
	println!("{} blocks decoded for 3 subscribers over {blocks} finalized blocks", after - before);
	assert!(
		after - before >= blocks - 2.0,
		"the feed fell behind: {} for {blocks}",
		after - before
	);
	assert!(
		after - before <= blocks + 2.0,
		"blocks decoded per subscriber: {} for {blocks}",
		after - before
	);
	drop(subscriptions);
	Ok(())
}

/// 5,000 revocations of unknown grants on one WebSocket: each refused before any
/// transaction, and the node's own anchors go on as usual.
async fn revoke_flood(
	a: &Node,
	app: &HttpClient,
	usual_record: RecordId,
	usual: Duration,
) -> Result<()> {
	let chain = a.chain()?;
	let operator = OPERATOR_A.pair().public();
	let nonce_before = chain.next_nonce(&operator).await?;
	let custodian = a.custodian()?;
	let mut headers = jsonrpsee::http_client::HeaderMap::new();
	let bearer = format!("Bearer {}", custodian.token(Role::App)?);
	headers.insert("Authorization", bearer.parse().map_err(|_| "a header")?);
	let ws = WsClientBuilder::default()
		.set_headers(headers)
		.max_concurrent_requests(REVOKES as usize)
		.request_timeout(Duration::from_secs(120))
		.build(format!("ws://127.0.0.1:{}", custodian.port))
		.await
		.map_err(|e| e.to_string())?;
	let started = Instant::now();
	let calls = (0..REVOKES).map(|i| ws.revoke_share(1_000_000 + i));
	let answers = futures::future::join_all(calls).await;
	let (mut not_found, mut limited) = (0, 0);
	for answer in answers {
		match code(answer)? {
			code if code == ErrorCode::ShareNotFound.code() => not_found += 1,
			code if code == ErrorCode::RateLimited.code() => limited += 1,
			other => return Err(format!("revokeShare of an unknown grant answered {other}")),
		}
	}
	println!(
		"{REVOKES} revokeShare(unknown) in {:.1} s: {not_found} ShareNotFound, {limited} RateLimited",
		started.elapsed().as_secs_f64()
	);
	assert!(not_found > 0, "no revocation was even looked at");
	assert_eq!(chain.next_nonce(&operator).await?, nonce_before, "a revocation made a transaction");

	// The flood may have used up this token's calls for the current second: the next one waits for the
	// next second, as a client would after `RateLimited`.
	wait_until("the token's rate window to pass", Duration::from_secs(10), || async {
		match app.record_status(usual_record).await {
			Ok(_) => Ok(Some(())),
			Err(ClientError::Call(error)) if error.code() == ErrorCode::RateLimited.code() => {
				Ok(None)
			}
			Err(error) => Err(error.to_string()),
		}
	})
	.await?;
	let (_, after) = anchored(app, diagnosis("after-flood", PATIENT, "x")).await?;
	println!(
		"a record finalized in {:.1} s after the flood ({:.1} s before it)",
		after.as_secs_f64(),
		usual.as_secs_f64()
	);
	Ok(())
}

/// Two other apps replay the first app's request id, one with its content and one with other
/// content: the answers are alike (a new record each), so neither learns the content.
async fn request_ids(a: &Node, own_record: RecordId) -> Result<()> {
	let right = a.app_rpc_with(Some(&a.issue_token(Role::App, None)?))?;
	let wrong = a.app_rpc_with(Some(&a.issue_token(Role::App, None)?))?;
	let mut answers = Vec::new();
	for (client, notes) in [(&right, "own notes"), (&wrong, "a guess")] {
		let answer =
			wait_until("the node to take the new token", Duration::from_secs(10), || async {
				match client.submit_record(diagnosis("own-1", PATIENT, notes)).await {
					Ok(answer) => Ok(Some(answer)),
					Err(error) if unauthorized(&error) => Ok(None),
					Err(error) => Err(error.to_string()),
				}
			})
			.await?;
		answers.push(answer);
	}
	// The first app's own retry would return its record: another's gets a new one.
	for answer in &answers {
		assert_ne!(answer.record_id, own_record, "a replayed request id was recognized");
	}
	assert_ne!(answers[0].record_id, answers[1].record_id);
	Ok(())
}

/// A record for a pseudonym no hospital registered fails to anchor; an admin can still erase
/// it: the data key is destroyed with no chain event.
async fn failed_anchor_is_erased(a: &Node) -> Result<()> {
	let app = a.app_rpc(Role::App)?;
	let stray = diagnosis("stray-1", Sr25519Keyring::Two, "x");
	let id = app.submit_record(stray).await.map_err(|e| e.to_string())?.record_id;
	wait_until("the anchor to fail", Duration::from_secs(120), || async {
		let status = app.record_status(id).await.map_err(|e| e.to_string())?;
		Ok((status.status == AnchorStatus::Failed).then_some(()))
	})
	.await?;
	let admin = a.app_rpc(Role::Admin)?;
	let erased = admin.erase_record(id, None).await.map_err(|e| e.to_string())?;
	assert_eq!(erased.status, medchain_app_api::types::ErasureStatus::Erased);
	assert!(erased.key_id.is_some() && erased.transaction.is_none());
	let status = app.record_status(id).await.map_err(|e| e.to_string())?;
	assert_eq!(
		status.erasure.map(|e| e.status),
		Some(medchain_app_api::types::ErasureStatus::Erased)
	);
	Ok(())
}

/// 100 requests of ~60 MiB each, sent back to back on one WebSocket before any answer is read.
async fn pipelined_large_requests(a: &Node) -> Result<()> {
	use soketto::handshake::{client::Header, Client, ServerResponse};
	use tokio_util::compat::TokioAsyncReadCompatExt;

	let custodian = a.custodian()?;
	let notes = "n".repeat(1_040_000);
	// Fresh records in every request (request ids `large-<request>-<record>`): each one the
	// node takes is sealed and stored in full, which takes far longer than reading the next.
	let records: Vec<SubmitRecord> = (0..RECORDS_PER_REQUEST)
		.map(|i| diagnosis(&format!("large-REQUEST-{i}"), PATIENT, &notes))
		.collect();
	let params = serde_json::to_string(&records).map_err(|e| e.to_string())?;
	println!("pipelining {PIPELINED} requests of {:.1} MiB", params.len() as f64 / 1048576.0);

	let address = format!("127.0.0.1:{}", custodian.port);
	let socket = tokio::net::TcpStream::connect(&address).await.map_err(|e| e.to_string())?;
	let mut client = Client::new(socket.compat(), &address, "/");
	let bearer = format!("Bearer {}", custodian.token(Role::App)?);
	let headers = [Header { name: "Authorization", value: bearer.as_bytes() }];
	client.set_headers(&headers);
	match client.handshake().await.map_err(|e| e.to_string())? {
		ServerResponse::Accepted { .. } => {}
		other => return Err(format!("WebSocket upgrade refused: {other:?}")),
	}
	let mut builder = client.into_builder();
	builder.set_max_message_size(1 << 20);
	let (mut sender, mut receiver) = builder.finish();
	let sending = tokio::spawn(async move {
		for id in 0..PIPELINED {
			let records = params.replace("large-REQUEST-", &format!("large-{id}-"));
			let request = format!(
				r#"{{"jsonrpc":"2.0","id":{id},"method":"medchain_submitRecords","params":[{records}]}}"#
			);
			sender.send_text(request).await.map_err(|e| e.to_string())?;
		}
		sender.flush().await.map_err(|e| e.to_string())?;
		Ok::<_, String>(sender)
	});
	let (mut stored, mut busy, mut limited) = (0, 0, 0);
	for _ in 0..PIPELINED {
		let mut message = Vec::new();
		tokio::time::timeout(Duration::from_secs(300), receiver.receive_data(&mut message))
			.await
			.map_err(|_| "no answer within 300 s")?
			.map_err(|e| e.to_string())?;
		let answer: Value = serde_json::from_slice(&message).map_err(|e| e.to_string())?;
		match answer["error"]["code"].as_i64() {
			None => stored += 1,
			Some(code) if code == i64::from(ErrorCode::Busy.code()) => busy += 1,
			Some(code) if code == i64::from(ErrorCode::RateLimited.code()) => limited += 1,
			Some(_) => return Err(format!("unexpected answer: {}", answer["error"])),
		}
	}
	let _sender = sending.await.map_err(|e| e.to_string())??;
	let peak = a.peak_rss()?;
	println!(
		"{PIPELINED} pipelined: {stored} stored, {busy} Busy, {limited} RateLimited; node peak RSS \
		 {} MiB",
		peak >> 20
	);
	assert!(busy > 0, "the bound on request bytes in flight never applied");
	assert!(stored > 0, "no request got through");
	// Holding every request would take over 6 GiB; the bound keeps a few in flight.
	assert!(peak < 3 << 30, "peak RSS {} MiB", peak >> 20);
	a.chain()?.finalized_number().await.map_err(|e| format!("the node died: {e}"))?;
	Ok(())
}

/// Hospital B's medchain RPC: refused on 0.0.0.0 without TLS; then over TLS, through a
/// recording TCP proxy, the CLI stores and reads back a record.
async fn tls_listener(net: &mut LocalNetwork) -> Result<()> {
	const MARKER: &str = "tls-marker-8qz";
	let certs = net.data_dir().join("rpc-tls");
	let b = &mut net.nodes[1];
	b.kill()?;
	b.custodian_mut()?.listen_ip = "0.0.0.0".into();
	b.start()?;
	let deadline = Instant::now() + Duration::from_secs(60);
	while b.is_running() {
		if Instant::now() > deadline {
			return Err("B serves the medchain RPC on 0.0.0.0 without TLS".into());
		}
		tokio::time::sleep(Duration::from_millis(200)).await;
	}
	let log = std::fs::read_to_string(&b.log_path).map_err(|e| e.to_string())?;
	assert!(log.contains("--medchain-rpc-tls-cert"), "no TLS hint in B's log");

	let script =
		std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/make-rpc-cert.sh");
	let made = std::process::Command::new("bash")
		.arg(&script)
		.arg(&certs)
		.args(["hospital-b", "localhost", "127.0.0.1"])
		.status()
		.map_err(|e| format!("{}: {e}", script.display()))?;
	assert!(made.success(), "make-rpc-cert.sh failed");
	let custodian = b.custodian_mut()?;
	custodian.listen_ip = "127.0.0.1".into();
	custodian.tls = Some((certs.join("hospital-b.pem"), certs.join("hospital-b.key")));
	b.start()?;
	let b = &net.nodes[1];
	let chain = b.chain()?;
	wait_until("B to serve its chain RPC again", Duration::from_secs(60), || async {
		Ok(chain.finalized_number().await.ok().map(drop))
	})
	.await?;
	register_patient(&chain, Sr25519Keyring::BobStash, Sr25519Keyring::One).await?;

	let port = b.custodian()?.port;
	let (proxy, captured) = recording_proxy(port).await?;
	let api = format!("https://localhost:{proxy}");
	let ca = certs.join("ca.pem").display().to_string();
	let token = b.custodian()?.token(Role::App)?.to_string();
	let fields = net.data_dir().join("tls-fields.json");
	let values = json!({ "diagnosis": "asthma", "icd10_code": "J45", "doctor": "Dr B", "date": "2026-12-02", "notes": MARKER });
	std::fs::write(&fields, values.to_string()).map_err(|e| e.to_string())?;
	let node = b.rpc_url();
	let cli = |args: &[&str], suri: Option<&str>| {
		let mut all = vec![
			"--json",
			"--node",
			node.as_str(),
			"--api",
			api.as_str(),
			"--ca-file",
			ca.as_str(),
		];
		all.extend_from_slice(args);
		let mut env = vec![("MEDCHAIN_TOKEN", token.as_str())];
		env.extend(suri.map(|suri| ("MEDCHAIN_SURI", suri)));
		medchain_tests::node::run_cli(&all, &env)
	};
	let patient = pseudonym_of(Sr25519Keyring::One).to_string();
	let fields_path = fields.display().to_string();
	let submit = ["record", "submit", "--patient", &patient, "--type", "DIAGNOSIS"];
	let mut submit = submit.to_vec();
	submit.extend(["--fields-file", &fields_path, "--request-id", "tls-1", "--wait"]);
	let submitted = wait_until("B's TLS listener to answer", Duration::from_secs(60), || async {
		let run = cli(&submit, None)?;
		if run.success {
			return Ok(Some(run.json()?));
		}
		if run.stderr.contains("cannot reach the node") {
			return Ok(None);
		}
		Err(format!("record submit over https: {}", run.stderr))
	})
	.await?;
	let record = submitted["recordId"].as_str().ok_or("a record id")?.to_string();
	let read = cli(&["record", "get", &record], Some("//One"))?;
	assert!(read.success, "record get over https: {}", read.stderr);
	assert_eq!(read.json()?["fields"]["notes"], MARKER);

	let untrusted = medchain_tests::node::run_cli(
		&["--node", &node, "--api", &api, "record", "status", &record],
		&[("MEDCHAIN_TOKEN", token.as_str())],
	)?;
	assert!(!untrusted.success, "a certificate of an unknown CA was trusted");

	let captured = captured.lock().map_err(|e| e.to_string())?;
	println!("captured {} bytes of the https exchange", captured.len());
	assert!(captured.len() > 1_000, "the proxy saw no traffic");
	let holds = |needle: &[u8]| captured.windows(needle.len()).any(|window| window == needle);
	assert!(!holds(token.as_bytes()), "the bearer token crossed the wire in the clear");
	assert!(!holds(MARKER.as_bytes()), "record plaintext crossed the wire in the clear");
	Ok(())
}

/// A TCP proxy on a free loopback port to `port`, keeping every byte it forwards.
async fn recording_proxy(port: u16) -> Result<(u16, std::sync::Arc<std::sync::Mutex<Vec<u8>>>)> {
	use tokio::io::{AsyncReadExt, AsyncWriteExt};
	let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
	let proxy = listener.local_addr().map_err(|e| e.to_string())?.port();
	let captured = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
	let log = captured.clone();
	tokio::spawn(async move {
		while let Ok((client, _)) = listener.accept().await {
			let Ok(server) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await else {
				continue;
			};
			let (client_read, client_write) = client.into_split();
			let (server_read, server_write) = server.into_split();
			for (mut from, mut to, log) in [
				(
					Box::new(client_read) as Box<dyn tokio::io::AsyncRead + Send + Unpin>,
					Box::new(server_write) as Box<dyn tokio::io::AsyncWrite + Send + Unpin>,
					log.clone(),
				),
				(Box::new(server_read), Box::new(client_write), log.clone()),
			] {
				tokio::spawn(async move {
					let mut buffer = vec![0u8; 64 << 10];
					while let Ok(read) = from.read(&mut buffer).await {
						let Some(bytes) = buffer.get(..read).filter(|bytes| !bytes.is_empty())
						else {
							break;
						};
						if let Ok(mut log) = log.lock() {
							log.extend_from_slice(bytes);
						}
						if to.write_all(bytes).await.is_err() {
							break;
						}
					}
					let _ = to.shutdown().await;
				});
			}
		}
	});
	Ok((proxy, captured))
}
