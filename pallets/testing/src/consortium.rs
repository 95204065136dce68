//! A test consortium for pallet unit tests: the registry and the record lookup
//! that `pallet-shares` and `pallet-access-log` see, with records kept per test thread.
//!
//! Hospitals A (0) and B (1) are active, C (2) is suspended; each has an admin and an operator
//! account, which the registry knows but refuses while the hospital is not active. Tests may
//! suspend or reinstate a hospital with [`set_active`], rotate its operator key with
//! [`rotate_operator`], and register more patients with [`register_patient`]. Patients are
//! sr25519 keys, so they can sign consents: 0 and 1 are registered by A, [`PATIENT_OF_B`] by B
//! and [`PATIENT_OF_C`] by the suspended C.

use std::{
	cell::RefCell,
	collections::{BTreeMap, BTreeSet},
};

use sp_core::{sr25519, Pair};
use sp_runtime::AccountId32;

use medchain_primitives::{
	commitment::RecordId,
	records::{Record, RecordLookup, RecordStatus},
	HospitalId, HospitalRegistry, HospitalRole, PatientRegistry, RecordType,
};

/// Active.
pub const HOSPITAL_A: HospitalId = 0;
/// Active.
pub const HOSPITAL_B: HospitalId = 1;
/// Suspended.
pub const HOSPITAL_C: HospitalId = 2;
const HOSPITALS: [HospitalId; 3] = [HOSPITAL_A, HOSPITAL_B, HOSPITAL_C];

/// A patient registered by hospital B.
pub const PATIENT_OF_B: u8 = 4;

/// A patient registered by the suspended hospital C: not a registered patient while C is
/// suspended.
pub const PATIENT_OF_C: u8 = 3;

/// `hospital`'s admin account.
pub fn admin(hospital: HospitalId) -> AccountId32 {
	account(10 + hospital as u8 * 10)
}

/// `hospital`'s operator account.
pub fn operator(hospital: HospitalId) -> AccountId32 {
	account(11 + hospital as u8 * 10)
}

/// An account that is neither a hospital's nor a patient's.
pub fn stranger() -> AccountId32 {
	account(99)
}

fn account(byte: u8) -> AccountId32 {
	AccountId32::new([byte; 32])
}

/// The key pair of patient `n` (0 and 1 are registered by A, [`PATIENT_OF_C`] by C, others
/// are not registered).
pub fn patient_pair(n: u8) -> sr25519::Pair {
	let mut seed = [0x70; 32];
	seed[0] = n;
	sr25519::Pair::from_seed(&seed)
}

/// Patient `n`'s account (see [`patient_pair`]).
pub fn patient(n: u8) -> AccountId32 {
	patient_pair(n).public().into()
}

/// Patient `n`'s signature of `message`, as the runtime takes it.
pub fn patient_signature(n: u8, message: &[u8]) -> sp_runtime::MultiSignature {
	patient_pair(n).sign(message).into()
}

/// The registry and record store of this module, for a pallet's `Config`.
pub struct TestConsortium;

impl HospitalRegistry<AccountId32> for TestConsortium {
	fn active_hospital_of(who: &AccountId32) -> Option<(HospitalId, HospitalRole)> {
		let role = HOSPITALS.into_iter().find_map(|hospital| {
			if *who == admin(hospital) {
				Some((hospital, HospitalRole::Admin))
			} else if *who == current_operator(hospital) {
				Some((hospital, HospitalRole::Operator))
			} else {
				None
			}
		});
		role.filter(|(hospital, _)| Self::is_active(*hospital))
	}

	fn is_active(hospital: HospitalId) -> bool {
		ACTIVE.with(|active| active.borrow().contains(&hospital))
	}

