//! Prescriptions: the terms a `Prescription` record is anchored with, how an amendment carries
//! them, and the fills that pharmacies record against them.

use frame_support::{dispatch::DispatchResult, ensure, traits::Get};
use medchain_pallet_support::chain::unix_millis;
use medchain_primitives::{
	commitment::RecordId,
	prescription::{AccessLookup, FillRefusal, PrescriptionRequest, PrescriptionTerms},
	records::RecordStatus,
	HospitalId, RecordType,
};

use crate::{Config, Error, Event, FillIndex, FillOf, Pallet, Prescriptions, Records};

impl<T: Config> From<FillRefusal> for Error<T> {
	fn from(refusal: FillRefusal) -> Self {
		match refusal {
			FillRefusal::RecordNotFound => Error::RecordNotFound,
			FillRefusal::NotAPrescription => Error::NotAPrescription,
			FillRefusal::PrescriptionErased => Error::PrescriptionErased,
			FillRefusal::PrescriptionAmended => Error::PrescriptionAmended,
			FillRefusal::PrescriptionExpired => Error::PrescriptionExpired,
			FillRefusal::NoAccessEntry => Error::NoAccessEntry,
			FillRefusal::NoFillsLeft => Error::NoFillsLeft,
		}
	}
}

impl<T: Config> Error<T> {
	/// The rule this error states, if it is one of `fill`'s refusals.
	pub fn fill_refusal(&self) -> Option<FillRefusal> {
		Some(match self {
			Error::RecordNotFound => FillRefusal::RecordNotFound,
			Error::NotAPrescription => FillRefusal::NotAPrescription,
			Error::PrescriptionErased => FillRefusal::PrescriptionErased,
			Error::PrescriptionAmended => FillRefusal::PrescriptionAmended,
			Error::PrescriptionExpired => FillRefusal::PrescriptionExpired,
			Error::NoFillsLeft => FillRefusal::NoFillsLeft,
			Error::NoAccessEntry => FillRefusal::NoAccessEntry,
			_ => return None,
		})
	}
}

impl<T: Config> Pallet<T> {
	/// The terms new record `record_id` of `record_type`, anchored at `now` (Unix ms), gets
	/// from `request`: `None` for any type but `Prescription`, which requires them. A requested
	/// expiry past `MaxPrescriptionValidity` is capped to it, so a late batch never fails.
	pub(crate) fn new_terms(
		record_id: RecordId,
		record_type: RecordType,
		request: Option<PrescriptionRequest>,
		now: u64,
	) -> Result<Option<PrescriptionTerms>, Error<T>> {
		let request = match (record_type, request) {
			(RecordType::Prescription, Some(request)) => request,
			(RecordType::Prescription, None) => return Err(Error::PrescriptionTermsMissing),
			(_, Some(_)) => return Err(Error::UnexpectedPrescriptionTerms),
			(_, None) => return Ok(None),
		};
		ensure!(request.refills <= T::MaxRefills::get(), Error::<T>::TooManyRefills);
		let fills = request.refills.checked_add(1).ok_or(Error::<T>::TooManyRefills)?;
		let latest = now.saturating_add(T::MaxPrescriptionValidity::get());
		let expires_at = request.expires_at.map_or(latest, |requested| requested.min(latest));
		ensure!(expires_at > now, Error::<T>::ExpiryInPast);
		Ok(Some(PrescriptionTerms { root: record_id, fills, expires_at }))
	}

	/// Gives new version `record_id` of a `record_type` record the terms of `previous`, if it
	/// is a prescription: root, fills and expiry are inherited, so the fills stay counted.
	pub(crate) fn carry_terms(previous: &RecordId, record_id: RecordId, record_type: RecordType) {
		if record_type != RecordType::Prescription {
			return;
		}
		if let Some(terms) = Prescriptions::<T>::get(previous) {
			Prescriptions::<T>::insert(record_id, terms);
		}
	}

	/// The terms of `prescription` and the fills used, if `pharmacy` may fill it at `now`
	/// (Unix ms); otherwise the first rule it breaks, in `FillRefusal`'s order.
	pub(crate) fn fillable(
		prescription: &RecordId,
		pharmacy: HospitalId,
		now: u64,
	) -> Result<(PrescriptionTerms, u32), FillRefusal> {
		let record = Records::<T>::get(prescription).ok_or(FillRefusal::RecordNotFound)?;
		let terms = Prescriptions::<T>::get(prescription).ok_or(FillRefusal::NotAPrescription)?;
		match record.status {
			RecordStatus::Active => {}
			RecordStatus::Erased { .. } => return Err(FillRefusal::PrescriptionErased),
			RecordStatus::Amended { .. } => return Err(FillRefusal::PrescriptionAmended),
		}
		ensure!(now < terms.expires_at, FillRefusal::PrescriptionExpired);
		let used = FillIndex::<T>::len(&terms.root);
		ensure!(used < terms.fills, FillRefusal::NoFillsLeft);
		ensure!(
			T::Accesses::accessed_by(prescription, pharmacy).is_some(),
			FillRefusal::NoAccessEntry
		);
		Ok((terms, used))
	}

	/// [`Pallet::fill`] by `pharmacy`'s operator: appends the fill to the prescription's root.
	pub(crate) fn do_fill(
		pharmacy: HospitalId,
		prescription: RecordId,
		quantity: u32,
	) -> DispatchResult {
		ensure!(quantity > 0, Error::<T>::ZeroQuantity);
		let time = unix_millis::<T::UnixTime>();
		let (terms, used) =
			Self::fillable(&prescription, pharmacy, time).map_err(Error::<T>::from)?;
		let block = frame_system::Pallet::<T>::block_number();
		T::Accesses::spend_access(&prescription, pharmacy);
		FillIndex::<T>::push(
			&terms.root,
			FillOf::<T> { pharmacy, prescription, quantity, block, time },
		);
		let fill_no = used.saturating_add(1);
		Self::deposit_event(Event::Filled { prescription, pharmacy, fill_no, quantity, at: block });
		Ok(())
	}
}
