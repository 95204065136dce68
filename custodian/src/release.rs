//! The custodian's side of the release protocol (`crate::protocol`): it answers a
//! requester's node with the fields of a finalized grant access entry, claimed durably first so
//! that it goes out at most once, then confirms the release on chain with the hash of what it
//! sent (`crate::receipts`).

use std::{
	collections::HashMap,
	sync::{Arc, Mutex},
	time::{Duration, Instant},
};

use codec::Encode;
use futures::StreamExt;
use medchain_primitives::{
	access::{AccessEntry, AccessKind, Accessor},
	commitment::{verify_field, DisclosedField, RecordId},
	records::RecordStatus,
	shares::GrantStatus,
	FieldMask, HospitalId, RecordType,
};
use medchain_runtime::{AccountId, BlockNumber};
use medchain_store::StoreError;
use sc_network::{
	request_responses::{IncomingRequest, OutgoingResponse},
	PeerId, ReputationChange,
};
use sha2::Digest;

use crate::{
	chain::{ChainGrant, ChainInfo},
	follower::next_head,
	protocol::{Refusal, ReleaseRequest, ReleaseResponse, RELEASE_LIFETIME_BLOCKS},
	Custodian,
};

const LOG_TARGET: &str = "medchain::release";

/// How many requests the nodes of one hospital may make together per [`WINDOW`]; more are
/// refused unread.
const REQUESTS_PER_WINDOW: u32 = 20;
const WINDOW: Duration = Duration::from_secs(1);
/// How long a request waits for this node to finalize an entry its best chain holds.
const FINAL_ENTRY_WAIT: Duration = Duration::from_secs(4);
/// What a malformed request, or one over its hospital's limit, costs the peer.
const MISBEHAVIOUR: ReputationChange =
	ReputationChange::new(-(1 << 12), "medchain: bad release request");
/// What a member's node asking for another hospital's entry costs it.
const TRESPASS: ReputationChange = ReputationChange::new(-(1 << 10), "medchain: release trespass");
/// A peer that is no node of an active hospital is disconnected and banned.
const OUTSIDER: ReputationChange = ReputationChange::new_fatal("medchain: release outsider");

/// How many release requests are served at once; the rest wait in the network's queue.
const RELEASES_AT_ONCE: usize = 16;

/// Answers release requests from `requests`, [`RELEASES_AT_ONCE`] at a time, until the network
/// stops.
pub async fn serve(custodian: Arc<Custodian>, requests: async_channel::Receiver<IncomingRequest>) {
	let recent = Mutex::new(RecentRequests::default());
	requests
		.for_each_concurrent(RELEASES_AT_ONCE, |request| serve_one(&custodian, &recent, request))
		.await;
}

/// Answers one request, then records its receipt (or gives the claim back if the answer did
/// not go out).
async fn serve_one(
	custodian: &Custodian,
	recent: &Mutex<RecentRequests>,
	request: IncomingRequest,
) {
	let IncomingRequest { peer, payload, pending_response } = request;
	let mut claimed = None;
	let (answer, penalty) = match answer(custodian, recent, peer, &payload, &pending_response).await
	{
		Ok(released) => {
			claimed = Some((released.access, released.response_hash));
			(Ok(ReleaseResponse::Released(released.fields)), None)
		}
		Err(Turned::Away(penalty)) => (Err(()), Some(penalty)),
		Err(Turned::Refused(refusal, penalty)) => {
			log::debug!(target: LOG_TARGET, "release request from {peer}: refused, {}", refusal.describe());
			(Ok(ReleaseResponse::Refused(refusal)), penalty)
		}
	};
	let (outcome, reason) = match &answer {
		Ok(ReleaseResponse::Released(_)) => ("released", String::new()),
		Ok(ReleaseResponse::Refused(refusal)) => ("refused", format!("{refusal:?}")),
		Err(()) => ("refused", "BadRequest".to_owned()),
	};
	custodian.metrics.releases.with_label_values(&[outcome, &reason]).inc();
	let response = OutgoingResponse {
		result: answer.map(|answer| answer.encode()),
		reputation_changes: penalty.into_iter().collect(),
		sent_feedback: None,
	};
	let went_out = pending_response.send(response).is_ok();
	if let Some((access, response_hash)) = claimed {
		let receipt = match went_out {
			true => custodian.receipts.sent(access, response_hash).await.map(drop),
			false => custodian.receipts.unclaim(access).await,
		};
		if let Err(error) = receipt {
			log::warn!(target: LOG_TARGET, "access {access}: {error}");
		}
	}
}

