//! The shared records and their grants: Hospital A's patients, a DIAGNOSIS record of each, and a
//! grant per requester, each final before the levels run.

use std::time::Duration;

use jsonrpsee::http_client::HttpClient;
use medchain_app_api::{
	types::{AnchorStatus, SubmitRecord},
	MedchainApiClient, RecordId,
};
use medchain_primitives::shares::{FieldSelection, GrantTerms, PurposeOfUse, TokenKey};
use medchain_runtime::{Runtime, RuntimeCall};
use medchain_tests::{
	client::{rpc::wait_until, runtime_api, tx, Chain},
	custodian::pseudonym_of,
	network::{LocalNetwork, B, C, D, HOSPITAL_B, HOSPITAL_C, HOSPITAL_D},
	Result,
};
use medchain_token::ShareToken;
use serde_json::json;
use sp_keyring::Sr25519Keyring;
use sp_runtime::BoundedVec;

/// Hospital A's patients whose records are shared (dev accounts that are no hospital's).
pub const PATIENTS: [Sr25519Keyring; 4] =
	[Sr25519Keyring::Ferdie, Sr25519Keyring::Eve, Sr25519Keyring::One, Sr25519Keyring::Two];
/// The requesting hospitals, in turn: node index, hospital id, name.
pub const REQUESTING: [(usize, u32, &str); 3] =
	[(B, HOSPITAL_B, "B"), (C, HOSPITAL_C, "C"), (D, HOSPITAL_D, "D")];

/// How long a grant lasts: longer than any run.
const GRANT_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);
/// How long the records' anchors, and then the grants, may take to be final.
const SETUP_FINALITY: Duration = Duration::from_secs(180);

/// A grant's duration in blocks: [`GRANT_LIFETIME`] at the chain's slot duration.
pub fn grant_duration(slot_millis: u64) -> Result<u32> {
	let blocks = GRANT_LIFETIME.as_millis() / u128::from(slot_millis.max(1));
	u32::try_from(blocks).map_err(|error| format!("a grant of {blocks} blocks: {error}"))
}

fn diagnosis(patient: Sr25519Keyring, index: usize) -> SubmitRecord {
	SubmitRecord {
		client_request_id: format!("bench-access-{index}"),
		patient: pseudonym_of(patient),
		record_type: "DIAGNOSIS".into(),
		fields: json!({ "diagnosis": "influenza A", "doctor": "Dr A", "date": "2026-11-30" })
			.as_object()
			.cloned()
			.unwrap_or_default(),
		valid_until: None,
	}
}

/// Stores a DIAGNOSIS record of each patient at Hospital A (`app`), and waits for their anchors'
/// finality; each patient with their record's id.
pub async fn anchor_records(app: &HttpClient) -> Result<Vec<(Sr25519Keyring, RecordId)>> {
	let records: Vec<SubmitRecord> =
		PATIENTS.iter().enumerate().map(|(index, patient)| diagnosis(*patient, index)).collect();
	let submitted = app.submit_records(records).await.map_err(|error| error.to_string())?;
	let ids: Vec<RecordId> = submitted.iter().map(|record| record.record_id).collect();
	let pending = &ids;
	wait_until("the records' anchors to be final", SETUP_FINALITY, || async move {
		for id in pending {
			let status = app.record_status(*id).await.map_err(|error| error.to_string())?;
			match status.status {
				AnchorStatus::Finalized => {}
				AnchorStatus::Failed => {
					return Err(format!("an anchor failed: {:?}", status.reason))
				}
				_ => return Ok(None),
			}
		}
		Ok(Some(()))
	})
	.await?;
	Ok(PATIENTS.into_iter().zip(ids).collect())
}

/// One requester's grant: whose record, for which hospital, under which token.
pub struct Share {
	pub patient: Sr25519Keyring,
	pub record: RecordId,
	/// Node index, hospital id and name of the requesting hospital.
	pub requester: (usize, u32, &'static str),
	pub token: ShareToken,
}

fn grant_call(share: &Share, duration: u32) -> RuntimeCall {
	let terms = GrantTerms {
		records: BoundedVec::truncate_from(vec![share.record.0]),
		fields: FieldSelection::AllButNotes,
		grantee: Some(share.requester.1),
		duration,
		max_uses: None,
		purpose: PurposeOfUse::Treatment,
		token_key: share.token.public_key(),
	};
	RuntimeCall::Shares(pallet_shares::Call::create_grant { terms })
}

/// Creates every share's grant, signed by its patient. Grants of all of Hospital A's patients
/// count against one limit per block (`MaxNewSharesPerHospitalPerBlock`), so at most that many
/// patients sign at once, each one grant per block (the next once the last is in a block).
pub async fn create_grants(chain: &Chain, shares: &[Share], duration: u32) -> Result<()> {
	let at_once = (<Runtime as pallet_shares::Config>::MaxNewSharesPerHospitalPerBlock::get()
		as usize)
		.max(1);
	for patients in PATIENTS.chunks(at_once) {
		let signing = patients.iter().map(|patient| async move {
			for share in shares.iter().filter(|share| share.patient == *patient) {
				let call = grant_call(share, duration);
				tx::submit_and_follow(chain, &patient.pair(), call, tx::Head::Best)
					.await?
					.succeeded()?;
			}
			Ok::<(), String>(())
		});
		futures::future::try_join_all(signing).await?;
	}
	Ok(())
}

/// Waits until each requesting hospital's node has finalized the grants of its requesters.
pub async fn wait_grants_final(net: &LocalNetwork, shares: &[Share]) -> Result<()> {
	for (node, _, hospital) in REQUESTING {
		let chain = net.nodes[node].chain()?;
		let keys: Vec<TokenKey> = shares
			.iter()
			.filter(|share| share.requester.0 == node)
			.map(|share| share.token.public_key())
			.collect();
		let (chain, keys) = (&chain, &keys);
		let what = format!("Hospital {hospital}'s node to finalize its requesters' grants");
		wait_until(&what, SETUP_FINALITY, || async move {
			let (finalized, _) = chain.finalized_head().await?;
			for key in keys {
				if chain.call(runtime_api::GRANT_BY_TOKEN, *key, Some(finalized)).await?.is_none() {
					return Ok(None);
				}
			}
			Ok(Some(()))
		})
		.await?;
	}
	Ok(())
}
