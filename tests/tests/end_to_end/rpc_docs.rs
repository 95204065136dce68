//! Every JSON example of `docs/rpc.md`, sent to a live four-hospital network, so the page can't
//! drift from the node: each example request, with its shortened and stand-in values filled with
//! live ones (`medchain_tests::rpc_docs::fill`), gets an answer of the documented shape
//! (`rpc_docs::shape_mismatch`); the notification example is compared with a live
//! notification, and each error example's code is one the API has.
//!
//! The requests go in page order, with the live state each needs made first: the record's
//! anchor final before `recordStatus`, the patient's finalized access entry and signature before
//! `getRecord`, another anchored record for `eraseRecord`, the custodian stopped for one access so
//! that `retryAccess` has an entry to fetch again. `revokeShare` goes last: it ends the share the
//! later examples use.

use std::{collections::HashMap, time::Duration};

use jsonrpsee::{
	core::{client::ClientT, params::ArrayParams, ClientError},
	http_client::HttpClient,
};
use medchain_app_api::{
	auth::Role,
	types::{AnchorStatus, Notification, NotificationKind, SubscribeFilter},
	AccessShared, ErrorCode, MedchainApiClient, RecordId, SubmitRecord, OPENRPC,
};
use medchain_runtime::RuntimeCall;
use medchain_tests::{
	client::{rpc::wait_until, tx, Chain},
	custodian::{pseudonym_of, register_patient},
	network::{LocalNetwork, A, ALL, B, FIRST_FINALITY},
	node::Node,
	rpc_docs::{examples, fill, shape_mismatch, Example},
	step, Result,
};
use medchain_token::ShareToken;
use serde_json::{json, Value};
use sp_core::Pair;
use sp_keyring::Sr25519Keyring;

const OPERATOR_A: Sr25519Keyring = Sr25519Keyring::AliceStash;
/// The patient of the page's examples (`0x1cbd…`).
const PATIENT: Sr25519Keyring = Sr25519Keyring::Ferdie;
const WAIT: Duration = Duration::from_secs(120);

/// Each method's parameter names, from the OpenRPC document.
fn parameter_names() -> Result<HashMap<String, Vec<String>>> {
	let document: Value = serde_json::from_str(OPENRPC).map_err(|e| e.to_string())?;
	let methods = document["methods"].as_array().ok_or("no methods")?;
	Ok(methods
		.iter()
		.map(|method| {
			let names = method["params"].as_array().map_or_else(Vec::new, |params| {
				params.iter().filter_map(|p| p["name"].as_str().map(str::to_owned)).collect()
			});
			(method["name"].as_str().unwrap_or_default().to_owned(), names)
		})
		.collect())
}

/// `message` (the hex the node answered) signed by the patient, as `0x`-hex.
fn patient_signature(message: &Value) -> Result<Value> {
	let hex_text = message.as_str().ok_or("no message")?.trim_start_matches("0x");
	let bytes = hex::decode(hex_text).map_err(|e| e.to_string())?;
	Ok(json!(format!("0x{}", hex::encode(PATIENT.pair().sign(&bytes).0))))
}

/// The answer to `params` of `method`: its result, or `{"error": {code, message, data}}`.
async fn send(client: &HttpClient, method: &str, params: Vec<Value>) -> Result<Value> {
	let mut list = ArrayParams::new();
	for param in params {
		list.insert(param).map_err(|e| e.to_string())?;
	}
	match client.request::<Value, _>(method, list).await {
		Ok(result) => Ok(result),
		Err(ClientError::Call(error)) => Ok(json!({ "error": {
			"code": error.code(),
			"message": error.message(),
			"data": error.data().map(|data| data.get().to_owned()),
		}})),
		Err(error) => Err(format!("{method}: {error}")),
	}
}

fn error_code(answer: &Value) -> Option<i64> {
	answer.get("error").and_then(|error| error["code"].as_i64())
}

async fn anchored(client: &HttpClient, record: RecordId) -> Result<()> {
	wait_until("the anchor to be final", WAIT, || async {
		let status = client.record_status(record).await.map_err(|e| e.to_string())?;
		if status.status == AnchorStatus::Failed {
			return Err(format!("the anchor failed: {status:?}"));
		}
		Ok((status.status == AnchorStatus::Finalized).then_some(()))
	})
	.await
}

/// The network, the live values the examples need, and the answers so far.
struct Live {
	net: LocalNetwork,
	chain: Chain,
	values: HashMap<String, Value>,
	token: ShareToken,
}

impl Live {
	fn node(&self, method: &str) -> &Node {
		match method {
			"medchain_accessShared" | "medchain_retryAccess" => &self.net.nodes[B],
			_ => &self.net.nodes[A],
		}
	}

