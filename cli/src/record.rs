//! `medchain record`: submit, import, status, get, erase.

use std::{path::Path, time::Duration};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use jsonrpsee::{core::ClientError, http_client::HttpClient};
use medchain_app_api::{
	types::AnchorStatus, AccountId, ErrorCode, GetRecord, MedchainApiClient, PatientApproval,
	RecordChallenge, RecordId, RecordStatus, SubmitRecord, SubmittedRecord,
};
use medchain_client::{tx, wait_until};
use medchain_runtime::RuntimeCall;
use serde_json::{json, Map, Value};
use sp_core::sr25519;

use crate::{
	args::{NewRecord, RecordCommand},
	connect::{self, api_error, Context},
	output::to_json,
	signing::{sign_challenge, Purpose},
};

use medchain_app_api::limits::MAX_BULK_RECORDS as MAX_BATCH;
/// How long `--wait` waits for an anchor's finality.
const ANCHOR_WAIT: Duration = Duration::from_secs(180);
/// How long an import waits on a node that answers `Busy`, and how often it asks again.
const BUSY_WAIT: Duration = Duration::from_secs(600);
const BUSY_RETRY: Duration = Duration::from_secs(2);

pub async fn run(context: &Context, command: RecordCommand) -> crate::Result<Value> {
	match command {
		RecordCommand::Submit { record, record_type, valid_until } => {
			submit(context, record, record_type, valid_until, None).await
		}
		RecordCommand::Import { file, batch } => import(context, &file, batch).await,
		RecordCommand::Status { record, wait } => {
			let record = connect::record_id(&record)?;
			let api = context.api()?;
			if wait {
				return to_json(anchored(&api, record).await?);
			}
			to_json(status(&api, record).await?)
		}
		RecordCommand::Get { record, patient } => {
			let record = connect::record_id(&record)?;
			let patient = connect::key(&patient, "the patient's")?;
			get(context, record, &patient).await
		}
		RecordCommand::Erase { record, patient_approval, patient } => {
			let record = connect::record_id(&record)?;
			let api = context.api()?;
			let approval = match patient_approval {
				false => None,
				true => {
					let patient = connect::key(&patient, "the patient's")?;
					let chain = context.chain()?;
					let challenge = challenge(&api, record).await?;
					let signature =
						sign_challenge(&chain, &patient, record, &challenge, Purpose::Erase)
							.await?;
					Some(PatientApproval { signature, challenge: challenge.challenge })
				}
			};
			let receipt = api
				.erase_record(record, approval)
				.await
				.map_err(|e| api_error("medchain_eraseRecord", e))?;
			to_json(receipt)
		}
	}
}

/// Stores the record `args` describe, of `record_type` (with `valid_until` and `refills`, a
/// prescription's terms), on the node; with `--wait`, answers once its anchor is finalized.
pub async fn submit(
	context: &Context,
	args: NewRecord,
	record_type: String,
	valid_until: Option<String>,
	refills: Option<u32>,
) -> crate::Result<Value> {
	let mut fields = match args.fields_file {
		Some(file) => fields_from_file(&file)?,
		None => fields_from_args(&args.fields)?,
	};
	if let Some(refills) = refills {
		if fields.insert("refills".into(), Value::String(refills.to_string())).is_some() {
			return Err("give the refills with --refills, not as a field".into());
		}
	}
	let patient = connect::pseudonym(&args.patient)?;
	let record =
		SubmitRecord { valid_until, ..new_record(patient, record_type, fields, args.request_id) };
	let api = context.api()?;
	let submitted =
		api.submit_record(record).await.map_err(|e| api_error("medchain_submitRecord", e))?;
	if args.wait {
		return to_json(anchored(&api, submitted.record_id).await?);
	}
	to_json(submitted)
}

/// The fields of `--field NAME=VALUE` arguments.
fn fields_from_args(fields: &[String]) -> crate::Result<Map<String, Value>> {
	let mut values = Map::new();
	for field in fields {
		let (name, value) =
			field.split_once('=').ok_or_else(|| format!("--field {field:?} is not NAME=VALUE"))?;
		if values.insert(name.to_string(), Value::String(value.to_string())).is_some() {
			return Err(format!("--field {name} is given twice"));
		}
	}
	Ok(values)
}