	fn active_hospital_of_peer(_: &[u8]) -> Option<HospitalId> {
		None
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_hospital(role: HospitalRole) -> Option<(AccountId32, HospitalId)> {
		let account = match role {
			HospitalRole::Admin => admin(HOSPITAL_A),
			HospitalRole::Operator => operator(HOSPITAL_A),
		};
		Some((account, HOSPITAL_A))
	}
}

impl PatientRegistry<AccountId32> for TestConsortium {
	fn registering_hospital(who: &AccountId32) -> Option<HospitalId> {
		let registered = REGISTERED.with(|registered| registered.borrow().get(who).copied());
		let hospital = if registered.is_some() {
			registered
		} else if *who == patient(0) || *who == patient(1) {
			Some(HOSPITAL_A)
		} else if *who == patient(PATIENT_OF_B) {
			Some(HOSPITAL_B)
		} else if *who == patient(PATIENT_OF_C) {
			Some(HOSPITAL_C)
		} else {
			None
		};
		hospital.filter(|hospital| Self::is_active(*hospital))
	}
}

/// `hospital`'s operator key after [`rotate_operator`].
pub fn rotated_operator(hospital: HospitalId) -> AccountId32 {
	account(12 + hospital as u8 * 10)
}

/// Rotates `hospital`'s operator key for the rest of this test thread: [`operator`] serves no
/// hospital any more, [`rotated_operator`] serves it.
pub fn rotate_operator(hospital: HospitalId) {
	ROTATED.with(|rotated| rotated.borrow_mut().insert(hospital));
}

fn current_operator(hospital: HospitalId) -> AccountId32 {
	if ROTATED.with(|rotated| rotated.borrow().contains(&hospital)) {
		rotated_operator(hospital)
	} else {
		operator(hospital)
	}
}

/// Registers `patient` as `hospital`'s patient for the rest of this test thread.
pub fn register_patient(patient: AccountId32, hospital: HospitalId) {
	REGISTERED.with(|registered| registered.borrow_mut().insert(patient, hospital));
}

/// Suspends (`false`) or reinstates (`true`) `hospital` for the rest of this test thread.
pub fn set_active(hospital: HospitalId, active: bool) {
	ACTIVE.with(|set| {
		let mut set = set.borrow_mut();
		if active {
			set.insert(hospital);
		} else {
			set.remove(&hospital);
		}
	});
}

thread_local! {
	static ACTIVE: RefCell<BTreeSet<HospitalId>> =
		RefCell::new(BTreeSet::from([HOSPITAL_A, HOSPITAL_B]));
	static RECORDS: RefCell<BTreeMap<RecordId, Record<AccountId32, u64>>> =
		const { RefCell::new(BTreeMap::new()) };
	static ROTATED: RefCell<BTreeSet<HospitalId>> = const { RefCell::new(BTreeSet::new()) };
	static REGISTERED: RefCell<BTreeMap<AccountId32, HospitalId>> =
		const { RefCell::new(BTreeMap::new()) };
}

impl RecordLookup<AccountId32, u64> for TestConsortium {
	fn record(id: &RecordId) -> Option<Record<AccountId32, u64>> {
		RECORDS.with(|records| records.borrow().get(id).cloned())
	}
}

/// Anchors an active record `id` of `patient` at `custodian`.
pub fn add_record(id: RecordId, patient: AccountId32, custodian: HospitalId, kind: RecordType) {
	let record = Record {
		patient,
		custodian,
		record_type: kind,
		field_root: id,
		ciphertext_digest: id,
		version: 1,
		previous: None,
		status: RecordStatus::Active,
		block: 1,
		time: 0,
	};
	RECORDS.with(|records| records.borrow_mut().insert(id, record));
}

/// A distinct record id per `seed`.
pub fn record_id(seed: u32) -> RecordId {
	let mut id = [0xAB; 32];
	id[..4].copy_from_slice(&seed.to_le_bytes());
	id
}

/// Sets the status of test record `id`.
pub fn set_record_status(id: RecordId, status: RecordStatus<AccountId32, u64>) {
	RECORDS.with(|records| {
		if let Some(record) = records.borrow_mut().get_mut(&id) {
			record.status = status;
		}
	});
}

/// Forgets every record, rotation and added patient, and makes A and B active and C suspended
/// again.
pub fn reset() {
	RECORDS.with(|records| records.borrow_mut().clear());
	ROTATED.with(|rotated| rotated.borrow_mut().clear());
	REGISTERED.with(|registered| registered.borrow_mut().clear());
	ACTIVE.with(|active| *active.borrow_mut() = BTreeSet::from([HOSPITAL_A, HOSPITAL_B]));
}
