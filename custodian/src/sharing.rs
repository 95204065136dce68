//! The requester's side of sharing: a share token opens a record held by another hospital.
//!
//! `accessShared` finds the grant from the token, asks the chain whether it opens the record
//! (`SharesApi::check_use`: each refusal its own error), has
//! the token sign the access, logs it with the operator key and waits for finality, then
//! fetches the fields over the release protocol and verifies them against the anchor.

use medchain_app_api::{fields, types::to_hex, AccessShared, ErrorCode, RetryAccess, SharedFields};
use medchain_primitives::{
	access::{AccessId, AccessKind},
	commitment::RecordId,
	records::RecordStatus,
	release::verify_release,
	shares::{AccessRequest, GrantId, GrantRefusal, GrantStatus, PurposeOfUse},
	RecordType,
};
use medchain_runtime::{RuntimeCall, RuntimeError, RuntimeEvent};
use medchain_token::ShareToken;
use sp_runtime::DispatchError;

use crate::{
	chain::{ChainGrant, ChainInfo},
	error::{chain_error, not_final_yet},
	follower::error_name,
	protocol::{fetch, FetchError, Refusal},
	release::fields_json,
	signer::Watched,
	Custodian, Error, FINALITY_WAIT,
};

/// Blocks an access request signed by the token stays valid for.
const ACCESS_VALIDITY_BLOCKS: u32 = medchain_runtime::MINUTES;
/// How often a fetch is tried while the custodian has not finalized the entry yet, and the
/// pause between tries. The custodian waits a few seconds itself for an entry its best chain
/// holds, so a retry is needed only when it has not imported the entry's block yet.
const FINALITY_RETRIES: u32 = 10;
const FINALITY_RETRY_PAUSE: std::time::Duration = std::time::Duration::from_millis(300);

/// `medchain_accessShared`, counted in `medchain_accesses_total`.
pub async fn access_shared(
	custodian: &Custodian,
	request: AccessShared,
) -> Result<SharedFields, Error> {
	let result = open_shared(custodian, request).await;
	let (outcome, reason) = access_outcome_label(&result);
	custodian.metrics.accesses.with_label_values(&[outcome, &reason]).inc();
	result
}

/// An `accessShared` result as the metrics count it: `granted` once the chain logged the entry
/// (even if the fields did not arrive), `pending` while the transaction waits in the pool, else
/// `refused` with the error's name.
fn access_outcome_label(result: &Result<SharedFields, Error>) -> (&'static str, String) {
	let Err(error) = result else { return ("granted", String::new()) };
	let code = error.code;
	let logged = match code {
		ErrorCode::CustodianUnavailable
		| ErrorCode::ReleaseRefused
		| ErrorCode::FieldsUnverified => true,
		// Logged in a block that is not final yet, or still in the pool with nothing logged.
		ErrorCode::NotFinalYet => {
			let access = error.data.as_ref().and_then(|data| data.get("accessId"));
			if !access.is_some_and(serde_json::Value::is_u64) {
				return ("pending", format!("{code:?}"));
			}
			true
		}
		_ => false,
	};
	(if logged { "granted" } else { "refused" }, format!("{code:?}"))
}

