//! Record ids and the benchmark helper for pallet mocks, over `medchain_primitives::testing`'s
//! consortium.

use medchain_primitives::commitment::RecordId;

/// A distinct record id per `seed`.
pub fn record_id(seed: u32) -> RecordId {
	let mut id = [0xAB; 32];
	id[..4].copy_from_slice(&seed.to_le_bytes());
	id
}

#[cfg(feature = "runtime-benchmarks")]
pub use benchmark_helper::TestBenchmarkHelper;

#[cfg(feature = "runtime-benchmarks")]
mod benchmark_helper {
	use medchain_primitives::{
		commitment::RecordId,
		testing::{self, HOSPITAL_A},
		HospitalId, RecordType,
	};
	use sp_runtime::{AccountId32, MultiSignature};

	use super::record_id;

	pub struct TestBenchmarkHelper;

	impl crate::BenchmarkHelper<AccountId32, MultiSignature> for TestBenchmarkHelper {
		fn operator() -> (AccountId32, HospitalId) {
			(testing::operator(HOSPITAL_A), HOSPITAL_A)
		}

		fn patient() -> AccountId32 {
			testing::patient(0)
		}

		fn record(patient: &AccountId32, custodian: HospitalId, seed: u32) -> RecordId {
			let id = record_id(seed);
			testing::add_record(id, patient.clone(), custodian, RecordType::LabResult);
			id
		}

		fn sign(_: &AccountId32, payload: &[u8]) -> MultiSignature {
			testing::patient_signature(0, payload)
		}
	}
}
