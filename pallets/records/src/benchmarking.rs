//! Benchmarks for `pallet_records` (frame-benchmarking v2).

use alloc::vec::Vec;
use frame_benchmarking::v2::*;
use frame_support::{traits::Get, BoundedVec};
use frame_system::RawOrigin;
use medchain_pallet_support::origin::benchmark_origin;
use medchain_primitives::{
	commitment::Hash256, prescription::PrescriptionRequest, records::RecordStatus, RecordType,
};
use sp_runtime::traits::Saturating;

use crate::*;

/// A distinct 32-byte value per `seed` and `salt`.
fn hash(seed: u32, salt: u8) -> Hash256 {
	let mut bytes = [salt; 32];
	bytes[..4].copy_from_slice(&seed.to_le_bytes());
	bytes
}

/// Record `seed` of benchmark patient `seed`: each item of a batch reads its own patient.
fn request<T: Config>(seed: u32) -> AnchorRequestOf<T> {
	AnchorRequest {
		request_id: hash(seed, 1),
		patient: T::BenchmarkHelper::patient(seed),
		record_type: RecordType::LabResult,
		field_root: hash(seed, 2),
		ciphertext_digest: hash(seed, 3),
		prescription: None,
	}
}

/// Anchors record `seed` as the benchmark operator's hospital; returns the operator and id.
fn anchored<T: Config>(
	seed: u32,
) -> Result<(T::RuntimeOrigin, medchain_primitives::commitment::RecordId), BenchmarkError> {
	let (operator, hospital) = benchmark_origin::<T::OperatorOrigin, _>()?;
	Pallet::<T>::do_anchor(hospital, request::<T>(seed))?;
	Ok((operator, Pallet::<T>::record_id(hospital, &hash(seed, 1))))
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn anchor() -> Result<(), BenchmarkError> {
		let (operator, hospital) = benchmark_origin::<T::OperatorOrigin, _>()?;
		let r = request::<T>(0);

		#[extrinsic_call]
		_(
			operator as T::RuntimeOrigin,
			r.request_id,
			r.patient,
			r.record_type,
			r.field_root,
			r.ciphertext_digest,
		);

		assert!(Records::<T>::contains_key(Pallet::<T>::record_id(hospital, &r.request_id)));
		Ok(())
	}

	#[benchmark]
	fn anchor_batch(n: Linear<1, { T::MaxBatchSize::get() }>) -> Result<(), BenchmarkError> {
		let (operator, hospital) = benchmark_origin::<T::OperatorOrigin, _>()?;
		let items: Vec<_> = (0..n).map(request::<T>).collect();
		let items = BoundedVec::try_from(items).map_err(|_| BenchmarkError::Stop("bound"))?;

		#[extrinsic_call]
		_(operator as T::RuntimeOrigin, items);

		assert_eq!(CustodianRecordCount::<T>::get(hospital), n);
		Ok(())
	}

	#[benchmark]
	fn amend() -> Result<(), BenchmarkError> {
		let (operator, record_id) = anchored::<T>(0)?;

		#[extrinsic_call]
		_(operator as T::RuntimeOrigin, record_id, hash(1, 2), hash(1, 3));

		assert!(matches!(
			Records::<T>::get(record_id).map(|r| r.status),
			Some(RecordStatus::Amended { .. })
		));
		Ok(())
	}

	/// The custodian schedules an erasure (the patient's own erase writes no more).
	#[benchmark]
	fn erase() -> Result<(), BenchmarkError> {
		let (operator, record_id) = anchored::<T>(0)?;

		#[extrinsic_call]
		_(operator as T::RuntimeOrigin, record_id);

		assert!(PendingErasures::<T>::contains_key(record_id));
		Ok(())
	}

	#[benchmark]
	fn cancel_erasure() -> Result<(), BenchmarkError> {
		let (operator, record_id) = anchored::<T>(0)?;
		Pallet::<T>::erase(operator.clone(), record_id)?;
		let patient = Records::<T>::get(record_id).map(|r| r.patient).ok_or("anchored")?;

		#[extrinsic_call]
		_(RawOrigin::Signed(patient), record_id);

		assert!(!PendingErasures::<T>::contains_key(record_id));
		Ok(())
	}

	#[benchmark]
	fn complete_erasure() -> Result<(), BenchmarkError> {
		let (operator, record_id) = anchored::<T>(0)?;
		Pallet::<T>::erase(operator.clone(), record_id)?;
		let due = frame_system::Pallet::<T>::block_number()
			.saturating_add(CustodianEraseDelay::<T>::get());
		frame_system::Pallet::<T>::set_block_number(due);

		#[extrinsic_call]
		_(operator as T::RuntimeOrigin, record_id);

		assert!(matches!(
			Records::<T>::get(record_id).map(|r| r.status),
			Some(RecordStatus::Erased { .. })
		));
		Ok(())
	}

	/// The benchmark pharmacy fills a prescription it opened (every check passes, so every one
	/// is read).
	#[benchmark]
	fn fill() -> Result<(), BenchmarkError> {
		let (pharmacy_origin, pharmacy) = benchmark_origin::<T::PharmacyOrigin, _>()?;
		let (_, hospital) = benchmark_origin::<T::OperatorOrigin, _>()?;
		let terms = PrescriptionRequest { refills: T::MaxRefills::get(), expires_at: None };
		let prescription = AnchorRequest {
			record_type: RecordType::Prescription,
			prescription: Some(terms),
			..request::<T>(0)
		};
		Pallet::<T>::do_anchor(hospital, prescription)?;
		let record_id = Pallet::<T>::record_id(hospital, &hash(0, 1));
		T::BenchmarkHelper::access(record_id, pharmacy);

		#[extrinsic_call]
		_(pharmacy_origin as T::RuntimeOrigin, record_id, 30);

		assert_eq!(FillCount::<T>::get(record_id), 1);
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext().unchecked(), crate::mock::Test);
}