/// The grant `token` opens and its checks for reading `record_id` for `purpose`, at the best
/// block of `info`: the chain's own rules, so that an access that would fail is not sent.
fn check_access(
	custodian: &Custodian,
	info: &ChainInfo,
	token: &ShareToken,
	record_id: RecordId,
	purpose: PurposeOfUse,
) -> Result<(GrantId, ChainGrant), Error> {
	let chain = &custodian.chain;
	let best = info.best_hash;
	let grant_id =
		chain.grant_by_token(best, token.public_key()).map_err(chain_error)?.ok_or_else(|| {
			ErrorCode::ShareNotFound.error(
				"no grant opens with this token: never created, or pruned a day after it expired",
			)
		})?;
	let grant = chain
		.grant(best, grant_id)
		.map_err(chain_error)?
		.ok_or_else(|| ErrorCode::ShareNotFound.error(format!("grant {grant_id} was pruned")))?;
	// The chain's own rules, at the state the access will meet: one that would fail is not sent.
	let checked = chain.check_use(best, grant_id, record_id, custodian.hospital, purpose);
	if let Err(refusal) = checked.map_err(chain_error)? {
		return Err(refused(refusal, grant_id, &grant, &record_id));
	}
	let anchor = chain
		.anchor(best, record_id)
		.map_err(chain_error)?
		.ok_or_else(|| ErrorCode::RecordNotFound.error("the record has no anchor"))?;
	match anchor.status {
		RecordStatus::Active => {}
		RecordStatus::Erased { .. } => {
			return Err(
				ErrorCode::RecordErased.error(format!("record {} was erased", to_hex(&record_id)))
			)
		}
		RecordStatus::Amended { .. } => {
			return Err(ErrorCode::AccessRefused.error(format!(
				"record {} was amended: its newer version must be shared",
				to_hex(&record_id)
			)))
		}
	}
	if anchor.record_type != RecordType::Prescription && custodian.is_pharmacy(best)? {
		return Err(ErrorCode::AccessRefused.error(format!(
			"record {} is no prescription: a pharmacy opens prescriptions only",
			to_hex(&record_id)
		)));
	}
	if anchor.patient != grant.patient {
		return Err(ErrorCode::RecordNotShared.error(format!(
			"grant {grant_id} is another patient's than record {}",
			to_hex(&record_id)
		)));
	}
	Ok((grant_id, grant))
}

async fn open_shared(custodian: &Custodian, request: AccessShared) -> Result<SharedFields, Error> {
	let record_id = request.record_id.0;
	let token = ShareToken::parse(&request.share_token)
		.map_err(|error| ErrorCode::InvalidShareToken.error(error.to_string()))?;
	let purpose = PurposeOfUse::from_code(&request.purpose).ok_or_else(|| {
		ErrorCode::InvalidPurpose
			.error(format!("{:?} is not an HL7 PurposeOfUse code (e.g. TREAT)", request.purpose))
	})?;
	// Each use signs the grant's use count: a second use of the token waits for the first.
	let turn =
		custodian.token_turns.take(token.public_key(), FINALITY_WAIT).await.map_err(|no_turn| {
			ErrorCode::Busy
				.error(format!("this share token is in use on this node: {no_turn}; retry shortly"))
		})?;
	// The newest state: the one the access will meet. A best block on a fork that finality
	// has just abandoned loses its state: the checks then run again at the new best block.
	let mut info = custodian.chain.info();
	let (grant_id, grant) = match check_access(custodian, &info, &token, record_id, purpose) {
		Err(error)
			if error.code == ErrorCode::StoreUnavailable
				&& custodian.chain.info().best_hash != info.best_hash =>
		{
			info = custodian.chain.info();
			check_access(custodian, &info, &token, record_id, purpose)?
		}
		checked => checked?,
	};

	let access_request = AccessRequest {
		genesis_hash: info.genesis_hash.into(),
		grant: grant_id,
		record: record_id,
		accessor: custodian.hospital,
		purpose,
		uses: grant.uses,
		valid_until: info.best_number.saturating_add(ACCESS_VALIDITY_BLOCKS),
	};
	let signature = token.sign(&access_request);
	drop(token);
	let call = RuntimeCall::AccessLog(pallet_access_log::Call::access {
		grant: grant_id,
		record: record_id,
		purpose,
		uses: access_request.uses,
		valid_until: access_request.valid_until,
		signature,
	});
	let watched = custodian.send_app_transaction(call, "access_log.access").await;
	drop(turn);
	let watched = watched?;
	let Watched::Included { block, index, finalized } = watched else {
		return Err(not_final_yet(watched, None));
	};
	let access = access_outcome(custodian, block, index)?;
	if !finalized {
		// The custodian releases only finalized entries.
		return Err(not_final_yet(watched, Some(access)));
	}
	fetch_verified(custodian, access).await
}

