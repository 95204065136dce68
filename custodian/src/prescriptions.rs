//! Prescriptions on a member's node: `verifyPrescription` reads one at the finalized block
//! (and, with the patient's share token, opens its fields as any access does), and
//! `fillPrescription` records a pharmacy's fill once the chain's own rules allow it.

use std::collections::HashMap;

use medchain_app_api::{
	auth::{Holder, Role},
	time::rfc3339,
	types::to_hex,
	AccessShared, ErrorCode, FillPrescription, FilledPrescription, MemberRef, PrescriptionFill,
	PrescriptionVerification, VerifyPrescription,
};
use medchain_primitives::{
	commitment::RecordId, prescription::FillRefusal, records::RecordStatus, HospitalId,
};
use medchain_runtime::{RuntimeCall, RuntimeError, RuntimeEvent};
use pallet_hospitals::{HospitalStatus, MemberKind};
use sp_core::H256;
use sp_runtime::DispatchError;

use crate::{
	chain::Member,
	consortium::status_name,
	error::{chain_error, not_final_yet},
	follower::error_name,
	sharing,
	signer::Watched,
	Custodian, Error, Result,
};

/// The purpose of a prescription's access when the request names none.
const DEFAULT_PURPOSE: &str = "TREAT";

impl Custodian {
	/// `medchain_verifyPrescription`, for `holder`.
	pub async fn verify_prescription(
		&self,
		holder: &Holder,
		request: VerifyPrescription,
	) -> Result<PrescriptionVerification> {
		if request.share_token.is_some() && holder.role != Role::App {
			return Err(ErrorCode::Forbidden
				.error("opening a prescription's fields with a share token needs role app"));
		}
		let mut verification = self.prescription_at_finalized(request.record_id.0)?;
		if let Some(share_token) = request.share_token {
			let purpose = request.purpose.unwrap_or_else(|| DEFAULT_PURPOSE.into());
			let access = AccessShared { share_token, record_id: request.record_id, purpose };
			verification.fields = Some(sharing::access_shared(self, access).await?);
		}
		Ok(verification)
	}

	/// Prescription `record_id` as the finalized block holds it, without fields.
	pub(crate) fn prescription_at_finalized(
		&self,
		record_id: RecordId,
	) -> Result<PrescriptionVerification> {
		let chain = &self.chain;
		let info = chain.info();
		let at = info.finalized_hash;
		let Some(prescription) = chain.prescription(at, record_id).map_err(chain_error)? else {
			return Err(match chain.anchor(at, record_id).map_err(chain_error)? {
				Some(_) => not_a_prescription(&record_id),
				None => no_record(&record_id),
			});
		};
		let fills = chain.fills(at, record_id, 0, prescription.terms.fills).map_err(chain_error)?;
		let mut members = Members { at, chain: &**chain, known: HashMap::new() };
		let prescriber = members.get(prescription.record.custodian)?;
		let authentic = members.kind(prescription.record.custodian) == Some(MemberKind::Hospital);
		let fills = fills
			.into_iter()
			.zip(1u32..)
			.map(|(fill, fill_no)| {
				Ok(PrescriptionFill {
					fill_no,
					pharmacy: members.get(fill.pharmacy)?,
					record_id: fill.prescription.into(),
					quantity: fill.quantity,
					block: fill.block,
					time: rfc3339(fill.time),
				})
			})
			.collect::<Result<Vec<_>>>()?;
		let now = chain.block_time(at).map_err(chain_error)?;
		let (status, amended_by) = match prescription.record.status {
			RecordStatus::Active => ("active", None),
			RecordStatus::Amended { by } => ("amended", Some(by.into())),
			RecordStatus::Erased { .. } => ("erased", None),
		};
		Ok(PrescriptionVerification {
			record_id: record_id.into(),
			authentic,
			prescriber,
			patient: medchain_app_api::AccountId(prescription.record.patient.clone().into()),
			status: status.into(),
			amended_by,
			field_root: prescription.record.field_root.into(),
			anchored_at: rfc3339(prescription.record.time),
			expires_at: rfc3339(prescription.terms.expires_at),
			expired: now >= prescription.terms.expires_at,
			fills_allowed: prescription.terms.fills,
			fills_used: prescription.fills_used,
			fills_left: prescription.fills_left(),
			fills,
			block: info.finalized_number,
			fields: None,
		})
	}

	/// `medchain_fillPrescription`: this pharmacy's fill of `request.record_id`, once final.
	pub async fn fill_prescription(&self, request: FillPrescription) -> Result<FilledPrescription> {
		let record_id = request.record_id.0;
		if request.quantity == 0 {
			return Err(ErrorCode::InvalidFieldValue.error("quantity must be at least 1"));
		}
		let best = self.chain.info().best_hash;
		if !self.is_pharmacy(best)? {
			return Err(ErrorCode::NotAPharmacy.error(format!(
				"member {} is not an active pharmacy: only pharmacies fill prescriptions",
				self.hospital
			)));
		}
		// The chain's own rules at the state the fill will meet: one that would fail is not sent.
		let refusal = self.chain.check_fill(best, record_id, self.hospital).map_err(chain_error)?;
		if let Some(refusal) = refusal {
			return Err(fill_refused(refusal, &record_id));
		}
		let call = RuntimeCall::Records(pallet_records::Call::fill {
			prescription: record_id,
			quantity: request.quantity,
		});
		let watched = self.send_app_transaction(call, "records.fill").await?;
		let Watched::Included { block, index, finalized } = watched else {
			return Err(not_final_yet(watched, None));
		};
		let fill_no = self.fill_outcome(block, index, &record_id)?;
		if !finalized {
			return Err(not_final_yet(watched, None));
		}
		let fills_left = self
			.chain
			.prescription(block, record_id)
			.map_err(chain_error)?
			.map_or(0, |prescription| prescription.fills_left());
		let block = self.chain.number(block).map_err(chain_error)?.unwrap_or_default();
		Ok(FilledPrescription {
			record_id: request.record_id,
			fill_no,
			quantity: request.quantity,
			block,
			fills_left,
		})
	}