	fn client(&self, method: &str) -> Result<HttpClient> {
		let role = match method {
			"medchain_eraseRecord" => Role::Admin,
			"medchain_accessLog" | "medchain_exportFhir" => Role::Auditor,
			_ => Role::App,
		};
		self.node(method).app_rpc(role)
	}

	fn value(&self, key: &str) -> Result<Value> {
		self.values.get(key).cloned().ok_or(format!("no {key} yet: an earlier example is missing"))
	}

	fn record(&self, key: &str) -> Result<RecordId> {
		serde_json::from_value(self.value(key)?).map_err(|e| e.to_string())
	}

	fn set(&mut self, key: &str, value: Value) {
		self.values.insert(key.to_owned(), value);
	}

	/// The live state `method`'s example needs, made before it is sent.
	async fn prepare(&mut self, method: &str) -> Result<()> {
		let app_a = self.net.nodes[A].app_rpc(Role::App)?;
		match method {
			"medchain_recordStatus" | "medchain_recordChallenge" => {
				anchored(&app_a, self.record("shared")?).await?;
				self.set("recordId", self.value("shared")?);
			}
			"medchain_getRecord" => {
				let record = self.record("shared")?;
				let log_read = RuntimeCall::AccessLog(pallet_access_log::Call::patient_access {
					record: record.0,
				});
				let events = tx::submit_and_finalize(&self.chain, &PATIENT.pair(), log_read)
					.await?
					.succeeded()?;
				let access = tx::access_recorded(&events).ok_or("no AccessRecorded event")?;
				self.set("accessId", json!(access));
				let signature = patient_signature(&self.value("message")?)?;
				self.set("signature", signature);
			}
			"medchain_eraseRecord" => {
				let erasable = self.record("erasable")?;
				anchored(&app_a, erasable).await?;
				self.set("recordId", json!(erasable));
			}
			"medchain_prepareShare" => {
				self.set("recordId", self.value("shared")?);
				self.set("recordIds", json!([self.value("shared")?]));
				self.set(
					"tokenPublic",
					json!(format!("0x{}", hex::encode(self.token.public_key()))),
				);
				self.set("shareToken", json!(self.token.as_str()));
			}
			"medchain_accessShared" => self.set("recordId", self.value("shared")?),
			// On A, a hospital: verified by any member, and a fill refused with `NotAPharmacy`.
			"medchain_verifyPrescription" | "medchain_fillPrescription" => {
				if !self.values.contains_key("prescription") {
					let fields = json!({
						"medication": "amoxicillin", "dosage": "500 mg", "refills": "1",
						"doctor": "Dr. Ada", "date": "2026-12-07"
					});
					let prescription = SubmitRecord {
						client_request_id: "rx-20261207-1".into(),
						patient: pseudonym_of(PATIENT),
						record_type: "PRESCRIPTION".into(),
						fields: fields.as_object().cloned().unwrap_or_default(),
						valid_until: None,
					};
					let submitted =
						app_a.submit_record(prescription).await.map_err(|e| e.to_string())?;
					anchored(&app_a, submitted.record_id).await?;
					self.set("prescription", json!(submitted.record_id));
				}
				self.set("recordId", self.value("prescription")?);
			}
			"medchain_retryAccess" => {
				// An access logged while the custodian is down: its fields wait for a retry.
				let request = AccessShared {
					share_token: self.token.as_str().to_owned(),
					record_id: self.record("shared")?,
					purpose: "TREAT".into(),
				};
				let app_b = self.net.nodes[B].app_rpc(Role::App)?;
				self.net.nodes[A].kill()?;
				let offline = app_b.access_shared(request).await;
				self.net.nodes[A].start()?;
				let unavailable = ErrorCode::CustodianUnavailable.code();
				let access = match &offline {
					Err(ClientError::Call(error)) if error.code() == unavailable => error
						.data()
						.and_then(|data| serde_json::from_str::<Value>(data.get()).ok())
						.and_then(|data| data["accessId"].as_u64()),
					_ => None,
				};
				let access = access.ok_or(format!(
					"with A stopped, expected CustodianUnavailable with an accessId: {offline:?}"
				))?;
				self.set("accessId", json!(access));
			}
			_ => {}
		}
		Ok(())
	}

	/// Takes what later examples need from `method`'s answer.
	fn remember(&mut self, method: &str, answer: &Value) {
		match method {
			"medchain_submitRecord" => self.set("shared", answer["recordId"].clone()),
			"medchain_submitRecords" => self.set("erasable", answer[0]["recordId"].clone()),
			"medchain_recordChallenge" => {
				self.set("challenge", answer["challenge"].clone());
				self.set("message", answer["message"].clone());
			}
			"medchain_prepareShare" => {
				self.set("nonce", answer["nonce"].clone());
				self.set("deadline", answer["deadline"].clone());
				if let Ok(signature) = patient_signature(&answer["message"]) {
					self.set("patientSignature", signature);
				}
			}
			"medchain_createShare" => self.set("grantId", answer["grantId"].clone()),
			_ => {}
		}
	}

