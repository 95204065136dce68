//! The `medchain` command line end to end on the four-hospital `e2e` network, as each of its
//! users runs it: an operator registers a patient and lists the consortium, an app submits and
//! imports records and shares one, another hospital's app reads it with the token, a hospital
//! asks for consent and the patient answers, the patient reads their own record, an auditor
//! pages the log and exports it, an admin erases a record. Every refusal exits non-zero with
//! the node's or the chain's reason.

use jsonrpsee::core::ClientError;
use medchain_app_api::{auth::Role, ErrorCode, MedchainApiClient};
use medchain_runtime::local_network::LOCAL_HOSPITALS;
use medchain_tests::network::{A, ALL, B, C, FIRST_FINALITY};
use medchain_tests::{
	custodian::{vital_signs, wait_app_rpc},
	network::{node_key_hex, LocalNetwork},
	node::{peer_id_of, Node},
	Result,
};
use serde_json::{json, Value};
use sp_core::crypto::Ss58Codec;
use sp_keyring::Sr25519Keyring;

const PATIENT_SURI: &str = "//Ferdie";
/// Node A's `--medchain-outbox-limit` at the end of the test: the least the node takes.
const OUTBOX_LIMIT: usize = 500;

/// Runs `medchain --json` on `node`; its JSON, or the failure with its message.
fn ok(node: &Node, role: Option<Role>, args: &[&str], env: &[(&str, &str)]) -> Result<Value> {
	let args: Vec<&str> = std::iter::once("--json").chain(args.iter().copied()).collect();
	node.cli(role, &args, env)?.json().map_err(|e| format!("medchain {args:?}: {e}"))
}

/// Runs `medchain` on `node` and expects it to fail with `reason` in its message.
fn refused(
	node: &Node,
	role: Option<Role>,
	args: &[&str],
	env: &[(&str, &str)],
	reason: &str,
) -> Result<()> {
	let run = node.cli(role, args, env)?;
	if run.success || !run.stderr.contains(reason) {
		return Err(format!("medchain {args:?}: expected a refusal with {reason:?}, got {run:?}"));
	}
	Ok(())
}

fn text(value: &Value) -> Result<String> {
	value.as_str().map(str::to_string).ok_or(format!("{value} is not a string"))
}

