//! Shares this custodian creates and revokes for its patients: the terms an app gives, the
//! consent message the patient signs, and the `create_grant_for` and `revoke` transactions.

use medchain_app_api::{
	consent,
	time::{now_unix_millis, rfc3339},
	types::to_hex,
	CreateShare, CreatedShare, ErrorCode, Hash32, RevokedShare, ShareConsent, ShareTerms,
};
use medchain_primitives::shares::{grant_consent_message, GrantStatus, GrantTerms, Grantor};
use medchain_runtime::{AccountId, BlockNumber, Runtime, RuntimeCall, RuntimeEvent};
use sp_core::{sr25519, Pair, H256};
use sp_runtime::{BoundedVec, MultiSignature};

use crate::{
	error::{chain_error, not_final_yet},
	follower::error_name,
	signer::Watched,
	Custodian, Error,
};

/// Blocks a consent stays usable after `prepareShare`.
const CONSENT_WINDOW_BLOCKS: u32 = 10 * medchain_runtime::MINUTES;

type Terms = GrantTerms<
	BoundedVec<[u8; 32], <Runtime as pallet_shares::Config>::MaxRecordsPerGrant>,
	BlockNumber,
>;

fn invalid(message: impl Into<String>) -> Error {
	ErrorCode::InvalidShareTerms.error(message)
}

/// The block time, in milliseconds.
fn slot_millis(custodian: &Custodian, at: H256) -> Result<u64, Error> {
	custodian.chain.slot_millis(at).map_err(chain_error)
}

/// The patient and the chain's terms for `terms`, checked against the chain at `at`.
fn grant_terms(
	custodian: &Custodian,
	at: H256,
	terms: &ShareTerms,
) -> Result<(AccountId, Terms), Error> {
	let records = consent::record_ids(terms)?;
	let mut types = Vec::with_capacity(records.len());
	for id in &records {
		let anchor = custodian.chain.anchor(at, *id).map_err(chain_error)?.ok_or_else(|| {
			ErrorCode::RecordNotFound.error(format!("record {} is not anchored", to_hex(id)))
		})?;
		if anchor.custodian != custodian.hospital {
			return Err(invalid(format!(
				"record {} is kept by hospital {}, not this one",
				to_hex(id),
				anchor.custodian
			)));
		}
		types.push(anchor.record_type);
	}
	let (patient, terms) =
		consent::chain_terms(terms, records, &types, slot_millis(custodian, at)?)?;
	let records = BoundedVec::try_from(terms.records).map_err(|records: Vec<_>| {
		invalid(format!(
			"{} records; a share holds at most {}",
			records.len(),
			<Runtime as pallet_shares::Config>::MaxRecordsPerGrant::get()
		))
	})?;
	let GrantTerms { fields, grantee, duration, max_uses, purpose, token_key, .. } = terms;
	let terms = GrantTerms { records, fields, grantee, duration, max_uses, purpose, token_key };
	Ok((AccountId::from(patient), terms))
}

/// `medchain_prepareShare`.
pub fn prepare(custodian: &Custodian, terms: ShareTerms) -> Result<ShareConsent, Error> {
	let info = custodian.chain.info();
	let (patient, terms) = grant_terms(custodian, info.best_hash, &terms)?;
	let nonce = custodian.chain.consent_nonce(info.best_hash, &patient).map_err(chain_error)?;
	let deadline = info.best_number.saturating_add(CONSENT_WINDOW_BLOCKS);
	let message =
		grant_consent_message(&info.genesis_hash.into(), &patient, &terms, nonce, &deadline);
	Ok(ShareConsent { message: to_hex(&message), nonce, deadline, duration_blocks: terms.duration })
}

