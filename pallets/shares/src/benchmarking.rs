//! Benchmarks for `pallet_shares` (frame-benchmarking v2).

use alloc::vec::Vec;
use frame_benchmarking::v2::*;
use frame_support::{traits::Get, BoundedVec};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use medchain_pallet_support::origin::benchmark_origin;
use medchain_primitives::{
	shares::{
		grant_consent_message, FieldSelection, GrantStatus, GrantTerms, Grantor, PurposeOfUse,
		TokenKey,
	},
	HospitalId,
};
use sp_runtime::traits::{One, Saturating};

use crate::*;

/// `n` records of the benchmark patient in `custodian`'s custody.
fn records<T: Config>(n: u32, custodian: HospitalId) -> Result<RecordsOf<T>, BenchmarkError> {
	let patient = T::BenchmarkHelper::patient();
	let ids: Vec<_> =
		(0..n).map(|seed| T::BenchmarkHelper::record(&patient, custodian, seed)).collect();
	BoundedVec::try_from(ids).map_err(|_| BenchmarkError::Stop("more records than a grant holds"))
}

/// Terms with the token key `token` (each grant needs its own).
fn terms<T: Config>(records: RecordsOf<T>, token: u32) -> GrantTermsOf<T> {
	let mut token_key = [7; 32];
	token_key[..4].copy_from_slice(&token.to_le_bytes());
	GrantTerms {
		records,
		fields: FieldSelection::AllButNotes,
		grantee: None,
		duration: MinGrantDuration::<T>::get(),
		max_uses: Some(10),
		purpose: PurposeOfUse::Treatment,
		token_key: TokenKey::from_raw(token_key),
	}
}

/// A consent request by the benchmark operator's hospital for `r` records.
fn requested<T: Config>(r: u32) -> Result<T::AccountId, BenchmarkError> {
	let (_, hospital) = benchmark_origin::<T::OperatorOrigin, _>()?;
	let patient = T::BenchmarkHelper::patient();
	Pallet::<T>::do_request_consent(
		hospital,
		patient.clone(),
		records::<T>(r, hospital)?,
		FieldSelection::AllButNotes,
		MinGrantDuration::<T>::get(),
		PurposeOfUse::Treatment,
	)?;
	Ok(patient)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn create_grant(r: Linear<1, { T::MaxRecordsPerGrant::get() }>) -> Result<(), BenchmarkError> {
		let (_, hospital) = benchmark_origin::<T::OperatorOrigin, _>()?;
		let terms = terms::<T>(records::<T>(r, hospital)?, 0);
		let patient = T::BenchmarkHelper::patient();

		#[extrinsic_call]
		_(RawOrigin::Signed(patient), terms);

		assert!(Grants::<T>::contains_key(0));
		Ok(())
	}

	#[benchmark]
	fn create_grant_for(
		r: Linear<1, { T::MaxRecordsPerGrant::get() }>,
	) -> Result<(), BenchmarkError> {
		let (operator, hospital) = benchmark_origin::<T::OperatorOrigin, _>()?;
		let patient = T::BenchmarkHelper::patient();
		let terms = terms::<T>(records::<T>(r, hospital)?, 0);
		let deadline = frame_system::Pallet::<T>::block_number().saturating_add(One::one());
		let message = grant_consent_message(
			&medchain_pallet_support::chain::genesis_hash_bytes::<T>(),
			&patient,
			&terms,
			0,
			&deadline,
		);
		let signature = T::BenchmarkHelper::sign(&patient, &message);

		#[extrinsic_call]
		_(operator as T::RuntimeOrigin, patient.clone(), terms, 0, deadline, signature);

		assert_eq!(ConsentNonce::<T>::get(&patient), 1);
		Ok(())
	}

	/// The custodian revokes: the path that also reads the signer's hospital.
	#[benchmark]
	fn revoke() -> Result<(), BenchmarkError> {
		let (operator, hospital) = benchmark_origin::<T::OperatorOrigin, _>()?;
		let terms = terms::<T>(records::<T>(1, hospital)?, 0);
		let patient = T::BenchmarkHelper::patient();
		let grant = Pallet::<T>::insert_grant(patient, terms, Grantor::Custodian(hospital))?;

		#[extrinsic_call]
		_(operator as T::RuntimeOrigin, grant);

		assert!(matches!(
			Grants::<T>::get(grant).map(|grant| grant.status),
			Some(GrantStatus::Revoked { .. })
		));
		Ok(())
	}

	#[benchmark]
	fn request_consent(
		r: Linear<1, { T::MaxRecordsPerGrant::get() }>,
	) -> Result<(), BenchmarkError> {
		let (operator, hospital) = benchmark_origin::<T::OperatorOrigin, _>()?;
		let records = records::<T>(r, hospital)?;
		let duration = MinGrantDuration::<T>::get();
		let patient = T::BenchmarkHelper::patient();

		#[extrinsic_call]
		_(
			operator as T::RuntimeOrigin,
			patient,
			records,
			FieldSelection::AllButNotes,
			duration,
			PurposeOfUse::Treatment,
		);

		assert!(ConsentRequests::<T>::contains_key(0));
		Ok(())
	}

	#[benchmark]
	fn approve_consent(
		r: Linear<1, { T::MaxRecordsPerGrant::get() }>,
	) -> Result<(), BenchmarkError> {
		let patient = requested::<T>(r)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(patient), 0, TokenKey::from_raw([7; 32]), None);

		assert!(Grants::<T>::contains_key(0));
		Ok(())
	}

	#[benchmark]
	fn deny_consent() -> Result<(), BenchmarkError> {
		let patient = requested::<T>(1)?;

		#[extrinsic_call]
		_(RawOrigin::Signed(patient), 0);

		assert!(!ConsentRequests::<T>::contains_key(0));
		Ok(())
	}

	#[benchmark]
	fn prune_expired(n: Linear<0, { T::MaxPrunedPerBlock::get() }>) -> Result<(), BenchmarkError> {
		let (_, hospital) = benchmark_origin::<T::OperatorOrigin, _>()?;
		let patient = T::BenchmarkHelper::patient();
		let records = records::<T>(1, hospital)?;
		for token in 0..n {
			Pallet::<T>::insert_grant(
				patient.clone(),
				terms::<T>(records.clone(), token),
				Grantor::Patient,
			)?;
		}
		let expiry: BlockNumberFor<T> = frame_system::Pallet::<T>::block_number()
			.saturating_add(MinGrantDuration::<T>::get())
			.saturating_add(T::GrantRetention::get());
		PruneCursor::<T>::put(expiry);

		#[block]
		{
			Pallet::<T>::prune_expired(expiry);
		}

		assert_eq!(Grants::<T>::iter().count(), 0);
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext().unchecked(), crate::mock::Test);
}
