//! `medchain consent`: a hospital asks a patient for a share; the patient approves or denies.
//! Each is a transaction signed by the asker or the patient.

use medchain_app_api::fields;
use medchain_client::{runtime_api, Chain};
use medchain_primitives::{
	shares::{FieldSelection, TokenKey},
	RecordType,
};
use medchain_runtime::{Runtime, RuntimeCall, RuntimeEvent};
use serde_json::{json, Value};

use crate::{
	args::{ConsentCommand, Scope},
	connect::{self, account, Context},
	share::{given_or_new, hash32, purpose_of},
};

const MILLIS_PER_HOUR: u64 = 3_600_000;

pub async fn run(context: &Context, command: ConsentCommand) -> crate::Result<Value> {
	let chain = context.chain()?;
	match command {
		ConsentCommand::Request { scope, operator } => {
			let operator = connect::key(&operator, "the hospital operator's")?;
			let call = request_call(&chain, scope).await?;
			let (block, events) = connect::submit(&chain, &operator, call).await?;
			events
				.iter()
				.find_map(|event| match event {
					RuntimeEvent::Shares(pallet_shares::Event::ConsentRequested {
						request,
						requester,
						expires_at,
						..
					}) => Some(json!({
						"request": request,
						"requester": requester,
						"expiresAtBlock": expires_at,
						"block": format!("{block:?}"),
					})),
					_ => None,
				})
				.ok_or_else(|| "the chain recorded no consent request".to_string())
		}
		ConsentCommand::Pending { patient, after, limit } => {
			let patient = account(&patient)?;
			let pending = chain
				.call(runtime_api::PENDING_CONSENT_REQUESTS, (patient, after, limit), None)
				.await?;
			let mut requests = Vec::new();
			for (id, request) in pending {
				let first = request.records.first().copied();
				let record_type = match first {
					Some(record) => {
						chain.call(runtime_api::RECORD, record, None).await?.map(|r| r.record_type)
					}
					None => None,
				};
				requests.push(json!({
					"request": id,
					"requester": request.requester,
					"records": request.records.iter().map(|r| format!("0x{}", hex::encode(r))).collect::<Vec<_>>(),
					"fields": field_names(request.fields, record_type),
					"durationBlocks": request.duration,
					"purpose": request.purpose.code(),
					"expiresAtBlock": request.expires_at,
				}));
			}
			Ok(json!({ "requests": requests }))
		}
		ConsentCommand::Approve { request, token_key, max_uses, patient } => {
			let patient = connect::key(&patient, "the patient's")?;
			let (token, key) = given_or_new(token_key);
			let token_key = TokenKey::from_raw(hash32("--token-key", &key)?);
			let approve = pallet_shares::Call::approve_consent { request, token_key, max_uses };
			let (block, events) =
				connect::submit(&chain, &patient, RuntimeCall::Shares(approve)).await?;
			let grant = events.iter().find_map(|event| match event {
				RuntimeEvent::Shares(pallet_shares::Event::ConsentApproved { grant, .. }) => {
					Some(*grant)
				}
				_ => None,
			});
			let mut report = json!({
				"request": request,
				"grantId": grant,
				"tokenKey": key,
				"block": format!("{block:?}"),
			});
			if let Some(token) = token {
				report["token"] = token;
			}
			Ok(report)
		}
		ConsentCommand::Deny { request, patient } => {
			let patient = connect::key(&patient, "the patient's")?;
			let deny = pallet_shares::Call::deny_consent { request };
			let (block, _) = connect::submit(&chain, &patient, RuntimeCall::Shares(deny)).await?;
			Ok(json!({ "request": request, "denied": true, "block": format!("{block:?}") }))
		}
	}
}

/// `request_consent` for `scope`: the records' types name the fields, and the block time
/// turns hours into blocks.
async fn request_call(chain: &Chain, scope: Scope) -> crate::Result<RuntimeCall> {
	let patient = account(&scope.patient)?;
	let mut records = Vec::new();
	let mut types: Vec<RecordType> = Vec::new();
	for text in &scope.records {
		let id = hash32("--record", text)?;
		let record = chain
			.call(runtime_api::RECORD, id, None)
			.await?
			.ok_or_else(|| format!("record {text} is not anchored"))?;
		records.push(id);
		types.push(record.record_type);
	}
	let fields = match scope.fields.is_empty() {
		true => FieldSelection::AllButNotes,
		false => {
			FieldSelection::Only(fields::field_mask(&types, &scope.fields).map_err(|e| e.message)?)
		}
	};
	if scope.hours == 0 {
		return Err("--hours must be at least 1".into());
	}
	let slot = chain.call(runtime_api::SLOT_DURATION, (), None).await?.max(1);
	let duration = u32::try_from((u64::from(scope.hours) * MILLIS_PER_HOUR).div_ceil(slot))
		.map_err(|_| "--hours is too long")?;
	let max_records = <Runtime as pallet_shares::Config>::MaxRecordsPerGrant::get();
	let records =
		records.try_into().map_err(|_| format!("a request holds at most {max_records} records"))?;
	Ok(RuntimeCall::Shares(pallet_shares::Call::request_consent {
		patient,
		records,
		fields,
		duration,
		purpose: purpose_of(&scope.purpose)?,
	}))
}

/// The names of the fields `selection` asks for, for records of `record_type`.
fn field_names(selection: FieldSelection, record_type: Option<RecordType>) -> Vec<&'static str> {
	let Some(record_type) = record_type else {
		return vec![];
	};
	let mask = selection.mask_for(record_type);
	(0u8..)
		.zip(record_type.fields())
		.filter(|(index, _)| mask.contains(*index))
		.map(|(_, name)| *name)
		.collect()
}
