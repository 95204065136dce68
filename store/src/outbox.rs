//! The outbox: stored records waiting to be anchored, oldest first.

use codec::{Decode, Encode};
use medchain_primitives::{commitment::RecordId, prescription::PrescriptionRequest, RecordType};
use redb::{Durability, ReadableDatabase, ReadableTable, ReadableTableMetadata};

use crate::{
	decode_record,
	schema::{AnchorState, OUTBOX, PRESCRIPTIONS, RECORDS},
	Result, Store, StoreError,
};

/// What an anchor of a stored record needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingAnchor {
	/// The record's id.
	pub record_id: RecordId,
	/// The anchor's request id.
	pub request_id: [u8; 32],
	/// The patient pseudonym.
	pub patient: [u8; 32],
	/// The record's type.
	pub record_type: RecordType,
	/// The Merkle root of its field leaves.
	pub field_root: [u8; 32],
	/// The digest of its sealed bytes.
	pub ciphertext_digest: [u8; 32],
	/// A prescription's terms.
	pub prescription: Option<PrescriptionRequest>,
}

impl Store {
	/// The oldest `limit` records in the outbox.
	pub fn pending_anchors(&self, limit: usize) -> Result<Vec<PendingAnchor>> {
		let read = self.records()?.begin_read().map_err(redb::Error::from)?;
		let outbox = read.open_table(OUTBOX).map_err(redb::Error::from)?;
		let records = read.open_table(RECORDS).map_err(redb::Error::from)?;
		let prescriptions = read.open_table(PRESCRIPTIONS).map_err(redb::Error::from)?;
		let mut pending = Vec::new();
		for entry in outbox.iter().map_err(redb::Error::from)?.take(limit) {
			let record_id = entry.map_err(redb::Error::from)?.1.value();
			let Some(bytes) = records.get(record_id).map_err(redb::Error::from)? else { continue };
			let stored = decode_record(bytes.value())?;
			// A prescription stored before terms were kept has none: the chain refuses its
			// anchor (`PrescriptionTermsMissing`), and the record is marked failed with that.
			let prescription = match stored.record_type {
				RecordType::Prescription => prescription_terms(&prescriptions, &record_id)?,
				_ => None,
			};
			pending.push(PendingAnchor {
				record_id,
				request_id: stored.request_id,
				patient: stored.patient,
				record_type: stored.record_type,
				field_root: stored.field_root,
				ciphertext_digest: stored.ciphertext_digest,
				prescription,
			});
		}
		Ok(pending)
	}

	/// How many records wait in the outbox.
	pub fn outbox_len(&self) -> Result<u64> {
		let read = self.records()?.begin_read().map_err(redb::Error::from)?;
		let outbox = read.open_table(OUTBOX).map_err(redb::Error::from)?;
		Ok(outbox.len().map_err(redb::Error::from)?)
	}

	/// Refuses `adding` records that would take the outbox past its limit.
	pub(crate) fn check_outbox_room(&self, adding: usize) -> Result<()> {
		let waiting = self.outbox_len()?;
		let after = waiting.saturating_add(u64::try_from(adding).unwrap_or(u64::MAX));
		if after > self.outbox_limit {
			return Err(StoreError::OutboxFull { waiting, adding, limit: self.outbox_limit });
		}
		Ok(())
	}

	/// Records the final outcome of anchors, and takes them out of the outbox, in one durable
	/// commit. `Stored` outcomes, and records settled before, are left as they are. Returns how
	/// many records this call settled as anchored.
	pub fn settle(&self, outcomes: &[(RecordId, AnchorState)]) -> Result<usize> {
		let mut anchored = 0usize;
		let mut write = self.records()?.begin_write().map_err(redb::Error::from)?;
		write.set_durability(Durability::Immediate).map_err(redb::Error::from)?;
		{
			let mut records = write.open_table(RECORDS).map_err(redb::Error::from)?;
			let mut outbox = write.open_table(OUTBOX).map_err(redb::Error::from)?;
			for (record_id, state) in outcomes {
				if *state == AnchorState::Stored {
					continue;
				}
				let Some(bytes) =
					records.get(record_id).map_err(redb::Error::from)?.map(|b| b.value().to_vec())
				else {
					continue;
				};
				let mut stored = decode_record(&bytes)?;
				if stored.state != AnchorState::Stored {
					continue;
				}
				if let Some(position) = stored.outbox.take() {
					outbox.remove(position).map_err(redb::Error::from)?;
				}
				if matches!(state, AnchorState::Anchored { .. }) {
					anchored = anchored.saturating_add(1);
				}
				stored.state = state.clone();
				records.insert(record_id, stored.encode().as_slice()).map_err(redb::Error::from)?;
			}
		}
		write.commit().map_err(redb::Error::from)?;
		Ok(anchored)
	}
}

/// The terms prescription `record_id` was stored with, if any.
fn prescription_terms(
	prescriptions: &redb::ReadOnlyTable<[u8; 32], &[u8]>,
	record_id: &RecordId,
) -> crate::Result<Option<PrescriptionRequest>> {
	let Some(bytes) = prescriptions.get(record_id).map_err(redb::Error::from)? else {
		return Ok(None);
	};
	PrescriptionRequest::decode(&mut bytes.value())
		.map(Some)
		.map_err(|_| StoreError::Inconsistent("undecodable prescription terms".into()))
}