	/// The fill number transaction `index` of `block` recorded, or the chain's refusal of the
	/// fill of `record_id`.
	fn fill_outcome(&self, block: H256, index: u32, record_id: &RecordId) -> Result<u32> {
		let outcome = self.follower.outcome(block, index).map_err(chain_error)?;
		if let Some(error) = outcome.error {
			return Err(dispatch_refusal(error, record_id));
		}
		outcome
			.events
			.iter()
			.find_map(|event| match event {
				RuntimeEvent::Records(pallet_records::Event::Filled { fill_no, .. }) => {
					Some(*fill_no)
				}
				_ => None,
			})
			.ok_or_else(|| ErrorCode::TransactionRefused.error("the fill recorded no Filled event"))
	}
}

impl Custodian {
	/// Whether this node's member is an active pharmacy at block `at`.
	pub(crate) fn is_pharmacy(&self, at: H256) -> Result<bool> {
		let member = self.chain.member(at, self.hospital).map_err(chain_error)?;
		Ok(member.is_some_and(|member| {
			member.kind == MemberKind::Pharmacy && member.status == HospitalStatus::Active
		}))
	}
}

/// Members by id, each read once.
struct Members<'a> {
	at: H256,
	chain: &'a dyn crate::Chain,
	known: HashMap<HospitalId, Option<Member>>,
}

impl Members<'_> {
	/// Member `id` as a prescription names it; an id the registry does not hold is named
	/// `unknown`.
	fn get(&mut self, id: HospitalId) -> Result<MemberRef> {
		let member = self.lookup(id)?;
		Ok(MemberRef {
			id,
			name: member.map_or_else(
				|| "unknown".into(),
				|member| String::from_utf8_lossy(&member.name).into_owned(),
			),
			status: member.map_or("removed", |member| status_name(member.status)).into(),
		})
	}

	/// The kind of member `id`, once [`Self::get`] has read it.
	fn kind(&self, id: HospitalId) -> Option<MemberKind> {
		self.known.get(&id).and_then(|member| member.as_ref().map(|member| member.kind))
	}

	fn lookup(&mut self, id: HospitalId) -> Result<Option<&Member>> {
		if !self.known.contains_key(&id) {
			let member = self.chain.member(self.at, id).map_err(chain_error)?;
			self.known.insert(id, member);
		}
		Ok(self.known.get(&id).and_then(Option::as_ref))
	}
}

fn no_record(record_id: &RecordId) -> Error {
	ErrorCode::RecordNotFound.error(format!("no record {} is anchored", to_hex(record_id)))
}

fn not_a_prescription(record_id: &RecordId) -> Error {
	ErrorCode::NotAPrescription.error(format!("record {} is not a prescription", to_hex(record_id)))
}

/// The error for the chain's rule `refusal` of a fill of `record_id`.
fn fill_refused(refusal: FillRefusal, record_id: &RecordId) -> Error {
	let record = to_hex(record_id);
	match refusal {
		FillRefusal::RecordNotFound => no_record(record_id),
		FillRefusal::NotAPrescription => not_a_prescription(record_id),
		FillRefusal::PrescriptionErased => {
			ErrorCode::PrescriptionErased.error(format!("prescription {record} was erased"))
		}
		FillRefusal::PrescriptionAmended => ErrorCode::PrescriptionAmended.error(format!(
			"prescription {record} was amended: only its latest version fills"
		)),
		FillRefusal::PrescriptionExpired => {
			ErrorCode::PrescriptionExpired.error(format!("prescription {record} has expired"))
		}
		FillRefusal::NoAccessEntry => ErrorCode::NoAccessEntry.error(format!(
			"this pharmacy has not opened prescription {record}: open it with the patient's share token first"
		)),
		FillRefusal::NoFillsLeft => ErrorCode::NoFillsLeft
			.error(format!("every fill prescription {record} allows is used")),
	}
}

/// The error for a fill of `record_id` the chain refused at dispatch (another fill won the
/// race, say).
fn dispatch_refusal(error: DispatchError, record_id: &RecordId) -> Error {
	let message = format!("the chain refused the fill: {}", error_name(error));
	match RuntimeError::from_dispatch_error(error) {
		Some(RuntimeError::Records(error)) => match error.fill_refusal() {
			Some(refusal) => fill_refused(refusal, record_id),
			None if matches!(error, pallet_records::Error::NotPharmacyOperator) => {
				ErrorCode::NotAPharmacy.error(message)
			}
			None => ErrorCode::TransactionRefused.error(message),
		},
		_ => ErrorCode::TransactionRefused.error(message),
	}
}