/// Fields claimed for release: what goes out, and what its receipt records.
struct Released {
	access: medchain_primitives::access::AccessId,
	fields: Vec<DisclosedField>,
	response_hash: [u8; 32],
}

/// Why a request got no fields.
enum Turned {
	/// Not answered at all: malformed, or over its hospital's limit.
	Away(ReputationChange),
	/// Answered with a refusal, at a cost to the peer or not.
	Refused(Refusal, Option<ReputationChange>),
}

/// The fields for one request, after the checks that come before any entry is read: a
/// well-formed request, from a node of an active hospital, within that hospital's limit.
async fn answer(
	custodian: &Custodian,
	recent: &Mutex<RecentRequests>,
	peer: PeerId,
	payload: &[u8],
	pending: &futures::channel::oneshot::Sender<OutgoingResponse>,
) -> Result<Released, Turned> {
	let ReleaseRequest { access } =
		ReleaseRequest::read(payload).ok_or(Turned::Away(MISBEHAVIOUR))?;
	let finalized = custodian.chain.info().finalized_hash;
	// A peer of no active member learns nothing, and costs no further reads.
	let hospital = custodian
		.chain
		.active_member_of_peer(finalized, &peer)
		.map_err(|error| {
			log::warn!(target: LOG_TARGET, "access {access}: {error}");
			Turned::Refused(Refusal::Unavailable, None)
		})?
		.ok_or(Turned::Refused(Refusal::NotAccessorNode, Some(OUTSIDER)))?;
	let admitted = recent.lock().is_ok_and(|mut recent| recent.admit(hospital));
	if !admitted {
		return Err(Turned::Away(MISBEHAVIOUR));
	}
	release(custodian, hospital, access, pending).await.map_err(|refusal| {
		let penalty = matches!(refusal, Refusal::NotAccessorNode).then_some(TRESPASS);
		Turned::Refused(refusal, penalty)
	})
}

/// The requests of each hospital's nodes in the current window: one hospital can't hold the
/// queue, however many node ids it registers.
#[derive(Default)]
struct RecentRequests {
	window_start: Option<Instant>,
	counts: HashMap<HospitalId, u32>,
}

impl RecentRequests {
	/// Counts a request of `hospital`'s nodes; false if it is over its limit.
	fn admit(&mut self, hospital: HospitalId) -> bool {
		let now = Instant::now();
		if self.window_start.is_none_or(|start| now.duration_since(start) >= WINDOW) {
			self.window_start = Some(now);
			self.counts.clear();
		}
		let count = self.counts.entry(hospital).or_default();
		*count = count.saturating_add(1);
		*count <= REQUESTS_PER_WINDOW
	}
}

/// What the custodian's finalized state says about a release, besides the entry itself.
struct Facts<'a> {
	/// This node's hospital.
	custodian: HospitalId,
	/// The active hospital that registered the requesting peer, if any.
	peer_hospital: Option<HospitalId>,
	/// Whether this custodian claimed the entry for a release before.
	served: bool,
	/// The finalized block's number.
	finalized: BlockNumber,
	/// The entry's grant, if it is a grant access and the grant is in state.
	grant: Option<&'a ChainGrant>,
	/// The entry's record's status, if it is anchored.
	record_status: Option<&'a RecordStatus<AccountId, BlockNumber>>,
}

