//! `medchain_subscribe`: the finalized events that concern a patient or a hospital, as
//! documented JSON notifications (`medchain_app_api::types::Notification`).
//!
//! One task ([`follow`]) decodes each finalized block's events into notifications once, and
//! [`Feed`] hands them to every subscriber, which keeps those of its subject.

use std::sync::Arc;

use futures::{future::Either, StreamExt};
use jsonrpsee::{SubscriptionMessage, SubscriptionSink};
use medchain_app_api::{
	types::{to_hex, Notification, NotificationKind},
	ErrorCode,
};
use medchain_primitives::{
	access::{AccessKind, Accessor},
	shares::Grantor,
	HospitalId,
};
use medchain_runtime::{AccountId, RuntimeEvent};
use sc_client_api::{BlockchainEvents, HeaderBackend};
use sp_core::H256;
use tokio::sync::broadcast;

use super::{chain, Custodian};

/// Who a subscriber follows.
#[derive(Clone, Debug)]
pub enum Subject {
	/// One patient pseudonym.
	Patient(AccountId),
	/// One hospital.
	Hospital(HospitalId),
}

impl Subject {
	fn concerned(&self, notification: &Notification) -> bool {
		match self {
			Subject::Patient(patient) => {
				notification.patient == to_hex(AsRef::<[u8; 32]>::as_ref(patient))
			}
			Subject::Hospital(hospital) => notification.hospitals.contains(hospital),
		}
	}
}

/// How many finalized blocks of notifications a subscriber may fall behind; past that it is
/// dropped, not waited for.
const FEED_BLOCKS: usize = 256;

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
	let mut finality = custodian.client.finality_notification_stream();
	while let Some(next) = finality.next().await {
		if custodian.notifications.0.receiver_count() == 0 {
			continue;
		}
		// The blocks finalized since the last notification, oldest first, then the new head.
		for hash in next.tree_route.iter().chain(std::iter::once(&next.hash)) {
			let Ok(Some(number)) = custodian.client.number(*hash) else { continue };
			match for_block(&custodian, *hash, number) {
				Ok(notifications) => {
					custodian.metrics.notification_blocks.inc();
					// No subscriber left is not an error.
					let _ = custodian.notifications.0.send(Arc::new(notifications));
				}
				Err(error) => {
					log::warn!(target: "medchain::rpc", "subscription: {}", error.message())
				}
			}
		}
	}
}

/// Sends `subject`'s notifications from `feed` to `sink`, until the subscriber leaves or falls
/// [`FEED_BLOCKS`] blocks behind.
pub async fn stream(
	mut feed: broadcast::Receiver<BlockNotifications>,
	subject: Subject,
	mut sink: SubscriptionSink,
) {
	loop {
		let block =
			match futures::future::select(Box::pin(sink.closed()), Box::pin(feed.recv())).await {
				Either::Left(_) | Either::Right((Err(_), _)) => return,
				Either::Right((Ok(block), _)) => block,
			};
		for notification in block.iter().filter(|notification| subject.concerned(notification)) {
			let Ok(message) = SubscriptionMessage::from_json(notification) else { continue };
			// A subscriber that does not keep up is dropped, not waited for.
			if sink.try_send(message).is_err() {
				return;
			}
		}
	}
}

/// The notifications of finalized block `hash` (number `number`), in event order.
pub fn for_block(
	custodian: &Custodian,
	hash: H256,
	number: u32,
) -> Result<Vec<Notification>, jsonrpsee::types::ErrorObjectOwned> {
	let unavailable = |error: String| {
		ErrorCode::StoreUnavailable.error(format!("reading block {number}: {error}"))
	};
	let client = &custodian.client;
	let mut notifications = Vec::new();
	for record in chain::events(client, hash).map_err(unavailable)? {
		let base = |kind, patient: &AccountId, mut hospitals: Vec<HospitalId>| {
			hospitals.sort_unstable();
			hospitals.dedup();
			Notification {
				block: number,
				block_hash: to_hex(hash.as_bytes()),
				kind,
				patient: to_hex(AsRef::<[u8; 32]>::as_ref(patient)),
				hospitals,
				grant_id: None,
				record_id: None,
				access_id: None,
				consent_request_id: None,
			}
		};
		let grant_parties = |grant: u64| -> Result<Option<(AccountId, Vec<HospitalId>)>, String> {
			Ok(chain::grant(client, hash, grant)?.map(|grant| {
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
				record_id: Some(to_hex(&record_id)),
				..base(NotificationKind::RecordAnchored, &patient, vec![custodian])
			}),
			RuntimeEvent::Records(pallet_records::Event::RecordErased { record_id, .. }) => {
				chain::anchor(client, hash, record_id).map_err(unavailable)?.map(|anchor| {
					Notification {
						record_id: Some(to_hex(&record_id)),
						..base(
							NotificationKind::RecordErased,
							&anchor.patient,
							vec![anchor.custodian],
						)
					}
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
			}) => chain::access_entry(client, hash, access).map_err(unavailable)?.and_then(|entry| {
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
					record_id: Some(to_hex(&entry.record)),
					..base(kind, &entry.patient, hospitals)
				})
			}),
			_ => None,
		};
		notifications.extend(notification);
	}
	Ok(notifications)
}
