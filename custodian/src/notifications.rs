//! `medchain_subscribe`: the finalized events that concern a patient or a hospital, as
//! documented JSON notifications (`medchain_app_api::types::Notification`).
//!
//! One task ([`follow`]) decodes each finalized block's events into notifications once, and
//! [`Feed`] hands them to every subscriber, which keeps those of its [`Subject`]; the node's
//! RPC streams them.

use std::sync::Arc;

use medchain_app_api::{
	auth::Holder,
	types::{Notification, NotificationKind, SubscribeFilter},
	ErrorCode, Hash32,
};
use medchain_primitives::{
	access::{AccessKind, Accessor},
	shares::Grantor,
	HospitalId,
};
use medchain_runtime::{AccountId, BlockNumber, RuntimeEvent};
use sp_core::H256;
use tokio::sync::broadcast;

use crate::{error::chain_error, follower::next_block, Custodian, Result};

/// Who a subscriber follows.
#[derive(Clone, Debug)]
pub enum Subject {
	/// One patient pseudonym.
	Patient(AccountId),
	/// One hospital.
	Hospital(HospitalId),
}

impl Subject {
	/// Whether `notification` concerns this subject.
	pub fn concerned(&self, notification: &Notification) -> bool {
		match self {
			Subject::Patient(patient) => {
				notification.patient.0 == *AsRef::<[u8; 32]>::as_ref(patient)
			}
			Subject::Hospital(hospital) => notification.hospitals.contains(hospital),
		}
	}
}

/// How many finalized blocks of notifications a subscriber may fall behind; past that it is
/// dropped, not waited for.
pub const FEED_BLOCKS: usize = 256;

/// Every notification of one finalized block, shared by the subscribers.
pub type BlockNotifications = Arc<Vec<Notification>>;

/// The finalized blocks' notifications, for every subscriber.
pub struct Feed(broadcast::Sender<BlockNotifications>);

impl Default for Feed {
	fn default() -> Self {
		Self(broadcast::channel(FEED_BLOCKS).0)
	}
}

impl Feed {
	/// The notifications of every block finalized from now on.
	pub fn subscribe(&self) -> broadcast::Receiver<BlockNotifications> {
		self.0.subscribe()
	}
}

/// Decodes each finalized block's notifications once, while anyone subscribes, until the node
/// stops.
pub async fn follow(custodian: Arc<Custodian>) {
	let mut blocks = custodian.follower.subscribe();
	let mut last: Option<BlockNumber> = None;
	loop {
		let Some(block) = next_block(&mut blocks, IDLE).await else { continue };
		// Blocks skipped because the follower's queue overflowed (a long finality stall ending)
		// are read again: a subscriber misses no block it could be told of.
		let from = last
			.map_or(block.number, |last| last.saturating_add(1))
			.max(block.number.saturating_sub(FEED_BLOCKS as BlockNumber));
		last = last.max(Some(block.number));
		if custodian.notifications.0.receiver_count() == 0 {
			continue;
		}
		for number in from..=block.number {
			let hash = match number == block.number {
				true => block.hash,
				false => match custodian.chain.hash(number) {
					Ok(Some(hash)) => hash,
					_ => continue,
				},
			};
			match for_block(&custodian, hash, number) {
				Ok(notifications) => {
					custodian.metrics.notification_blocks.inc();
					// No subscriber left is not an error.
					let _ = custodian.notifications.0.send(Arc::new(notifications));
				}
				Err(error) => log::warn!(target: "medchain::notifications", "{error}"),
			}
		}
	}
}

/// How long the task waits for a block before it looks again.
const IDLE: std::time::Duration = std::time::Duration::from_secs(60);