impl Facts<'_> {
	/// The accessor hospital, if `entry` may be released to the requesting peer now.
	fn check(&self, entry: &AccessEntry<AccountId, BlockNumber>) -> Result<HospitalId, Refusal> {
		if entry.custodian != self.custodian {
			return Err(Refusal::NotCustodian);
		}
		let (AccessKind::Normal { .. }, Accessor::Hospital(accessor)) =
			(&entry.kind, &entry.accessor)
		else {
			return Err(Refusal::NotGrantAccess);
		};
		if self.peer_hospital != Some(*accessor) {
			return Err(Refusal::NotAccessorNode);
		}
		if entry.release.is_some() || self.served {
			return Err(Refusal::AlreadyServed);
		}
		if self.finalized > entry.block.saturating_add(RELEASE_LIFETIME_BLOCKS) {
			return Err(Refusal::EntryExpired);
		}
		let grant = self.grant.ok_or(Refusal::GrantNoLongerValid)?;
		if grant.status != GrantStatus::Active || self.finalized >= grant.expires_at {
			return Err(Refusal::GrantNoLongerValid);
		}
		if !matches!(self.record_status, Some(RecordStatus::Active)) {
			return Err(Refusal::RecordErased);
		}
		Ok(*accessor)
	}
}

/// The fields of access entry `access` for a node of `peer_hospital`, once every check holds,
/// claimed for this release.
async fn release(
	custodian: &Custodian,
	peer_hospital: HospitalId,
	access: medchain_primitives::access::AccessId,
	pending: &futures::channel::oneshot::Sender<OutgoingResponse>,
) -> Result<Released, Refusal> {
	let chain = &custodian.chain;
	let unavailable = |error: String| {
		log::warn!(target: LOG_TARGET, "access {access}: {error}");
		Refusal::Unavailable
	};
	let wait = FinalEntryWait { peer_hospital, pending };
	let (info, entry) =
		final_entry(custodian, access, wait).await.map_err(|failure| match failure {
			NotFinal::Chain(error) => unavailable(error),
			NotFinal::Refused(refusal) => refusal,
		})?;
	let finalized = info.finalized_hash;
	let grant = match entry.kind {
		AccessKind::Normal { grant } => chain.grant(finalized, grant).map_err(unavailable)?,
		_ => None,
	};
	let anchor = chain.anchor(finalized, entry.record).map_err(unavailable)?;
	let facts = Facts {
		custodian: custodian.hospital,
		peer_hospital: Some(peer_hospital),
		served: custodian.receipts.claimed(access).await.map_err(unavailable)?,
		finalized: info.finalized_number,
		grant: grant.as_ref(),
		record_status: anchor.as_ref().map(|anchor| &anchor.status),
	};
	let accessor = facts.check(&entry)?;
	let anchor = anchor.ok_or(Refusal::RecordErased)?;

	let disclosure = disclose(custodian, entry.record, entry.fields, &anchor.field_root)
		.await
		.map_err(|failure| match failure {
			NotDisclosed::Erased => Refusal::RecordErased,
			NotDisclosed::Unavailable(error) => unavailable(error),
		})?;
	// Claimed only now, when the fields are ready, and given back if they don't go out. A
	// requester that stopped waiting gets nothing, and the entry stays unserved.
	if pending.is_canceled() {
		return Err(Refusal::Unavailable);
	}
	let Disclosure { fields, response_hash, .. } = disclosure;
	if !custodian.receipts.claim(access, entry.block, response_hash).await.map_err(unavailable)? {
		return Err(Refusal::AlreadyServed);
	}
	log::info!(
		target: LOG_TARGET,
		"access {access}: releasing {} fields of record 0x{} to hospital {accessor}",
		fields.len(),
		hex::encode(entry.record)
	);
	Ok(Released { access, fields, response_hash })
}

/// Why [`final_entry`] has no entry.
enum NotFinal {
	Chain(String),
	Refused(Refusal),
}