/// The error for the chain's refusal of a use of `grant` (id `grant_id`) for `record`.
fn refused(refusal: GrantRefusal, grant_id: u64, grant: &ChainGrant, record: &RecordId) -> Error {
	match refusal {
		GrantRefusal::GrantNotFound => {
			ErrorCode::ShareNotFound.error(format!("grant {grant_id} was pruned"))
		}
		GrantRefusal::GrantRevoked => {
			let at = match grant.status {
				GrantStatus::Revoked { at, .. } => at.to_string(),
				GrantStatus::Active => "?".into(),
			};
			ErrorCode::ShareRevoked.error(format!("grant {grant_id} was revoked at block {at}"))
		}
		GrantRefusal::GrantExpired => ErrorCode::ShareExpired
			.error(format!("grant {grant_id} expired at block {}", grant.expires_at)),
		GrantRefusal::WrongGrantee => ErrorCode::ShareWrongHospital.error(format!(
			"access denied for this hospital: grant {grant_id} is for another hospital"
		)),
		GrantRefusal::UsesExhausted => ErrorCode::ShareUsesExhausted
			.error(format!("grant {grant_id} was used {} times, its maximum", grant.uses)),
		GrantRefusal::RecordNotInGrant => ErrorCode::RecordNotShared
			.error(format!("grant {grant_id} does not cover record {}", to_hex(record))),
		GrantRefusal::PurposeMismatch => ErrorCode::PurposeMismatch
			.error(format!("grant {grant_id} is for purpose {}", grant.terms.purpose.code())),
		other => ErrorCode::AccessRefused.error(format!("grant {grant_id}: {other:?}")),
	}
}

/// The access id transaction `index` of `block` recorded, or the chain's refusal.
fn access_outcome(
	custodian: &Custodian,
	block: sp_core::H256,
	index: u32,
) -> Result<AccessId, Error> {
	let outcome = custodian.follower.outcome(block, index).map_err(chain_error)?;
	if let Some(error) = outcome.error {
		return Err(refusal_of(error));
	}
	outcome
		.events
		.iter()
		.find_map(|event| match event {
			RuntimeEvent::AccessLog(pallet_access_log::Event::AccessRecorded {
				access, ..
			}) => Some(*access),
			_ => None,
		})
		.ok_or_else(|| ErrorCode::AccessRefused.error("the access transaction recorded no entry"))
}

/// The error for the chain's refusal of an access.
fn refusal_of(error: DispatchError) -> Error {
	use pallet_access_log::Error;
	let message = format!("the chain refused the access: {}", error_name(error));
	let Some(RuntimeError::AccessLog(error)) = RuntimeError::from_dispatch_error(error) else {
		return ErrorCode::AccessRefused.error(message);
	};
	let code = match error {
		Error::GrantNotFound => ErrorCode::ShareNotFound,
		Error::GrantRevoked => ErrorCode::ShareRevoked,
		Error::GrantExpired => ErrorCode::ShareExpired,
		Error::WrongGrantee => ErrorCode::ShareWrongHospital,
		Error::UsesExhausted => ErrorCode::ShareUsesExhausted,
		Error::RecordNotInGrant => ErrorCode::RecordNotShared,
		Error::PurposeMismatch => ErrorCode::PurposeMismatch,
		Error::RecordIsErased => ErrorCode::RecordErased,
		_ => ErrorCode::AccessRefused,
	};
	code.error(message)
}