/// `medchain_createShare`.
pub async fn create(custodian: &Custodian, share: CreateShare) -> Result<CreatedShare, Error> {
	let info = custodian.chain.info();
	let (patient, terms) = grant_terms(custodian, info.best_hash, &share.terms)?;
	let signature = share
		.patient_signature
		.strip_prefix("0x")
		.and_then(|hex| <[u8; 64]>::try_from(hex::decode(hex).ok()?).ok())
		.map(sr25519::Signature::from_raw)
		.ok_or_else(|| {
			ErrorCode::SignatureInvalid.error("patientSignature is not 0x-hex of 64 bytes")
		})?;
	let message = grant_consent_message(
		&info.genesis_hash.into(),
		&patient,
		&terms,
		share.nonce,
		&share.deadline,
	);
	let public = sr25519::Public::from_raw(patient.clone().into());
	if share.deadline <= info.best_number {
		return Err(ErrorCode::ShareRefused.error(format!(
			"the consent's deadline, block {}, has passed: prepare the share again",
			share.deadline
		)));
	}
	let nonce = custodian.chain.consent_nonce(info.best_hash, &patient).map_err(chain_error)?;
	if share.nonce != nonce {
		return Err(ErrorCode::ShareRefused.error(format!(
			"the consent carries nonce {}, the patient's next is {nonce}: prepare the share again",
			share.nonce
		)));
	}
	if !sr25519::Pair::verify(&signature, &message, &public) {
		return Err(ErrorCode::SignatureInvalid.error(
			"patientSignature is not the patient's signature of these terms with this nonce and deadline",
		));
	}
	let call = RuntimeCall::Shares(pallet_shares::Call::create_grant_for {
		patient,
		terms,
		nonce: share.nonce,
		deadline: share.deadline,
		signature: MultiSignature::Sr25519(signature),
	});
	let (block, index) = finalize(custodian, call).await?;
	let (grant_id, expires_at_block) = outcome(custodian, block, index, |event| match event {
		RuntimeEvent::Shares(pallet_shares::Event::GrantCreated { grant, expires_at, .. }) => {
			Some((*grant, *expires_at))
		}
		_ => None,
	})?;
	let finalized = custodian.chain.info().finalized_number;
	let blocks_left = u64::from(expires_at_block.saturating_sub(finalized));
	let millis = blocks_left.saturating_mul(slot_millis(custodian, block)?);
	let expires_at = rfc3339(now_unix_millis().saturating_add(millis));
	custodian.metrics.shares_created.inc();
	Ok(CreatedShare { grant_id, expires_at_block, expires_at })
}

/// `medchain_revokeShare`: checked at the best block first, so a revoke that would fail
/// makes no transaction.
pub async fn revoke(custodian: &Custodian, grant_id: u64) -> Result<RevokedShare, Error> {
	let info = custodian.chain.info();
	let grant =
		custodian.chain.grant(info.best_hash, grant_id).map_err(chain_error)?.ok_or_else(|| {
			ErrorCode::ShareNotFound.error(format!("no grant {grant_id} in state"))
		})?;
	if grant.grantor != Grantor::Custodian(custodian.hospital) {
		return Err(ErrorCode::Forbidden.error(format!(
			"grant {grant_id} was not created by this hospital; its patient or its grantor revokes it"
		)));
	}
	if grant.status != GrantStatus::Active {
		return Err(ErrorCode::ShareRevoked.error(format!("grant {grant_id} is revoked already")));
	}
	if info.best_number.saturating_add(1) >= grant.expires_at {
		return Err(ErrorCode::ShareExpired.error(format!("grant {grant_id} has expired")));
	}
	// Concurrent revocations of one grant all pass the check above: only the first is sent.
	let _revoking = Revoking::start(custodian, grant_id).ok_or_else(|| {
		ErrorCode::Busy.error(format!("grant {grant_id} is being revoked already"))
	})?;
	let call = RuntimeCall::Shares(pallet_shares::Call::revoke { grant: grant_id });
	let (block, index) = finalize(custodian, call).await?;
	outcome(custodian, block, index, |event| match event {
		RuntimeEvent::Shares(pallet_shares::Event::GrantRevoked { grant, .. })
			if *grant == grant_id =>
		{
			Some(())
		}
		_ => None,
	})?;
	Ok(RevokedShare { grant_id, block: Hash32(block.0) })
}

/// A revocation under way: its grant is in `Custodian::revoking` until this is dropped.
struct Revoking<'a> {
	custodian: &'a Custodian,
	grant: u64,
}

impl<'a> Revoking<'a> {
	/// Marks `grant` as being revoked; `None` if it already is.
	fn start(custodian: &'a Custodian, grant: u64) -> Option<Self> {
		let fresh = custodian.revoking.lock().ok()?.insert(grant);
		fresh.then_some(Self { custodian, grant })
	}
}

impl Drop for Revoking<'_> {
	fn drop(&mut self) {
		if let Ok(mut revoking) = self.custodian.revoking.lock() {
			revoking.remove(&self.grant);
		}
	}
}

/// Sends an app-triggered `call` and waits until it is final: its block and index.
async fn finalize(custodian: &Custodian, call: RuntimeCall) -> Result<(H256, u32), Error> {
	let watched = custodian.send_app_transaction(call, "the share transaction").await?;
	match watched {
		Watched::Included { block, index, finalized: true } => Ok((block, index)),
		_ => Err(not_final_yet(watched, None)),
	}
}

/// What `pick` finds in the events of finalized transaction `index` of `block`, or the chain's
/// refusal.
fn outcome<T>(
	custodian: &Custodian,
	block: H256,
	index: u32,
	pick: impl Fn(&RuntimeEvent) -> Option<T>,
) -> Result<T, Error> {
	let outcome = custodian.follower.outcome(block, index).map_err(chain_error)?;
	if let Some(error) = outcome.error {
		return Err(ErrorCode::ShareRefused
			.error(format!("the chain refused the share: {}", error_name(error))));
	}
	outcome
		.events
		.iter()
		.find_map(pick)
		.ok_or_else(|| ErrorCode::ShareRefused.error("the transaction emitted no share event"))
}
