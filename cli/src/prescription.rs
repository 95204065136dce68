//! `medchain prescription`: issue a prescription, verify it, fill it at a pharmacy, and list
//! its fills.

use medchain_app_api::{
	FillPrescription, MedchainApiClient, PrescriptionVerification, VerifyPrescription,
};
use serde_json::{json, Value};

use crate::{
	args::PrescriptionCommand,
	connect::{self, api_error, Context},
	output::to_json,
	record,
};

pub async fn run(context: &Context, command: PrescriptionCommand) -> crate::Result<Value> {
	match command {
		PrescriptionCommand::Issue { record, refills, valid_until } => {
			record::submit(context, record, "PRESCRIPTION".into(), valid_until, Some(refills)).await
		}
		PrescriptionCommand::Verify { record, with_fields, share_token, purpose } => {
			let share_token = match with_fields || share_token.is_some() {
				true => Some(connect::share_token(share_token)?.as_str().to_owned()),
				false => None,
			};
			let request = VerifyPrescription {
				record_id: connect::record_id(&record)?,
				share_token,
				purpose: Some(purpose),
			};
			to_json(verify(context, request).await?)
		}
		PrescriptionCommand::Fill { record, quantity } => {
			let request = FillPrescription { record_id: connect::record_id(&record)?, quantity };
			let api = context.api()?;
			let filled = api
				.fill_prescription(request)
				.await
				.map_err(|e| api_error("medchain_fillPrescription", e))?;
			to_json(filled)
		}
		PrescriptionCommand::History { record } => {
			let request = VerifyPrescription {
				record_id: connect::record_id(&record)?,
				share_token: None,
				purpose: None,
			};
			let verification = verify(context, request).await?;
			let fills = verification
				.fills
				.iter()
				.map(|fill| {
					json!({
						"fill": fill.fill_no,
						"pharmacy": format!("{} ({})", fill.pharmacy.name, fill.pharmacy.id),
						"quantity": fill.quantity,
						"block": fill.block,
						"time": fill.time,
						"version": fill.record_id,
					})
				})
				.collect::<Vec<_>>();
			Ok(json!({
				"prescription": verification.record_id,
				"prescriber": format!("{} ({})", verification.prescriber.name, verification.prescriber.id),
				"status": verification.status,
				"expiresAt": verification.expires_at,
				"fillsAllowed": verification.fills_allowed,
				"fillsLeft": verification.fills_left,
				"fills": fills,
			}))
		}
	}
}

async fn verify(
	context: &Context,
	request: VerifyPrescription,
) -> crate::Result<PrescriptionVerification> {
	let api = context.api()?;
	api.verify_prescription(request).await.map_err(|e| api_error("medchain_verifyPrescription", e))
}