/// `medchain_retryAccess`: the fields of access `request.access_id`, for the holder of the
/// token the access was made with.
pub async fn retry(custodian: &Custodian, request: RetryAccess) -> Result<SharedFields, Error> {
	let token = ShareToken::parse(&request.share_token)
		.map_err(|error| ErrorCode::InvalidShareToken.error(error.to_string()))?;
	let access = request.access_id;
	let not_logged = || {
		ErrorCode::AccessNotLogged
			.error(format!("no finalized access {access} with this share token"))
	};
	let chain = &custodian.chain;
	let info = chain.info();
	// The token's own entry, final or only in the best chain; anyone else learns nothing.
	let token_opens = |at| -> Result<bool, Error> {
		let Some(entry) = chain.access_entry(at, access).map_err(chain_error)? else {
			return Ok(false);
		};
		let AccessKind::Normal { grant } = entry.kind else { return Ok(false) };
		let grant = chain.grant(at, grant).map_err(chain_error)?;
		Ok(grant.is_some_and(|grant| grant.terms.token_key == token.public_key()))
	};
	if token_opens(info.finalized_hash)? {
		return fetch_verified(custodian, access).await;
	}
	if token_opens(info.best_hash)? {
		return Err(ErrorCode::NotFinalYet.error_with_data(
			format!("access {access} is in a block that is not final yet; the custodian releases only finalized entries"),
			serde_json::json!({ "accessId": access }),
		));
	}
	Err(not_logged())
}

/// The last step of `medchain_accessShared` and `medchain_retryAccess`: the fields of the
/// finalized grant access `access`, fetched from the custodian and verified.
async fn fetch_verified(custodian: &Custodian, access: AccessId) -> Result<SharedFields, Error> {
	let chain = &custodian.chain;
	let finalized = chain.info().finalized_hash;
	let entry = chain
		.access_entry(finalized, access)
		.map_err(chain_error)?
		// Whose entry it is, the custodian decides: it serves only the accessor's nodes.
		.filter(|entry| matches!(entry.kind, AccessKind::Normal { .. }))
		.ok_or_else(|| {
			ErrorCode::AccessNotLogged.error(format!("no finalized share access entry {access}"))
		})?;
	let unavailable = |why: String| {
		ErrorCode::CustodianUnavailable.error_with_data(
			format!("custodian hospital {} unavailable: {why}; retryAccess({access}) while the entry is inside its release lifetime", entry.custodian),
			serde_json::json!({ "accessId": access, "custodian": entry.custodian }),
		)
	};
	let peers = chain
		.member_nodes(finalized, entry.custodian)
		.map_err(chain_error)?
		.ok_or_else(|| unavailable("the custodian is not an active hospital".into()))?;
	// The custodian's node may finalize the entry's block a moment after this node does.
	let mut attempts = 0;
	let fetched = loop {
		let fetched = fetch(&*custodian.network, &peers, access).await;
		attempts += 1;
		match fetched {
			Err(FetchError::Refused(Refusal::EntryNotFinalized)) if attempts < FINALITY_RETRIES => {
				tokio::time::sleep(FINALITY_RETRY_PAUSE).await;
			}
			other => break other,
		}
	};
	let released = fetched.map_err(|error| match error {
		FetchError::Unavailable(why) => unavailable(why),
		// The entry is final here: a custodian that still does not see it is behind (catching
		// up after a restart, say), and the fields can be fetched again.
		FetchError::Refused(Refusal::EntryNotFinalized) => {
			unavailable("its node has not finalized the access entry yet".into())
		}
		FetchError::Refused(refusal) => ErrorCode::ReleaseRefused
			.error(format!("the custodian refused access {access}: {}", refusal.describe())),
		FetchError::Malformed => {
			ErrorCode::FieldsUnverified.error("the custodian's answer does not decode")
		}
	})?;

	let anchor = chain
		.anchor(finalized, entry.record)
		.map_err(chain_error)?
		.ok_or_else(|| ErrorCode::RecordNotFound.error("the record has no anchor"))?;
	let record_type = anchor.record_type;
	let verified =
		verify_release(&anchor.field_root, &entry.record, record_type, entry.fields, &released);
	if !verified {
		return Err(ErrorCode::FieldsUnverified.error(format!(
			"the fields released for access {access} do not verify against the anchor of record {}",
			to_hex(&entry.record)
		)));
	}
	Ok(SharedFields {
		record_id: entry.record.into(),
		record_type: fields::type_name(record_type).to_owned(),
		fields: fields_json(record_type, &released),
		field_root: anchor.field_root.into(),
		access_id: access,
		custodian: entry.custodian,
	})
}