/// The fields of `--fields-file`: a JSON object, from a file or `-` (standard input).
fn fields_from_file(file: &Path) -> crate::Result<Map<String, Value>> {
	let text = if file == Path::new("-") {
		let mut text = String::new();
		std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
			.map_err(|e| format!("--fields-file -: {e}"))?;
		text
	} else {
		std::fs::read_to_string(file)
			.map_err(|e| format!("--fields-file {}: {e}", file.display()))?
	};
	match serde_json::from_str(&text) {
		Ok(Value::Object(fields)) => Ok(fields),
		Ok(_) => Err(format!("--fields-file {}: not a JSON object", file.display())),
		Err(e) => Err(format!("--fields-file {}: not JSON: {e}", file.display())),
	}
}

/// The record of `record submit`, with its idempotency key: the one given, else a random one
/// (never one derived from the content, which would let anyone who sees it test guesses).
fn new_record(
	patient: AccountId,
	record_type: String,
	fields: Map<String, Value>,
	request_id: Option<String>,
) -> SubmitRecord {
	let client_request_id = request_id.unwrap_or_else(|| {
		let mut random = [0u8; 16];
		rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut random);
		format!("cli-{}", hex::encode(random))
	});
	SubmitRecord { client_request_id, patient, record_type, fields, valid_until: None }
}

async fn status(api: &HttpClient, record: RecordId) -> crate::Result<RecordStatus> {
	api.record_status(record).await.map_err(|e| api_error("medchain_recordStatus", e))
}

/// Waits until `record`'s anchor is finalized; an error if the chain refused it. A record the
/// node does not know, or a refused token, fails at once.
async fn anchored(api: &HttpClient, record: RecordId) -> crate::Result<RecordStatus> {
	status(api, record).await?;
	let what = format!("the anchor of {record} to be finalized");
	let status = wait_until(&what, ANCHOR_WAIT, || async {
		let status = status(api, record).await?;
		Ok(matches!(status.status, AnchorStatus::Finalized | AnchorStatus::Failed)
			.then_some(status))
	})
	.await?;
	match status.status {
		AnchorStatus::Failed => Err(format!(
			"the chain refused the anchor of {record}: {}",
			status.reason.as_deref().unwrap_or("no reason given")
		)),
		_ => Ok(status),
	}
}

/// `record import`: every line checked before the first batch is sent.
async fn import(context: &Context, file: &Path, batch: usize) -> crate::Result<Value> {
	if batch == 0 || batch > MAX_BATCH {
		return Err(format!("--batch must be 1 to {MAX_BATCH}"));
	}
	let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
	let mut records = Vec::new();
	for (index, line) in text.lines().enumerate() {
		if line.trim().is_empty() {
			continue;
		}
		let refused = |e: String| {
			format!("{} line {}: not a record: {e}; nothing was sent", file.display(), index + 1)
		};
		let mut record: Value = serde_json::from_str(line).map_err(|e| refused(e.to_string()))?;
		// The file may name the patient as `record submit` does: SS58 or hex.
		if let Some(patient) = record.get("patient").and_then(Value::as_str) {
			record["patient"] = json!(connect::pseudonym(patient).map_err(&refused)?);
		}
		let record: SubmitRecord =
			serde_json::from_value(record).map_err(|e| refused(e.to_string()))?;
		records.push((index + 1, record));
	}
	if records.is_empty() {
		return Err(format!("{} holds no records", file.display()));
	}
	let api = context.api()?;
	let progress = ProgressBar::with_draw_target(
		Some(records.len() as u64),
		ProgressDrawTarget::stderr_with_hz(4),
	)
	.with_style(
		ProgressStyle::with_template("{bar:40} {pos}/{len} records ({per_sec}, {eta} left) {msg}")
			.map_err(|e| e.to_string())?,
	);
	let mut stored = Vec::new();
	for chunk in records.chunks(batch) {
		let (first, last) = (chunk[0].0, chunk[chunk.len() - 1].0);
		let submitted = submit_while_busy(&api, chunk, &progress).await.map_err(|e| {
			progress.abandon();
			let stored = stored.len();
			match &e {
				ClientError::Call(error) if error.code() == ErrorCode::Busy.code() => format!(
					"lines {first}–{last} were not stored: the node stayed busy for {} minutes \
					 ({}), so its anchoring or finality is stuck. The {stored} records before \
					 line {first} are stored; run the import again later to go on from there",
					BUSY_WAIT.as_secs() / 60,
					error.message()
				),
				_ => format!(
					"lines {first}–{last} were refused, none of them stored: {}. The {stored} \
					 records before line {first} are stored; fix the file and run the import \
					 again to go on from there",
					api_error("medchain_submitRecords", e)
				),
			}
		})?;
		for ((line, record), receipt) in chunk.iter().zip(submitted) {
			stored.push(json!({
				"line": line,
				"clientRequestId": record.client_request_id,
				"recordId": receipt.record_id,
				"status": receipt.status,
			}));
		}
		progress.inc(chunk.len() as u64);
	}
	progress.finish_and_clear();
	let batches = records.len().div_ceil(batch);
	Ok(json!({ "imported": stored.len(), "batches": batches, "records": stored }))
}