/// The notifications of finalized block `hash` (number `number`), in event order.
fn for_block(
	custodian: &Custodian,
	hash: H256,
	number: BlockNumber,
) -> std::result::Result<Vec<Notification>, String> {
	let unavailable = |error: String| format!("reading block {number}: {error}");
	let chain = &custodian.chain;
	let mut notifications = Vec::new();
	for record in custodian.follower.events(hash).map_err(unavailable)?.iter().cloned() {
		let base = |kind, patient: &AccountId, mut hospitals: Vec<HospitalId>| {
			hospitals.sort_unstable();
			hospitals.dedup();
			Notification {
				block: number,
				block_hash: Hash32(hash.0),
				kind,
				patient: (*AsRef::<[u8; 32]>::as_ref(patient)).into(),
				hospitals,
				grant_id: None,
				record_id: None,
				access_id: None,
				consent_request_id: None,
			}
		};
		let grant_parties =
			|grant: u64| -> std::result::Result<Option<(AccountId, Vec<HospitalId>)>, String> {
				Ok(chain.grant(hash, grant)?.map(|grant| {
					let mut hospitals: Vec<HospitalId> = grant.terms.grantee.into_iter().collect();
					match grant.grantor {
						Grantor::Custodian(custodian) => hospitals.push(custodian),
						Grantor::ConsentRequest { requester, .. } => hospitals.push(requester),
						Grantor::Patient => {}
					}
					(grant.patient, hospitals)
				}))
			};
		let notification = match record.event {
			RuntimeEvent::Records(pallet_records::Event::RecordAnchored {
				record_id,
				custodian,
				patient,
				..
			}) => Some(Notification {
				record_id: Some(record_id.into()),
				..base(NotificationKind::RecordAnchored, &patient, vec![custodian])
			}),
			RuntimeEvent::Records(pallet_records::Event::RecordErased { record_id, .. }) => {
				chain.anchor(hash, record_id).map_err(unavailable)?.map(|anchor| Notification {
					record_id: Some(record_id.into()),
					..base(NotificationKind::RecordErased, &anchor.patient, vec![anchor.custodian])
				})
			}
			RuntimeEvent::Shares(pallet_shares::Event::ConsentRequested {
				request,
				patient,
				requester,
				..
			}) => Some(Notification {
				consent_request_id: Some(request),
				..base(NotificationKind::ConsentRequested, &patient, vec![requester])
			}),
			RuntimeEvent::Shares(pallet_shares::Event::ConsentDenied {
				request,
				patient,
				requester,
			}) => Some(Notification {
				consent_request_id: Some(request),
				..base(NotificationKind::ConsentDenied, &patient, vec![requester])
			}),
			RuntimeEvent::Shares(pallet_shares::Event::ConsentApproved { request, grant }) => {
				grant_parties(grant).map_err(unavailable)?.map(|(patient, hospitals)| {
					Notification {
						consent_request_id: Some(request),
						grant_id: Some(grant),
						..base(NotificationKind::ConsentApproved, &patient, hospitals)
					}
				})
			}
			RuntimeEvent::Shares(pallet_shares::Event::GrantCreated { grant, .. }) => {
				grant_parties(grant).map_err(unavailable)?.map(|(patient, hospitals)| {
					Notification {
						grant_id: Some(grant),
						..base(NotificationKind::ShareCreated, &patient, hospitals)
					}
				})
			}
			RuntimeEvent::Shares(pallet_shares::Event::GrantRevoked { grant, .. }) => {
				grant_parties(grant).map_err(unavailable)?.map(|(patient, hospitals)| {
					Notification {
						grant_id: Some(grant),
						..base(NotificationKind::ShareRevoked, &patient, hospitals)
					}
				})
			}
			RuntimeEvent::AccessLog(pallet_access_log::Event::AccessRecorded {
				access, ..
			}) => chain.access_entry(hash, access).map_err(unavailable)?.and_then(|entry| {
				let kind = match entry.kind {
					AccessKind::Normal { .. } => NotificationKind::ShareUsed,
					AccessKind::Emergency { .. } => NotificationKind::EmergencyAccess,
					AccessKind::Patient => return None,
				};
				let mut hospitals = vec![entry.custodian];
				if let Accessor::Hospital(accessor) = entry.accessor {
					hospitals.push(accessor);
				}
				let grant_id = match entry.kind {
					AccessKind::Normal { grant } => Some(grant),
					_ => None,
				};
				Some(Notification {
					access_id: Some(access),
					grant_id,
					record_id: Some(entry.record.into()),
					..base(kind, &entry.patient, hospitals)
				})
			}),
			_ => None,
		};
		notifications.extend(notification);
	}
	Ok(notifications)
}

impl Custodian {
	/// `medchain_subscribe`: whom `holder` follows with `filter` (a patient token its own
	/// patient only; a node its own hospital and the patients it registered), and the feed.
	pub fn subscribe(
		&self,
		holder: &Holder,
		filter: SubscribeFilter,
	) -> Result<(Subject, broadcast::Receiver<BlockNotifications>)> {
		let own = self.hospital;
		if let Some(bound) = holder.patient {
			if filter.patient.map(|asked| asked.0) != Some(bound) || filter.hospital.is_some() {
				return Err(ErrorCode::Forbidden.error(format!(
					"a patient token follows its own patient only (0x{})",
					hex::encode(bound)
				)));
			}
		}
		let subject = match (filter.patient, filter.hospital) {
			(Some(patient), None) => Subject::Patient(self.own_patient(&patient)?),
			(None, Some(hospital)) if hospital == own => Subject::Hospital(hospital),
			(None, Some(hospital)) => {
				return Err(ErrorCode::Forbidden
					.error(format!("this node follows hospital {own}, not hospital {hospital}")))
			}
			_ => {
				return Err(ErrorCode::InvalidSubscribeFilter
					.error("name exactly one of patient and hospital"))
			}
		};
		Ok((subject, self.notifications.subscribe()))
	}

	/// `patient`, if this hospital registered it: a node streams only its own patients' events.
	fn own_patient(&self, patient: &medchain_app_api::AccountId) -> Result<AccountId> {
		let patient = AccountId::from(patient.0);
		let finalized = self.chain.info().finalized_hash;
		let registered =
			self.chain.registering_hospital(finalized, &patient).map_err(chain_error)?;
		if registered != Some(self.hospital) {
			return Err(ErrorCode::Forbidden.error("this hospital did not register this patient"));
		}
		Ok(patient)
	}
}