	/// Sends `example`, filled; retried while the custodian is still starting again.
	async fn answer(&self, example: &Example, names: &[String]) -> Result<Value> {
		let method = example.method();
		let params = fill(&example.request, names, &self.values)?;
		let client = self.client(method)?;
		if method != "medchain_retryAccess" {
			return send(&client, method, params).await;
		}
		let unavailable = i64::from(ErrorCode::CustodianUnavailable.code());
		wait_until("the custodian to serve the retry", WAIT, || async {
			let answer = send(&client, method, params.clone()).await?;
			Ok((error_code(&answer) != Some(unavailable)).then_some(answer))
		})
		.await
	}
}

#[tokio::test(flavor = "multi_thread")]
async fn every_example_of_the_rpc_page_gets_an_answer_of_its_documented_shape() -> Result<()> {
	let page = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/rpc.md"))
		.map_err(|e| e.to_string())?;
	let documented = examples(&page)?;
	let names = parameter_names()?;
	let sent: Vec<&str> = documented.requests.iter().map(Example::method).collect();
	for method in names.keys().filter(|name| name.starts_with("medchain_")) {
		let shown = sent.contains(&method.as_str())
			|| (method == "medchain_subscribe" && !documented.notifications.is_empty())
			|| method == "medchain_unsubscribe";
		assert!(shown, "docs/rpc.md shows no example of {method}");
	}
	for lone in &documented.lone_answers {
		let code =
			lone["error"]["code"].as_i64().ok_or(format!("an answer to no request: {lone}"))?;
		let known = i32::try_from(code).ok().and_then(ErrorCode::from_code);
		assert!(known.is_some() && lone["error"]["message"].is_string(), "error example {lone}");
	}

	let net = LocalNetwork::start_custodians()?;
	net.wait_finalized(&ALL, 1, FIRST_FINALITY).await?;
	let chain = net.nodes[A].chain()?;
	register_patient(&chain, OPERATOR_A, PATIENT).await.map_err(|e| net.with_log_tails(e))?;
	let mut live = Live {
		values: HashMap::from([("patient".to_owned(), json!(pseudonym_of(PATIENT)))]),
		net,
		chain,
		token: ShareToken::generate(),
	};
	let ws_a = live.net.nodes[A].app_ws(Role::App).await?;
	let filter = SubscribeFilter { patient: Some(pseudonym_of(PATIENT)), hospital: None };
	let mut notifications = ws_a.subscribe_events(filter).await.map_err(|e| e.to_string())?;

	let (last, in_order): (Vec<&Example>, Vec<&Example>) =
		documented.requests.iter().partition(|example| example.method() == "medchain_revokeShare");
	for example in in_order.into_iter().chain(last) {
		let method = example.method();
		step(method);
		let prepared = live.prepare(method).await;
		prepared.map_err(|e| live.net.with_log_tails(format!("{method}: {e}")))?;
		let answered = live.answer(example, names.get(method).map_or(&[][..], Vec::as_slice)).await;
		let answer = answered.map_err(|e| live.net.with_log_tails(format!("{method}: {e}")))?;
		let documented_answer = example.answer.as_ref().ok_or(format!("{method} has no answer"))?;
		if let Some(mismatch) = shape_mismatch(documented_answer, &answer) {
			return Err(format!("{method}: {mismatch}\n  answered: {answer}"));
		}
		live.remember(method, &answer);
		// The share's use, as P's subscriber on A sees it (before A is stopped for retryAccess).
		if method == "medchain_accessShared" {
			step("medchain_notification");
			let shown = documented
				.notifications
				.first()
				.map(|notification| &notification["params"]["result"])
				.filter(|shown| shown.is_object())
				.ok_or("no notification example with params.result")?;
			let used = serde_json::to_value(share_used(&mut notifications).await?)
				.map_err(|e| e.to_string())?;
			if let Some(mismatch) = shape_mismatch(shown, &used) {
				return Err(format!("medchain_notification: {mismatch}\n  sent: {used}"));
			}
		}
	}
	Ok(())
}

/// The next `shareUsed` notification of `notifications`.
async fn share_used(
	notifications: &mut jsonrpsee::core::client::Subscription<Notification>,
) -> Result<Notification> {
	let deadline = tokio::time::Instant::now() + WAIT;
	loop {
		let next = tokio::time::timeout_at(deadline, notifications.next())
			.await
			.map_err(|_| "no shareUsed notification within 120 s")?;
		let notification = next.ok_or("the subscription ended")?.map_err(|e| e.to_string())?;
		if notification.kind == NotificationKind::ShareUsed {
			return Ok(notification);
		}
	}
}