/// Submits `chunk`, again while the node answers `Busy` (its outbox is full: it stores no
/// more until the chain has anchored what waits), for up to [`BUSY_WAIT`]. A retry is safe:
/// the node answers records it stored before by their client request ids.
async fn submit_while_busy(
	api: &HttpClient,
	chunk: &[(usize, SubmitRecord)],
	progress: &ProgressBar,
) -> std::result::Result<Vec<SubmittedRecord>, ClientError> {
	let records: Vec<SubmitRecord> = chunk.iter().map(|(_, record)| record.clone()).collect();
	let deadline = std::time::Instant::now() + BUSY_WAIT;
	loop {
		match api.submit_records(records.clone()).await {
			Err(ClientError::Call(error))
				if error.code() == ErrorCode::Busy.code()
					&& std::time::Instant::now() < deadline =>
			{
				progress.set_message(format!("the node is busy ({}); waiting", error.message()));
				tokio::time::sleep(BUSY_RETRY).await;
			}
			answer => {
				progress.set_message("");
				return answer;
			}
		}
	}
}

/// `record get`: the patient signs the node's challenge (recomputed here), logs the read on
/// chain, then reads.
async fn get(context: &Context, record: RecordId, patient: &sr25519::Pair) -> crate::Result<Value> {
	// The app's token and the challenge first: a refused token or a rogue endpoint stops the
	// read before it is logged on chain.
	let api = context.api()?;
	let chain = context.chain()?;
	let challenge = challenge(&api, record).await?;
	let signature = sign_challenge(&chain, patient, record, &challenge, Purpose::Read).await?;
	let log_read =
		RuntimeCall::AccessLog(pallet_access_log::Call::patient_access { record: record.0 });
	let (_, events) = connect::submit(&chain, patient, log_read).await?;
	let access_id =
		tx::access_recorded(&events).ok_or("the chain logged no access entry for the read")?;
	let request =
		GetRecord { record_id: record, access_id, signature, challenge: challenge.challenge };
	let fields = api.get_record(request).await.map_err(|e| api_error("medchain_getRecord", e))?;
	to_json(fields)
}

async fn challenge(api: &HttpClient, record: RecordId) -> crate::Result<RecordChallenge> {
	api.record_challenge(record).await.map_err(|e| api_error("medchain_recordChallenge", e))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_default_request_id_is_random_and_a_given_one_is_kept() {
		let fields = |given: &[&str]| {
			let given: Vec<String> = given.iter().map(|f| f.to_string()).collect();
			fields_from_args(&given)
		};
		let values = fields(&["code=J45", "severity=mild"]).unwrap();
		let first = new_record(AccountId([1; 32]), "DIAGNOSIS".into(), values.clone(), None);
		let again = new_record(AccountId([1; 32]), "DIAGNOSIS".into(), values.clone(), None);
		assert_ne!(first.client_request_id, again.client_request_id);
		let given =
			new_record(AccountId([1; 32]), "DIAGNOSIS".into(), values, Some("his-4711".into()));
		assert_eq!(given.client_request_id, "his-4711");
		assert_eq!(first.fields["severity"], "mild");
		assert!(fields(&["code"]).unwrap_err().contains("NAME=VALUE"));
		assert!(fields(&["code=a", "code=b"]).unwrap_err().contains("twice"));
	}

	#[test]
	fn fields_come_from_a_json_object_file() {
		let dir = tempfile::tempdir().unwrap();
		let file = dir.path().join("fields.json");
		std::fs::write(&file, r#"{"diagnosis": "asthma", "notes": null}"#).unwrap();
		let fields = fields_from_file(&file).unwrap();
		assert_eq!(fields["diagnosis"], "asthma");
		std::fs::write(&file, "[1, 2]").unwrap();
		assert!(fields_from_file(&file).unwrap_err().contains("not a JSON object"));
	}
}
