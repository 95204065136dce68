//! `medchain share`: tokens (offline), shares (create, revoke) and reading a shared record.

use jsonrpsee::http_client::HttpClient;
use medchain_app_api::{
	AccessShared, CreateShare, MedchainApiClient, RetryAccess, ShareConsent, ShareTerms,
};
use medchain_primitives::shares::{AccessRequest, PurposeOfUse};
use medchain_token::ShareToken;
use serde_json::{json, Value};
use sp_core::bytes::{from_hex, to_hex};

use crate::{
	args::{Reach, Scope, ShareCommand},
	connect::{self, api_error, Context},
	output::to_json,
	signing::sign_consent,
};

pub async fn run(context: &Context, command: ShareCommand) -> crate::Result<Value> {
	match command {
		ShareCommand::NewToken => Ok(new_token().0),
		ShareCommand::TokenKey { share_token } => {
			let token = connect::share_token(share_token)?;
			Ok(json!({ "tokenKey": token_key_of(&token) }))
		}
		ShareCommand::Prepare { scope, reach, token_key } => {
			let terms = terms(scope, reach, token_key)?;
			to_json(prepare(&context.api()?, &terms).await?)
		}
		ShareCommand::Create { scope, reach, token_key, patient, signature, nonce, deadline } => {
			let (token, token_key) = given_or_new(token_key);
			let terms = terms(scope, reach, token_key.clone())?;
			let api = context.api()?;
			let (nonce, deadline, patient_signature) = match (signature, nonce, deadline) {
				(Some(signature), Some(nonce), Some(deadline)) => (nonce, deadline, signature),
				_ => {
					let patient = connect::key(&patient, "the patient's")?;
					let consent = prepare(&api, &terms).await?;
					let signature = sign_consent(
						&context.chain()?,
						&patient,
						&terms,
						consent.nonce,
						consent.deadline,
						Some(&consent.message),
					)
					.await?;
					(consent.nonce, consent.deadline, signature)
				}
			};
			let share = CreateShare { terms, nonce, deadline, patient_signature };
			let created =
				api.create_share(share).await.map_err(|e| api_error("medchain_createShare", e))?;
			let mut report = to_json(created)?;
			report["tokenKey"] = json!(token_key);
			if let Some(token) = token {
				report["token"] = token;
			}
			Ok(report)
		}
		ShareCommand::SignConsent { scope, reach, token_key, nonce, deadline, patient } => {
			let patient = connect::key(&patient, "the patient's")?;
			let terms = terms(scope, reach, token_key)?;
			let chain = context.chain()?;
			let signature = sign_consent(&chain, &patient, &terms, nonce, deadline, None).await?;
			Ok(json!({ "signature": signature }))
		}
		ShareCommand::SignAccess {
			share_token,
			genesis,
			grant,
			record,
			accessor,
			purpose,
			uses,
			valid_until,
		} => {
			let token = connect::share_token(share_token)?;
			let request = AccessRequest {
				genesis_hash: hash32("--genesis", &genesis)?,
				grant,
				record: hash32("--record", &record)?,
				accessor,
				purpose: purpose_of(&purpose)?,
				uses,
				valid_until,
			};
			Ok(json!({ "signature": to_hex(token.sign(&request).as_ref(), false) }))
		}
		ShareCommand::Revoke { grant } => {
			let revoked = context
				.api()?
				.revoke_share(grant)
				.await
				.map_err(|e| api_error("medchain_revokeShare", e))?;
			to_json(revoked)
		}
		ShareCommand::Access { record, purpose, share_token, retry } => {
			let token = connect::share_token(share_token)?;
			let api = context.api()?;
			let fields = match (retry, record) {
				(Some(access_id), _) => {
					let request =
						RetryAccess { share_token: token.as_str().to_string(), access_id };
					api.retry_access(request)
						.await
						.map_err(|e| api_error("medchain_retryAccess", e))
				}
				(None, record) => {
					let request = AccessShared {
						share_token: token.as_str().to_string(),
						record_id: connect::record_id(&record.unwrap_or_default())?,
						purpose,
					};
					api.access_shared(request)
						.await
						.map_err(|e| api_error("medchain_accessShared", e))
				}
			}?;
			to_json(fields)
		}
	}
}

/// A new token: what to print (`token`, `tokenKey`), and the token.
fn new_token() -> (Value, ShareToken) {
	let token = ShareToken::generate();
	(json!({ "token": token.as_str(), "tokenKey": token_key_of(&token) }), token)
}

/// The token key given, or a new token's (the token, to print, and its key). A new token is
/// shown on standard error before the share is sent, so that an answer lost on the way back
/// does not lose the token of a share the chain created.
pub fn given_or_new(token_key: Option<String>) -> (Option<Value>, String) {
	match token_key {
		Some(key) => (None, key),
		None => {
			let (made, token) = new_token();
			eprintln!(
				"new share token (the patient hands it over; it opens the share): {}",
				token.as_str()
			);
			(Some(made["token"].clone()), token_key_of(&token))
		}
	}
}

fn token_key_of(token: &ShareToken) -> String {
	to_hex(token.public_key().as_ref(), false)
}

fn terms(scope: Scope, reach: Reach, token_key: String) -> crate::Result<ShareTerms> {
	Ok(ShareTerms {
		patient: connect::pseudonym(&scope.patient)?,
		record_ids: scope
			.records
			.iter()
			.map(|record| connect::record_id(record))
			.collect::<Result<_, _>>()?,
		fields: (!scope.fields.is_empty()).then_some(scope.fields),
		grantee_hospital: reach.grantee,
		expires_in_hours: scope.hours,
		max_uses: reach.max_uses,
		purpose: scope.purpose,
		token_public: token_key,
	})
}

async fn prepare(api: &HttpClient, terms: &ShareTerms) -> crate::Result<ShareConsent> {
	api.prepare_share(terms.clone()).await.map_err(|e| api_error("medchain_prepareShare", e))
}

pub fn purpose_of(code: &str) -> crate::Result<PurposeOfUse> {
	PurposeOfUse::from_code(code)
		.ok_or_else(|| format!("{code} is not an HL7 PurposeOfUse code (e.g. TREAT, ETREAT)"))
}

pub fn hash32(name: &str, hex: &str) -> crate::Result<[u8; 32]> {
	let bytes = from_hex(hex).map_err(|e| format!("{name} is not hex: {e}"))?;
	bytes.try_into().map_err(|bytes: Vec<u8>| format!("{name} has {} bytes, not 32", bytes.len()))
}