/// Whom a wait for an entry's finality is for: a node of `peer_hospital`, whose answer goes to
/// `pending`.
struct FinalEntryWait<'a> {
	peer_hospital: HospitalId,
	pending: &'a futures::channel::oneshot::Sender<OutgoingResponse>,
}

impl FinalEntryWait<'_> {
	/// Whether an entry of the best chain is worth waiting for: this custodian's, accessed by
	/// the requesting hospital, with the requester still waiting. Anything else is refused at
	/// once, so no peer holds a release slot with another hospital's entry.
	fn worth_it(&self, custodian: HospitalId, entry: &AccessEntry<AccountId, BlockNumber>) -> bool {
		entry.custodian == custodian
			&& entry.accessor == Accessor::Hospital(self.peer_hospital)
			&& !self.pending.is_canceled()
	}
}

/// Access entry `access` at this node's finalized head, and the chain's state then. An entry
/// that is only in the best chain yet (the requester's node finalized it a moment earlier) is
/// waited for, at most [`FINAL_ENTRY_WAIT`], if [`FinalEntryWait::worth_it`]; any other is
/// refused at once.
async fn final_entry(
	custodian: &Custodian,
	access: medchain_primitives::access::AccessId,
	wait: FinalEntryWait<'_>,
) -> Result<(ChainInfo, AccessEntry<AccountId, BlockNumber>), NotFinal> {
	let chain = &custodian.chain;
	let mut finalized_blocks = custodian.follower.subscribe();
	let deadline = Instant::now() + FINAL_ENTRY_WAIT;
	loop {
		let info = chain.info();
		if let Some(entry) =
			chain.access_entry(info.finalized_hash, access).map_err(NotFinal::Chain)?
		{
			return Ok((info, entry));
		}
		let in_best_chain = chain.access_entry(info.best_hash, access).map_err(NotFinal::Chain)?;
		let left = deadline.saturating_duration_since(Instant::now());
		let worth_waiting =
			in_best_chain.is_some_and(|entry| wait.worth_it(custodian.hospital, &entry));
		if !worth_waiting || left.is_zero() {
			return Err(NotFinal::Refused(Refusal::EntryNotFinalized));
		}
		next_head(&mut finalized_blocks, left).await;
	}
}

/// What a release sends: the fields, and the hash its on-chain receipt records.
pub(crate) struct Disclosure {
	/// The record's type.
	pub record_type: RecordType,
	/// The fields, each with its salt and proof.
	pub fields: Vec<DisclosedField>,
	/// The SHA-256 of the fields' encoding.
	pub response_hash: [u8; 32],
}

/// Why a record's fields can't be disclosed.
pub(crate) enum NotDisclosed {
	/// The record is erased, or being erased.
	Erased,
	/// The store failed, or the record does not match its anchor.
	Unavailable(String),
}

/// The `mask` fields of record `record_id`, opened from the store and verified against the
/// anchored `field_root`: the one way fields leave the custodian, to a patient or a share.
pub(crate) async fn disclose(
	custodian: &Custodian,
	record_id: RecordId,
	mask: FieldMask,
	field_root: &[u8; 32],
) -> Result<Disclosure, NotDisclosed> {
	let store = custodian.store.clone();
	let opened = tokio::task::spawn_blocking(move || store.open_record(&record_id))
		.await
		.map_err(|error| NotDisclosed::Unavailable(error.to_string()))?
		.map_err(|error| match error {
			StoreError::Erased(_) => NotDisclosed::Erased,
			other => NotDisclosed::Unavailable(other.to_string()),
		})?;
	let record_type = opened.fields.record_type;
	let fields = opened
		.fields
		.disclose(&record_id, mask)
		.map_err(|error| NotDisclosed::Unavailable(format!("{error:?}")))?;
	if !fields.iter().all(|field| verify_field(field_root, &record_id, record_type, field)) {
		log::error!(target: LOG_TARGET, "record 0x{} does not match its anchor", hex::encode(record_id));
		return Err(NotDisclosed::Unavailable(
			"the stored record does not match its anchor".into(),
		));
	}
	let response_hash = sha2::Sha256::digest(fields.encode()).into();
	Ok(Disclosure { record_type, fields, response_hash })
}