#[cfg(test)]
mod tests {
	use std::sync::Arc;

	use medchain_primitives::{
		access::AccessKind,
		records::Record,
		shares::{FieldSelection, Grant, GrantTerms, Grantor},
		FieldMask, HospitalId, RecordType,
	};
	use medchain_runtime::Runtime;
	use sp_core::H256;

	use super::*;
	use crate::{
		chain::ChainGrant,
		pool::TransactionStatus,
		testing::{applied, custodian, patient, InMemoryChain, RecordingPool, HOSPITAL},
	};

	const RECORD: RecordId = [4; 32];
	const GRANT: u64 = 7;
	/// The custodian keeping the record; the test node, [`HOSPITAL`], is the accessor.
	const KEEPER: HospitalId = 3;

	struct Setup {
		_dir: tempfile::TempDir,
		chain: Arc<InMemoryChain>,
		pool: Arc<RecordingPool>,
		custodian: Arc<Custodian>,
		token: ShareToken,
	}

	/// A valid share of [`RECORD`] for treatment at [`HOSPITAL`], at best block 10.
	fn shared() -> Setup {
		let dir = tempfile::tempdir().unwrap();
		let (chain, pool) =
			(Arc::new(InMemoryChain::default()), Arc::new(RecordingPool::default()));
		let (custodian, _) = custodian(dir.path(), chain.clone(), pool.clone());
		let token = ShareToken::generate();
		let grant: ChainGrant = Grant {
			patient: patient("Ferdie"),
			terms: GrantTerms {
				records: vec![RECORD],
				fields: FieldSelection::AllButNotes,
				grantee: Some(HOSPITAL),
				duration: 100,
				max_uses: Some(2),
				purpose: PurposeOfUse::Treatment,
				token_key: token.public_key(),
			},
			grantor: Grantor::Patient,
			created_at: 1,
			expires_at: 101,
			uses: 0,
			status: GrantStatus::Active,
		};
		let anchor = Record {
			patient: patient("Ferdie"),
			custodian: KEEPER,
			record_type: RecordType::Diagnosis,
			field_root: [5; 32],
			ciphertext_digest: [6; 32],
			version: 1,
			previous: None,
			status: RecordStatus::Active,
			block: 2,
			time: 0,
		};
		chain.with(|state| {
			state.tokens.insert(token.public_key(), GRANT);
			state.grants.insert(GRANT, grant);
			state.anchors.insert(RECORD, anchor);
		});
		Setup { _dir: dir, chain, pool, custodian, token }
	}

	fn request(token: &ShareToken, purpose: &str) -> AccessShared {
		AccessShared {
			share_token: token.as_str().to_owned(),
			record_id: RECORD.into(),
			purpose: purpose.into(),
		}
	}

