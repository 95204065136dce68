//! Records an app keeps here: submission into the store (anchored by the outbox), where each
//! one's anchor stands, and its erasure.

use medchain_app_api::{
	auth::{Holder, Role},
	challenge, fields, prescription, time,
	types::{
		to_hex, AnchorStatus, ErasureReceipt, ErasureStatus, PatientApproval, RecordStatus,
		SubmitRecord, SubmittedRecord,
	},
	ErrorCode, Hash32,
};
use medchain_primitives::commitment::RecordId;
use medchain_store::{AnchorState, NewRecord, StoreError, StoredReceipt, StoredRecord};

use crate::{error::in_store, Custodian, Progress, Result};

// The store's bound on one submission is the API's.
const _: () =
	assert!(medchain_store::MAX_BULK_RECORDS == medchain_app_api::limits::MAX_BULK_RECORDS);

impl Custodian {
	/// `medchain_submitRecord(s)`: stores `records` for the `submitter` token, each once per
	/// client request id; the outbox anchors them.
	pub async fn submit(
		&self,
		submitter: &Holder,
		records: Vec<SubmitRecord>,
	) -> Result<Vec<SubmittedRecord>> {
		if self.is_pharmacy(self.chain.info().best_hash)? {
			return Err(ErrorCode::Forbidden
				.error("this node is a pharmacy's: pharmacies keep no records, they fill them"));
		}
		let new_records = records
			.iter()
			.map(|record| new_record(submitter.id, record))
			.collect::<Result<Vec<_>>>()?;
		let store = self.store.clone();
		let receipts = in_store(move || store.submit(&new_records)).await?;
		let created = receipts.iter().filter(|receipt| receipt.created).count();
		if created > 0 {
			self.metrics.records_stored.inc_by(u64::try_from(created).unwrap_or(u64::MAX));
			self.wake.notify_one();
		}
		Ok(receipts.into_iter().map(submitted).collect())
	}

	/// `medchain_recordStatus`.
	pub async fn record_status(&self, id: RecordId) -> Result<RecordStatus> {
		let (stored, due) = self.stored(id).await?;
		let mut status = RecordStatus {
			record_id: id.into(),
			status: AnchorStatus::Stored,
			field_root: stored.field_root.into(),
			block_number: None,
			transaction: None,
			reason: None,
			erasure: self.erasure(id, &stored, due),
		};
		match stored.state {
			AnchorState::Anchored { block } => {
				status.status = AnchorStatus::Finalized;
				status.block_number = Some(block);
			}
			AnchorState::Failed { reason } => {
				status.status = AnchorStatus::Failed;
				status.reason = Some(reason);
			}
			AnchorState::Stored => match self.tracker.get(&id) {
				Some(Progress::Submitted { tx }) => {
					status.status = AnchorStatus::Submitted;
					status.transaction = Some(Hash32(tx.0));
				}
				Some(Progress::InBlock { tx, block }) => {
					status.status = AnchorStatus::InBlock;
					status.transaction = Some(Hash32(tx.0));
					status.block_number = Some(block);
				}
				Some(Progress::Retrying { error }) => status.reason = Some(error),
				None => {}
			},
		}
		Ok(status)
	}

	/// `medchain_eraseRecord`: an admin erases on the hospital's authority; an app or the
	/// patient's own token only with the patient's approval.
	pub async fn erase_record(
		&self,
		holder: &Holder,
		id: RecordId,
		patient_approval: Option<PatientApproval>,
	) -> Result<ErasureReceipt> {
		let (stored, due) = self.stored(id).await?;
		acting_for(holder, &stored)?;
		if holder.role != Role::Admin {
			let approval = patient_approval.ok_or_else(|| {
				ErrorCode::Forbidden.error(format!(
					"role {} may erase a record only with the patient's approval (patientApproval)",
					holder.role.name()
				))
			})?;
			self.check_patient_signature(
				id,
				holder,
				&stored,
				&approval.challenge,
				&approval.signature,
				challenge::erase_message,
			)?;
		}
		if let Some(erasure) = self.erasure(id, &stored, due) {
			return Ok(erasure);
		}
		match stored.state {
			AnchorState::Anchored { .. } => {}
			// Never on chain and never will be: the data key is destroyed here, with no chain
			// event, so a record sent with a wrong pseudonym does not stay readable.
			AnchorState::Failed { .. } => return self.shred_unanchored(id).await,
			AnchorState::Stored => {
				return Err(ErrorCode::RecordNotAnchored.error(format!(
					"record {} is not anchored on chain yet; erase it once its status is finalized or failed",
					to_hex(&id)
				)))
			}
		}
		let _permit = self.app_transaction_permit()?;
		let tx = self.erasures.request(id).await.map_err(|error| {
			ErrorCode::TransactionRefused.error(format!("the pool refused the erase: {error}"))
		})?;
		if let Ok(mut requested) = self.erase_requests.lock() {
			requested.insert(id, tx);
		}
		Ok(ErasureReceipt {
			record_id: id.into(),
			status: ErasureStatus::Requested,
			transaction: Some(Hash32(tx.0)),
			due_block: None,
			key_id: None,
			retired_epoch: None,
		})
	}