/// Released fields as the app API shows them: each field's name and its value (`null` if the
/// record does not have it).
pub fn fields_json(
	record_type: RecordType,
	fields: &[DisclosedField],
) -> serde_json::Map<String, serde_json::Value> {
	let names = record_type.fields();
	fields
		.iter()
		.map(|field| {
			let name = names.get(usize::from(field.index)).copied().unwrap_or("?");
			let value = field.value.as_ref().map_or(serde_json::Value::Null, |bytes| {
				serde_json::Value::String(String::from_utf8_lossy(bytes).into_owned())
			});
			(name.to_owned(), value)
		})
		.collect()
}

#[cfg(test)]
mod tests {
	use medchain_primitives::{
		access::{BreakGlassReason, ReleaseReceipt},
		shares::{FieldSelection, Grant, GrantTerms, Grantor, PurposeOfUse, TokenKey},
		FieldMask,
	};

	use super::*;

	const CUSTODIAN: HospitalId = 0;
	const ACCESSOR: HospitalId = 1;

	fn entry() -> AccessEntry<AccountId, BlockNumber> {
		AccessEntry {
			kind: AccessKind::Normal { grant: 7 },
			record: [1; 32],
			patient: AccountId::new([2; 32]),
			accessor: Accessor::Hospital(ACCESSOR),
			custodian: CUSTODIAN,
			fields: FieldMask::only(0),
			purpose: PurposeOfUse::Treatment,
			block: 10,
			time: 0,
			release: None,
		}
	}

	fn grant() -> Grant<AccountId, BlockNumber, Vec<RecordId>> {
		Grant {
			patient: AccountId::new([2; 32]),
			terms: GrantTerms {
				records: vec![[1; 32]],
				fields: FieldSelection::AllButNotes,
				grantee: Some(ACCESSOR),
				duration: 999,
				max_uses: None,
				purpose: PurposeOfUse::Treatment,
				token_key: TokenKey::from_raw([3; 32]),
			},
			grantor: Grantor::Patient,
			created_at: 1,
			expires_at: 1_000,
			uses: 1,
			status: GrantStatus::Active,
		}
	}

