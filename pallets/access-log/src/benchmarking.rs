//! Benchmarks for `pallet_access_log` (frame-benchmarking v2).

use frame_benchmarking::v2::*;
use frame_system::RawOrigin;
use medchain_pallet_support::origin::benchmark_origin;
use medchain_primitives::{
	access::BreakGlassReason,
	shares::{AccessRequest, PurposeOfUse, TokenKey, TokenSignature},
};
use sp_runtime::traits::{One, Saturating};

use crate::*;

/// The key type benchmark token keys live under in the benchmark keystore.
const TOKEN_KEY_TYPE: sp_runtime::KeyTypeId = sp_runtime::KeyTypeId(*b"shar");

/// An ed25519 token key held by the benchmark keystore.
fn token_key() -> TokenKey {
	sp_io::crypto::ed25519_generate(TOKEN_KEY_TYPE, None)
}

fn sign(
	key: &TokenKey,
	request: &AccessRequest<impl codec::Encode>,
) -> Result<TokenSignature, BenchmarkError> {
	sp_io::crypto::ed25519_sign(TOKEN_KEY_TYPE, key, &request.signing_payload())
		.ok_or(BenchmarkError::Stop("the benchmark keystore can't sign"))
}

/// An entry by the benchmark operator's hospital, as break-glass.
fn logged<T: Config>(
) -> Result<(T::RuntimeOrigin, medchain_primitives::access::AccessId), BenchmarkError> {
	let (operator, hospital) = benchmark_origin::<T::OperatorOrigin, _>()?;
	let (record, _) = T::BenchmarkHelper::record(0);
	Pallet::<T>::do_break_glass(hospital, record, BreakGlassReason::LifeThreatening)?;
	Ok((operator, 0))
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn access() -> Result<(), BenchmarkError> {
		let (operator, hospital) = benchmark_origin::<T::OperatorOrigin, _>()?;
		let (record, patient) = T::BenchmarkHelper::record(0);
		let key = token_key();
		let grant = T::BenchmarkHelper::grant(patient, record, key);
		let valid_until = frame_system::Pallet::<T>::block_number().saturating_add(One::one());
		let request = AccessRequest {
			genesis_hash: medchain_pallet_support::chain::genesis_hash_bytes::<T>(),
			grant,
			record,
			accessor: hospital,
			purpose: PurposeOfUse::Treatment,
			uses: 0,
			valid_until,
		};
		let signature = sign(&key, &request)?;

		#[extrinsic_call]
		_(
			operator as T::RuntimeOrigin,
			grant,
			record,
			PurposeOfUse::Treatment,
			0,
			valid_until,
			signature,
		);

		assert!(Entries::<T>::contains_key(0));
		Ok(())
	}

	#[benchmark]
	fn break_glass() -> Result<(), BenchmarkError> {
		let (operator, _) = benchmark_origin::<T::OperatorOrigin, _>()?;
		let (record, _) = T::BenchmarkHelper::record(0);

		#[extrinsic_call]
		_(operator as T::RuntimeOrigin, record, BreakGlassReason::PatientUnableToConsent);

		assert!(Entries::<T>::contains_key(0));
		Ok(())
	}

	#[benchmark]
	fn patient_access() {
		let (record, patient) = T::BenchmarkHelper::record(0);

		#[extrinsic_call]
		_(RawOrigin::Signed(patient), record);

		assert!(Entries::<T>::contains_key(0));
	}

	#[benchmark]
	fn confirm_release() -> Result<(), BenchmarkError> {
		let (operator, entry_id) = logged::<T>()?;

		#[extrinsic_call]
		_(operator as T::RuntimeOrigin, entry_id, [1; 32]);

		assert!(Entries::<T>::get(entry_id).is_some_and(|entry| entry.release.is_some()));
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext().unchecked(), crate::mock::Test);
}