	/// Destroys the data key of record `id`, whose anchor failed.
	async fn shred_unanchored(&self, id: RecordId) -> Result<ErasureReceipt> {
		let store = self.store.clone();
		let receipts = in_store(move || store.shred(&[id])).await?;
		let receipt = receipts
			.into_iter()
			.next()
			.ok_or_else(|| ErrorCode::StoreUnavailable.error("the store returned no receipt"))?;
		log::info!(
			target: "medchain::erasure",
			"record 0x{} (anchor failed) erased: data key {} destroyed with KEK epoch {}",
			hex::encode(id),
			hex::encode(receipt.key_id),
			receipt.retired_epoch
		);
		Ok(ErasureReceipt {
			record_id: id.into(),
			status: ErasureStatus::Erased,
			transaction: None,
			due_block: None,
			key_id: Some(to_hex(&receipt.key_id)),
			retired_epoch: Some(receipt.retired_epoch),
		})
	}

	/// Record `id` as stored, and when its scheduled erasure is due.
	pub(crate) async fn stored(&self, id: RecordId) -> Result<(StoredRecord, Option<u32>)> {
		let store = self.store.clone();
		let (stored, due) =
			in_store(move || Ok::<_, StoreError>((store.record(&id)?, store.erasure_due(&id)?)))
				.await?;
		let stored = stored
			.ok_or_else(|| ErrorCode::RecordNotFound.error(format!("no record {}", to_hex(&id))))?;
		Ok((stored, due))
	}

	/// Where record `id`'s erasure stands, if one was asked for.
	fn erasure(
		&self,
		id: RecordId,
		stored: &StoredRecord,
		due: Option<u32>,
	) -> Option<ErasureReceipt> {
		let mut receipt = ErasureReceipt {
			record_id: id.into(),
			status: ErasureStatus::Requested,
			transaction: None,
			due_block: None,
			key_id: None,
			retired_epoch: None,
		};
		if let Some(shred) = &stored.erased {
			receipt.status = ErasureStatus::Erased;
			receipt.key_id = Some(to_hex(&shred.key_id));
			receipt.retired_epoch = Some(shred.retired_epoch);
		} else if let Some(due) = due {
			receipt.status = ErasureStatus::Scheduled;
			receipt.due_block = Some(due);
		} else {
			let requested = self.erase_requests.lock().ok()?.get(&id).copied()?;
			receipt.transaction = Some(Hash32(requested.0));
		}
		Some(receipt)
	}
}

/// Refuses a `patient` token asking about another patient's record.
pub(crate) fn acting_for(holder: &Holder, stored: &StoredRecord) -> Result<()> {
	if holder.may_act_for(&stored.patient) {
		return Ok(());
	}
	Err(ErrorCode::Forbidden.error("this patient token acts for another patient"))
}

/// `record` as the store takes it, its request id scoped to the `submitter` token.
fn new_record(submitter: [u8; 32], record: &SubmitRecord) -> Result<NewRecord> {
	let record_type = fields::record_type(&record.record_type)?;
	Ok(NewRecord {
		submitter,
		client_request_id: fields::client_request_id(&record.client_request_id)?.to_owned(),
		patient: record.patient.0,
		record_type,
		values: fields::values(record_type, &record.fields)?,
		prescription: prescription::terms(
			record_type,
			&record.fields,
			record.valid_until.as_deref(),
			time::now_unix_millis(),
		)?,
	})
}

fn submitted(receipt: StoredReceipt) -> SubmittedRecord {
	let status = match receipt.state {
		AnchorState::Stored => AnchorStatus::Stored,
		AnchorState::Anchored { .. } => AnchorStatus::Finalized,
		AnchorState::Failed { .. } => AnchorStatus::Failed,
	};
	SubmittedRecord {
		record_id: receipt.record_id.into(),
		field_root: receipt.field_root.into(),
		status,
	}
}