	/// The facts of a valid release of [`entry`], with `grant` and `record_status`.
	fn facts<'a>(
		grant: &'a Grant<AccountId, BlockNumber, Vec<RecordId>>,
		record_status: &'a RecordStatus<AccountId, BlockNumber>,
	) -> Facts<'a> {
		Facts {
			custodian: CUSTODIAN,
			peer_hospital: Some(ACCESSOR),
			served: false,
			finalized: 20,
			grant: Some(grant),
			record_status: Some(record_status),
		}
	}

	#[test]
	fn only_the_accessors_node_gets_a_fresh_valid_entry_once() {
		let (grant, active) = (grant(), RecordStatus::Active);
		let valid = || facts(&grant, &active);
		assert_eq!(valid().check(&entry()), Ok(ACCESSOR));
		let other_custodian = AccessEntry { custodian: 5, ..entry() };
		assert_eq!(valid().check(&other_custodian), Err(Refusal::NotCustodian));
		let emergency = AccessEntry {
			kind: AccessKind::Emergency { reason: BreakGlassReason::LifeThreatening },
			..entry()
		};
		assert_eq!(valid().check(&emergency), Err(Refusal::NotGrantAccess));
		let by_patient = AccessEntry { accessor: Accessor::Patient, ..entry() };
		assert_eq!(valid().check(&by_patient), Err(Refusal::NotGrantAccess));
		for peer_hospital in [None, Some(2)] {
			let other_peer = Facts { peer_hospital, ..valid() };
			assert_eq!(other_peer.check(&entry()), Err(Refusal::NotAccessorNode));
		}
		assert_eq!(Facts { served: true, ..valid() }.check(&entry()), Err(Refusal::AlreadyServed));
		let released = AccessEntry {
			release: Some(ReleaseReceipt { response_hash: [0; 32], block: 11, time: 0 }),
			..entry()
		};
		assert_eq!(valid().check(&released), Err(Refusal::AlreadyServed));
		let last = 10 + RELEASE_LIFETIME_BLOCKS;
		assert_eq!(Facts { finalized: last, ..valid() }.check(&entry()), Ok(ACCESSOR));
		let too_old = Facts { finalized: last + 1, ..valid() };
		assert_eq!(too_old.check(&entry()), Err(Refusal::EntryExpired));
	}

	#[test]
	fn a_revoked_expired_or_pruned_grant_and_an_erased_record_stop_the_release() {
		let (grant, active) = (grant(), RecordStatus::Active);
		let valid = || facts(&grant, &active);
		let refused = |facts: Facts| facts.check(&entry());
		assert_eq!(refused(Facts { grant: None, ..valid() }), Err(Refusal::GrantNoLongerValid));
		let revoked = Grant {
			status: GrantStatus::Revoked { at: 15, by: AccountId::new([2; 32]) },
			..grant.clone()
		};
		assert_eq!(refused(facts(&revoked, &active)), Err(Refusal::GrantNoLongerValid));
		let expired = Grant { expires_at: 20, ..grant.clone() };
		assert_eq!(refused(facts(&expired, &active)), Err(Refusal::GrantNoLongerValid));
		let erased = RecordStatus::Erased { at: 15, time: 0, by: AccountId::new([2; 32]) };
		assert_eq!(refused(facts(&grant, &erased)), Err(Refusal::RecordErased));
		assert_eq!(refused(Facts { record_status: None, ..valid() }), Err(Refusal::RecordErased));
	}

	#[test]
	fn a_hospital_over_its_limit_is_refused_and_others_are_not() {
		let mut recent = RecentRequests::default();
		let (flooder, other) = (2, 3);
		for _ in 0..REQUESTS_PER_WINDOW {
			assert!(recent.admit(flooder));
		}
		assert!(!recent.admit(flooder));
		assert!(recent.admit(other));
		recent.window_start = recent.window_start.and_then(|start| start.checked_sub(WINDOW));
		assert!(recent.admit(flooder), "a new window starts the count again");
	}

	#[tokio::test]
	async fn only_the_requesters_own_entry_in_the_best_chain_is_waited_for() {
		use crate::testing::{custodian, InMemoryChain, RecordingPool};
		let dir = tempfile::tempdir().unwrap();
		let chain = Arc::new(InMemoryChain::default());
		let (custodian, _tasks) =
			custodian(dir.path(), chain.clone(), Arc::new(RecordingPool::default()));
		chain.with(|state| {
			state.entries.insert(5, entry());
			state.unfinalized_entries.insert(5);
		});
		let (answer, _requester) = futures::channel::oneshot::channel();
		let wait = || FinalEntryWait { peer_hospital: ACCESSOR, pending: &answer };
		let unknown = final_entry(&custodian, 6, wait()).await;
		assert!(matches!(unknown, Err(NotFinal::Refused(Refusal::EntryNotFinalized))));
		// Another hospital's entry is not waited for either.
		let stranger = FinalEntryWait { peer_hospital: ACCESSOR + 1, pending: &answer };
		let not_its_own = final_entry(&custodian, 5, stranger).await;
		assert!(matches!(not_its_own, Err(NotFinal::Refused(Refusal::EntryNotFinalized))));

		let finalizes = async {
			tokio::time::sleep(Duration::from_millis(100)).await;
			chain.with(|state| state.unfinalized_entries.clear());
		};
		let (waited, ()) = tokio::join!(final_entry(&custodian, 5, wait()), finalizes);
		let Ok((_, found)) = waited else { panic!("the entry was not waited for") };
		assert_eq!(found, entry());
	}
}