	#[tokio::test]
	async fn each_refusal_has_its_own_code_and_sends_no_transaction() {
		let refused = |change: fn(&mut crate::testing::ChainState), purpose: &'static str| async move {
			let Setup { _dir, chain, pool, custodian, token } = shared();
			chain.with(change);
			let error = access_shared(&custodian, request(&token, purpose)).await.unwrap_err();
			assert!(pool.accepted.lock().unwrap().is_empty(), "{error}: a transaction was sent");
			let refused = custodian
				.metrics
				.accesses
				.with_label_values(&["refused", &format!("{:?}", error.code)]);
			assert_eq!(refused.get(), 1);
			error.code
		};
		let unchanged = |_: &mut crate::testing::ChainState| {};
		assert_eq!(refused(unchanged, "NOPE").await, ErrorCode::InvalidPurpose);
		assert_eq!(refused(|state| state.tokens.clear(), "TREAT").await, ErrorCode::ShareNotFound);
		assert_eq!(refused(|state| state.grants.clear(), "TREAT").await, ErrorCode::ShareNotFound);
		let revoke = |state: &mut crate::testing::ChainState| {
			let grant = state.grants.get_mut(&GRANT).unwrap();
			grant.status = GrantStatus::Revoked { at: 9, by: patient("Ferdie") };
		};
		assert_eq!(refused(revoke, "TREAT").await, ErrorCode::ShareRevoked);
		let expire = |state: &mut crate::testing::ChainState| {
			state.grants.get_mut(&GRANT).unwrap().expires_at = 10;
		};
		assert_eq!(refused(expire, "TREAT").await, ErrorCode::ShareExpired);
		let elsewhere = |state: &mut crate::testing::ChainState| {
			state.grants.get_mut(&GRANT).unwrap().terms.grantee = Some(KEEPER);
		};
		assert_eq!(refused(elsewhere, "TREAT").await, ErrorCode::ShareWrongHospital);
		let used_up = |state: &mut crate::testing::ChainState| {
			state.grants.get_mut(&GRANT).unwrap().uses = 2;
		};
		assert_eq!(refused(used_up, "TREAT").await, ErrorCode::ShareUsesExhausted);
		let other_record = |state: &mut crate::testing::ChainState| {
			state.grants.get_mut(&GRANT).unwrap().terms.records = vec![[9; 32]];
		};
		assert_eq!(refused(other_record, "TREAT").await, ErrorCode::RecordNotShared);
		assert_eq!(
			refused(|state| state.anchors.clear(), "TREAT").await,
			ErrorCode::RecordNotFound
		);
		let erased = |state: &mut crate::testing::ChainState| {
			state.anchors.get_mut(&RECORD).unwrap().status =
				RecordStatus::Erased { at: 9, time: 0, by: patient("Ferdie") };
		};
		assert_eq!(refused(erased, "TREAT").await, ErrorCode::RecordErased);
		let amended = |state: &mut crate::testing::ChainState| {
			state.anchors.get_mut(&RECORD).unwrap().status = RecordStatus::Amended { by: [8; 32] };
		};
		assert_eq!(refused(amended, "TREAT").await, ErrorCode::AccessRefused);
		let another_patients = |state: &mut crate::testing::ChainState| {
			state.anchors.get_mut(&RECORD).unwrap().patient = patient("Eve");
		};
		assert_eq!(refused(another_patients, "TREAT").await, ErrorCode::RecordNotShared);
		assert_eq!(refused(unchanged, "ETREAT").await, ErrorCode::PurposeMismatch);
	}

	#[tokio::test]
	async fn an_access_checked_at_a_best_block_whose_state_is_gone_is_checked_at_the_next() {
		let Setup { _dir, chain, pool, custodian, token } = shared();
		chain.with(|state| {
			let gone = state.info.best_hash;
			let moved_on = ChainInfo {
				best_hash: crate::testing::block_hash(11),
				best_number: 11,
				..state.info
			};
			state.abandoned = Some((gone, moved_on));
		});
		let access = {
			let (custodian, request) = (custodian.clone(), request(&token, "TREAT"));
			tokio::spawn(async move { access_shared(&custodian, request).await })
		};
		while pool.watched() == 0 {
			assert!(!access.is_finished(), "answered without an access: {:?}", access.await);
			tokio::time::sleep(std::time::Duration::from_millis(5)).await;
		}
		let calls = pool.calls();
		let [RuntimeCall::AccessLog(pallet_access_log::Call::access { valid_until, .. })] =
			calls.as_slice()
		else {
			panic!("not one access: {calls:?}");
		};
		assert_eq!(*valid_until, 11 + ACCESS_VALIDITY_BLOCKS, "signed at the new best block");
		access.abort();
	}

	#[tokio::test]
	async fn an_access_the_token_signed_is_logged_and_the_chains_refusal_is_named() {
		let Setup { _dir, chain, pool, custodian, token } = shared();
		let custodian = custodian.clone();
		let access = {
			let (custodian, request) = (custodian.clone(), request(&token, "TREAT"));
			tokio::spawn(async move { access_shared(&custodian, request).await })
		};
		while pool.watched() == 0 {
			tokio::time::sleep(std::time::Duration::from_millis(5)).await;
		}
		let calls = pool.calls();
		let [RuntimeCall::AccessLog(pallet_access_log::Call::access {
			grant,
			record,
			purpose,
			uses,
			valid_until,
			signature,
		})] = calls.as_slice()
		else {
			panic!("not one access: {calls:?}");
		};
		assert_eq!(
			(*grant, *record, *purpose, *uses, *valid_until),
			(GRANT, RECORD, PurposeOfUse::Treatment, 0, 10 + ACCESS_VALIDITY_BLOCKS)
		);
		let signed = AccessRequest {
			genesis_hash: custodian.chain.info().genesis_hash.into(),
			grant: GRANT,
			record: RECORD,
			accessor: HOSPITAL,
			purpose: PurposeOfUse::Treatment,
			uses: 0,
			valid_until: 10 + ACCESS_VALIDITY_BLOCKS,
		};
		assert!(signed.is_signed_by(&token.public_key(), signature), "the token signed the access");

		// The chain logs access 4; the custodian's node is not reachable.
		let block = H256::repeat_byte(9);
		let entry = medchain_primitives::access::AccessEntry {
			kind: AccessKind::Normal { grant: GRANT },
			record: RECORD,
			patient: patient("Ferdie"),
			accessor: medchain_primitives::access::Accessor::Hospital(HOSPITAL),
			custodian: KEEPER,
			fields: FieldMask::only(0),
			purpose: PurposeOfUse::Treatment,
			block: 9,
			time: 0,
			release: None,
		};
		chain.with(|state| {
			state.entries.insert(4, entry);
			state.events.insert(
				block,
				applied(
					2,
					RuntimeEvent::AccessLog(pallet_access_log::Event::AccessRecorded {
						access: 4,
						kind: AccessKind::Normal { grant: GRANT },
						record: RECORD,
						custodian: KEEPER,
						fields: FieldMask::only(0),
					}),
				),
			);
		});
		pool.report(0, TransactionStatus::Finalized((block, 2)));
		let error = access.await.unwrap().unwrap_err();
		assert_eq!(error.code, ErrorCode::CustodianUnavailable, "{error}");
		assert_eq!(error.data.as_ref().map(|data| data["accessId"].clone()), Some(4.into()));
		let granted =
			custodian.metrics.accesses.with_label_values(&["granted", "CustodianUnavailable"]);
		assert_eq!(granted.get(), 1, "logged on chain: counted as granted");

		// The same, refused at dispatch: the access log's error names the code.
		let access = {
			let (custodian, request) = (custodian.clone(), request(&token, "TREAT"));
			tokio::spawn(async move { access_shared(&custodian, request).await })
		};
		while pool.watched() < 2 {
			tokio::time::sleep(std::time::Duration::from_millis(5)).await;
		}
		let dispatch_error: DispatchError =
			pallet_access_log::Error::<Runtime>::UsesExhausted.into();
		chain.with(|state| {
			state.events.insert(
				block,
				applied(
					3,
					RuntimeEvent::System(frame_system::Event::ExtrinsicFailed {
						dispatch_error,
						dispatch_info: Default::default(),
					}),
				),
			);
		});
		pool.report(1, TransactionStatus::Finalized((block, 3)));
		let error = access.await.unwrap().unwrap_err();
		assert_eq!(error.code, ErrorCode::ShareUsesExhausted, "{error}");
	}
}