#[tokio::test(flavor = "multi_thread")]
async fn every_user_does_their_job_with_the_medchain_cli() -> Result<()> {
	let mut net = LocalNetwork::start_custodians_on("e2e")?;
	net.wait_finalized(&ALL, 1, FIRST_FINALITY).await?;
	let (a, b, c) = (&net.nodes[A], &net.nodes[B], &net.nodes[C]);
	let patient = Sr25519Keyring::Ferdie.to_account_id().to_ss58check();
	let operator = |index: usize| LOCAL_HOSPITALS[index].operator_suri();

	// Operators: the consortium and the node.
	let listed = ok(a, None, &["hospital", "list"], &[])?;
	let hospitals = listed["hospitals"].as_array().ok_or("no hospitals")?;
	assert_eq!(hospitals.len(), 4, "{listed}");
	assert!(hospitals.iter().all(|h| h["status"] == "active" && h["validator"] == true));
	assert_eq!(hospitals[1]["name"], "Hospital B");
	let status = ok(a, Some(Role::App), &["node", "status"], &[])?;
	assert_eq!(status["validators"], json!([0, 1, 2, 3]), "{status}");
	assert_eq!(status["medchainRpcStatus"], "answers", "{status}");
	assert!(status["finalized"].as_u64() >= Some(1));
	let table = a.cli(None, &["hospital", "list"], &[])?;
	assert!(table.success && table.stdout.contains("Hospital D"), "{table:?}");

	let registered = ok(
		a,
		None,
		&["hospital", "register-patient", &patient],
		&[("MEDCHAIN_SURI", &operator(A))],
	)?;
	assert!(registered["events"].to_string().contains("PatientRegistered"), "{registered}");
	let as_patient = [("MEDCHAIN_SURI", PATIENT_SURI)];
	let register = ["hospital", "register-patient", &patient];
	refused(a, None, &register, &as_patient, "may not make this call")?;
	refused(
		a,
		None,
		&["hospital", "vote", "99"],
		&[("MEDCHAIN_SURI", "//Alice")],
		"ProposalNotFound",
	)?;

	// An app: one record, waited for; a JSON-lines import in batches; bad input refused whole.
	let diagnosis = |fields: &[&'static str]| {
		let mut args =
			vec!["record", "submit", "--patient", patient.as_str(), "--type", "DIAGNOSIS"];
		for field in fields {
			args.extend(["--field", field]);
		}
		args
	};
	let fields = [
		"diagnosis=influenza A",
		"icd10_code=J10.1",
		"doctor=Dr. Lee",
		"date=2026-11-30",
		"notes=private",
	];
	let submit = [&diagnosis(&fields)[..], &["--request-id", "his-visit-1"]].concat();
	let record = ok(a, Some(Role::App), &[&submit[..], &["--wait"]].concat(), &[])?;
	assert_eq!(record["status"], "finalized", "{record}");
	let record_id = text(&record["recordId"])?;
	let again = ok(a, Some(Role::App), &submit, &[])?;
	assert_eq!(again["recordId"], record["recordId"], "the same request id stores one record");
	// No request id: a random one, never derived from the content.
	let unkeyed = ok(a, Some(Role::App), &diagnosis(&fields), &[])?;
	let unkeyed_again = ok(a, Some(Role::App), &diagnosis(&fields), &[])?;
	assert_ne!(unkeyed["recordId"], unkeyed_again["recordId"]);
	// The fields from a file rather than the command line (which `ps` shows).
	let cli_dir = net.data_dir().join("cli-fields");
	std::fs::create_dir_all(&cli_dir).map_err(|e| e.to_string())?;
	let fields_file = cli_dir.join("fields.json");
	let values = json!({"diagnosis": "asthma", "doctor": "Dr. Lee", "date": "2026-12-01"});
	std::fs::write(&fields_file, values.to_string()).map_err(|e| e.to_string())?;
	let fields_path = fields_file.display().to_string();
	let from_file = ["record", "submit", "--patient", patient.as_str(), "--type", "DIAGNOSIS"];
	let from_file = [&from_file[..], &["--fields-file", &fields_path]].concat();
	assert_eq!(ok(a, Some(Role::App), &from_file, &[])?["status"], "stored");
	refused(a, Some(Role::App), &diagnosis(&["diagnosis=x"]), &[], "MissingField")?;
	refused(a, Some(Role::Auditor), &submit, &[], "Forbidden")?;

	let dir = net.data_dir().join("cli");
	std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
	let lines: Vec<String> = (0..25)
		.map(|i| {
			json!({
				"clientRequestId": format!("import-{i}"),
				"patient": patient,
				"recordType": "VITAL_SIGNS",
				"fields": {"recorded_by": "nurse", "date": "2026-11-30", "heart_rate": format!("{}", 60 + i)},
			})
			.to_string()
		})
		.collect();
	let file = dir.join("vitals.jsonl");
	std::fs::write(&file, lines.join("\n")).map_err(|e| e.to_string())?;
	let file = file.display().to_string();
	let imported = ok(a, Some(Role::App), &["record", "import", &file, "--batch", "10"], &[])?;
	assert_eq!((imported["imported"].as_u64(), imported["batches"].as_u64()), (Some(25), Some(3)));
	let again = ok(a, Some(Role::App), &["record", "import", &file, "--batch", "25"], &[])?;
	let ids = |report: &Value| -> Vec<Value> {
		report["records"].as_array().into_iter().flatten().map(|r| r["recordId"].clone()).collect()
	};
	assert_eq!(ids(&again), ids(&imported), "a rerun finds the same records");
	let broken = dir.join("broken.jsonl");
	let mut bad = lines.clone();
	bad[2] = "{\"clientRequestId\": 3}".into();
	std::fs::write(&broken, bad.join("\n")).map_err(|e| e.to_string())?;
	refused(
		a,
		Some(Role::App),
		&["record", "import", &broken.display().to_string()],
		&[],
		"line 3",
	)?;
	let last_import = text(&imported["records"][24]["recordId"])?;
	let anchored = ok(a, Some(Role::App), &["record", "status", &last_import, "--wait"], &[])?;
	assert_eq!(anchored["status"], "finalized", "{anchored}");

	// The app shares the diagnosis with B (the diagnosis field only) with the patient's key.
	let share = [
		"share",
		"create",
		"--patient",
		&patient,
		"--record",
		&record_id,
		"--field",
		"diagnosis",
		"--grantee",
		"1",
		"--hours",
		"1",
	];
	let created = ok(a, Some(Role::App), &share, &[("MEDCHAIN_SURI", PATIENT_SURI)])?;
	let token = text(&created["token"])?;
	let grant = created["grantId"].as_u64().ok_or("no grant id")?;
	// Another patient's key: the CLI itself refuses to sign terms for someone else.
	refused(a, Some(Role::App), &share, &[("MEDCHAIN_SURI", "//Eve")], "nothing was signed")?;

	// B's app reads it with the token; C may not.
	let access = ["share", "access", "--record", &record_id];
	let read = ok(b, Some(Role::App), &access, &[("MEDCHAIN_SHARE_TOKEN", &token)])?;
	assert_eq!(read["fields"], json!({"diagnosis": "influenza A"}), "{read}");
	refused(
		c,
		Some(Role::App),
		&access,
		&[("MEDCHAIN_SHARE_TOKEN", &token)],
		"ShareWrongHospital",
	)?;

	// B asks for consent; the patient sees the request, approves one and denies another.
	let ask = [
		"consent",
		"request",
		"--patient",
		&patient,
		"--record",
		&record_id,
		"--field",
		"icd10_code",
		"--hours",
		"1",
	];
	let asked = ok(b, None, &ask, &[("MEDCHAIN_SURI", &operator(B))])?;
	let request = asked["request"].as_u64().ok_or("no request id")?.to_string();
	assert_eq!(asked["requester"], 1);
	let pending = ok(b, None, &["consent", "pending", "--patient", &patient], &[])?;
	assert_eq!(pending["requests"][0]["request"].to_string(), request, "{pending}");
	let approved =
		ok(b, None, &["consent", "approve", &request], &[("MEDCHAIN_SURI", PATIENT_SURI)])?;
	let consent_token = text(&approved["token"])?;
	assert!(approved["grantId"].as_u64().is_some(), "{approved}");
	let read = ok(b, Some(Role::App), &access, &[("MEDCHAIN_SHARE_TOKEN", &consent_token)])?;
	assert_eq!(read["fields"], json!({"icd10_code": "J10.1"}), "{read}");
	let denied_request =
		ok(b, None, &ask, &[("MEDCHAIN_SURI", &operator(B))])?["request"].to_string();
	let denied =
		ok(b, None, &["consent", "deny", &denied_request], &[("MEDCHAIN_SURI", PATIENT_SURI)])?;
	assert_eq!(denied["denied"], true);
	refused(
		b,
		None,
		&["consent", "deny", &denied_request],
		&[("MEDCHAIN_SURI", PATIENT_SURI)],
		"ConsentRequestNotFound",
	)?;

	// The patient reads their own record, every field, verified.
	let own =
		ok(a, Some(Role::App), &["record", "get", &record_id], &[("MEDCHAIN_SURI", PATIENT_SURI)])?;
	assert_eq!(own["fields"]["notes"], "private", "{own}");
	let as_eve = [("MEDCHAIN_SURI", "//Eve")];
	refused(a, Some(Role::App), &["record", "get", &record_id], &as_eve, "registered patient")?;

	// A revokes the share: B's next read is refused with the chain's reason.
	let revoked = ok(a, Some(Role::App), &["share", "revoke", &grant.to_string()], &[])?;
	assert_eq!(revoked["grantId"], grant);
	refused(b, Some(Role::App), &access, &[("MEDCHAIN_SHARE_TOKEN", &token)], "ShareRevoked")?;

	// The auditor: the patient's log, a page at a time, as a table and as FHIR.
	let log = ok(a, Some(Role::Auditor), &["audit", "log", "--patient", &patient, "--all"], &[])?;
	let rows = log["rows"].as_array().ok_or("no rows")?;
	let shared: Vec<&Value> = rows.iter().filter(|row| row["kind"] == "share").collect();
	assert_eq!(shared.len(), 2, "{log}");
	assert!(rows.iter().any(|row| row["kind"] == "patient"), "{log}");
	let token_file = dir.join("auditor-token");
	std::fs::write(&token_file, format!("{}\n", a.custodian()?.auditor))
		.map_err(|e| e.to_string())?;
	let token_file = token_file.display().to_string();
	let page = ["--token-file", &token_file, "audit", "log", "--patient", &patient, "--limit", "1"];
	let first_page = ok(a, None, &page, &[])?;
	assert_eq!(first_page["rows"].as_array().map(Vec::len), Some(1));
	assert!(first_page["nextCursor"].is_string(), "{first_page}");
	let table = a.cli(Some(Role::Auditor), &["audit", "log", "--patient", &patient], &[])?;
	let header = table.stdout.lines().find(|line| line.contains("accessId")).unwrap_or_default();
	for column in ["time", "outcome", "by", "recordId", "fields", "purpose", "result"] {
		assert!(header.contains(column), "{column} in {table:?}");
	}
	assert!(table.stdout.contains("hospital 1") && table.stdout.contains("released"), "{table:?}");
	let out = dir.join("audit.json").display().to_string();
	let exported = ok(
		a,
		Some(Role::Auditor),
		&["audit", "export", "--kind", "audit-event", "--patient", &patient, "--out", &out],
		&[],
	)?;
	assert!(exported["resources"].as_u64() >= Some(3), "{exported}");
	let bundle: Value = serde_json::from_slice(&std::fs::read(&out).map_err(|e| e.to_string())?)
		.map_err(|e| e.to_string())?;
	assert_eq!(bundle["resourceType"], "Bundle");
	refused(a, Some(Role::App), &["audit", "log", "--patient", &patient], &[], "Forbidden")?;

	// The admin erases the record; the erasure is scheduled on chain.
	let erased = ok(a, Some(Role::Admin), &["record", "erase", &record_id], &[])?;
	assert!(
		["requested", "scheduled", "erased"].contains(&erased["status"].as_str().unwrap_or("")),
		"{erased}"
	);

	// Governance: a new hospital's keys and admission signed on its node (A's keystore stands
	// in), proposed by A's admin; D's admin rotates D's validator keys, C's its operator.
	let node_key = dir.join("node-key-e");
	std::fs::write(&node_key, node_key_hex(4)).map_err(|e| e.to_string())?;
	let node_key = node_key.display().to_string();
	let peer_id = peer_id_of(&node_key_hex(4))?;
	let eve = Sr25519Keyring::Eve.to_account_id().to_ss58check();
	let one = Sr25519Keyring::One.to_account_id().to_ss58check();
	let admission = [
		"--name",
		"Hospital E",
		"--admin",
		&eve,
		"--operator",
		&one,
		"--peer-id",
		&peer_id,
		"--address",
		"/ip4/127.0.0.1/tcp/30999",
	];
	let mut session_keys = vec!["hospital", "session-keys", "--node-key-file", &node_key];
	session_keys.extend_from_slice(&admission);
	let keys = ok(a, None, &session_keys, &[])?;
	let (keys_hex, proof, node_proof) =
		(text(&keys["keys"])?, text(&keys["proof"])?, text(&keys["nodeProof"])?);
	let mut admit = vec![
		"hospital",
		"propose",
		"admit",
		"--keys",
		&keys_hex,
		"--proof",
		&proof,
		"--node-proof",
		&node_proof,
	];
	admit.extend_from_slice(&admission);
	let proposed = ok(a, None, &admit, &[("MEDCHAIN_SURI", "//Alice")])?;
	assert!(proposed["proposal"].as_u64().is_some(), "{proposed}");
	let mut tampered = admit.clone();
	let name = tampered.iter().position(|arg| *arg == "Hospital E").ok_or("no name")?;
	tampered[name] = "Hospital F";
	refused(a, None, &tampered, &[("MEDCHAIN_SURI", "//Alice")], "InvalidKeyProof")?;

	let d = &net.nodes[3];
	let rotated =
		ok(d, None, &["hospital", "rotate", "session-keys"], &[("MEDCHAIN_SURI", "//Dave")])?;
	assert!(rotated["events"].to_string().contains("SessionKeysRotated"), "{rotated}");
	let new_operator = Sr25519Keyring::Two.to_account_id().to_ss58check();
	let rotated = ok(
		c,
		None,
		&["hospital", "rotate", "operator", &new_operator],
		&[("MEDCHAIN_SURI", "//Charlie")],
	)?;
	assert!(rotated["events"].to_string().contains("OperatorRotated"), "{rotated}");
	let listed = ok(a, None, &["hospital", "list", "--from", "2", "--limit", "1"], &[])?;
	assert_eq!(listed["hospitals"][0]["operator"], json!(new_operator), "{listed}");
	assert_eq!(listed["next"], 3);

	// A node whose outbox holds at most 500 records waiting to be anchored (the least it
	// takes): past that a submission is `Busy`, and an import waits for the chain between its
	// batches.
	net.nodes[A].spec.extra_args =
		["--medchain-outbox-limit", &OUTBOX_LIMIT.to_string()].map(String::from).to_vec();
	net.nodes[A].restart()?;
	wait_app_rpc(&net.nodes[A], std::time::Duration::from_secs(120)).await?;
	let a = &net.nodes[A];
	let records = |prefix: &str, count: usize| {
		(0..count)
			.map(|i| vital_signs(Sr25519Keyring::Ferdie, &format!("{prefix}-{i}")))
			.collect::<Vec<_>>()
	};
	let app = a.app_rpc(Role::App)?;
	app.submit_records(records("full", OUTBOX_LIMIT)).await.map_err(|e| e.to_string())?;
	// Anchoring 500 records takes blocks; the next call comes at once.
	let refused = app.submit_records(records("over", 1)).await;
	let Err(ClientError::Call(error)) = refused else {
		return Err(format!("a record past a full outbox was not refused: {refused:?}"));
	};
	assert_eq!(error.code(), ErrorCode::Busy.code(), "{error:?}");
	let data: Value = serde_json::from_str(error.data().map_or("null", |data| data.get()))
		.map_err(|e| e.to_string())?;
	assert_eq!((&data["adding"], &data["limit"]), (&json!(1), &json!(OUTBOX_LIMIT)), "{data}");
	let lines: Vec<String> = (0..2 * OUTBOX_LIMIT)
		.map(|i| {
			json!({
				"clientRequestId": format!("limited-{i}"),
				"patient": patient,
				"recordType": "VITAL_SIGNS",
				"fields": {"recorded_by": "nurse", "date": "2026-11-30", "heart_rate": "60"},
			})
			.to_string()
		})
		.collect();
	let limited = dir.join("limited.jsonl");
	std::fs::write(&limited, lines.join("\n")).map_err(|e| e.to_string())?;
	let limited = limited.display().to_string();
	let started = std::time::Instant::now();
	let batch = OUTBOX_LIMIT.to_string();
	let imported = ok(a, Some(Role::App), &["record", "import", &limited, "--batch", &batch], &[])?;
	assert_eq!(
		(imported["imported"].as_u64(), imported["batches"].as_u64()),
		(Some(2 * OUTBOX_LIMIT as u64), Some(2))
	);
	println!("1,000 records imported past a full outbox in {:.1?}", started.elapsed());
	Ok(())
}
