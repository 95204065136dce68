//! A test consortium for pallet unit tests: the registry, the record lookup and the access
//! lookup that the pallets see, with records and accesses kept per test thread.
//!
//! Hospitals A (0) and B (1) are active, C (2) is suspended; pharmacies P (3) and Q (4) are
//! active. Each member has an admin and an operator account, which the registry knows but
//! refuses while the member is not active. Tests may suspend or reinstate a hospital with
//! [`set_active`] and a pharmacy with [`set_pharmacy_active`], rotate an operator key with
//! [`rotate_operator`], register more patients with [`register_patient`], and note a member's
//! access to a record with [`record_access`]. Patients are sr25519 keys, so they can sign
//! consents: 0 and 1 are registered by A, [`PATIENT_OF_B`] by B and [`PATIENT_OF_C`] by the
//! suspended C.

use std::{
	cell::RefCell,
	collections::{BTreeMap, BTreeSet},
};

use sp_core::{sr25519, Pair};
use sp_runtime::AccountId32;

use medchain_primitives::{
	access::AccessId,
	commitment::RecordId,
	prescription::AccessLookup,
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

/// An active pharmacy.
pub const PHARMACY_P: HospitalId = 3;
/// Another active pharmacy.
pub const PHARMACY_Q: HospitalId = 4;
const PHARMACIES: [HospitalId; 2] = [PHARMACY_P, PHARMACY_Q];

/// A patient registered by hospital B.
pub const PATIENT_OF_B: u8 = 4;

/// A patient registered by the suspended hospital C: not a registered patient while C is
/// suspended.
pub const PATIENT_OF_C: u8 = 3;

/// `hospital`'s (or a pharmacy's) admin account.
pub fn admin(hospital: HospitalId) -> AccountId32 {
	account(10 + hospital as u8 * 10)
}

/// `hospital`'s (or a pharmacy's) operator account.
pub fn operator(hospital: HospitalId) -> AccountId32 {
	account(11 + hospital as u8 * 10)
}

/// `pharmacy`'s admin account.
pub fn pharmacy_admin(pharmacy: HospitalId) -> AccountId32 {
	admin(pharmacy)
}

/// `pharmacy`'s operator account.
pub fn pharmacy_operator(pharmacy: HospitalId) -> AccountId32 {
	operator(pharmacy)
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
		role_among(&HOSPITALS, who).filter(|(hospital, _)| Self::is_active(*hospital))
	}

	fn is_active(hospital: HospitalId) -> bool {
		ACTIVE.with(|active| active.borrow().contains(&hospital))
	}

	fn active_hospital_of_peer(_: &[u8]) -> Option<HospitalId> {
		None
	}

	fn active_pharmacy_of(who: &AccountId32) -> Option<(HospitalId, HospitalRole)> {
		role_among(&PHARMACIES, who).filter(|(pharmacy, _)| Self::is_active_pharmacy(*pharmacy))
	}

	fn is_active_pharmacy(pharmacy: HospitalId) -> bool {
		ACTIVE_PHARMACIES.with(|active| active.borrow().contains(&pharmacy))
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_hospital(role: HospitalRole) -> Option<(AccountId32, HospitalId)> {
		let account = match role {
			HospitalRole::Admin => admin(HOSPITAL_A),
			HospitalRole::Operator => operator(HOSPITAL_A),
		};
		Some((account, HOSPITAL_A))
	}

	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_pharmacy(role: HospitalRole) -> Option<(AccountId32, HospitalId)> {
		let account = match role {
			HospitalRole::Admin => pharmacy_admin(PHARMACY_P),
			HospitalRole::Operator => pharmacy_operator(PHARMACY_P),
		};
		Some((account, PHARMACY_P))
	}
}

/// The member among `members` whose admin or current operator `who` is, with the role.
fn role_among(members: &[HospitalId], who: &AccountId32) -> Option<(HospitalId, HospitalRole)> {
	members.iter().find_map(|&member| {
		if *who == admin(member) {
			Some((member, HospitalRole::Admin))
		} else if *who == current_operator(member) {
			Some((member, HospitalRole::Operator))
		} else {
			None
		}
	})
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

/// Rotates `hospital`'s (or a pharmacy's) operator key for the rest of this test thread:
/// [`operator`] serves no member any more, [`rotated_operator`] serves it.
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

/// Suspends (`false`) or reinstates (`true`) `pharmacy` for the rest of this test thread.
pub fn set_pharmacy_active(pharmacy: HospitalId, active: bool) {
	ACTIVE_PHARMACIES.with(|set| {
		let mut set = set.borrow_mut();
		if active {
			set.insert(pharmacy);
		} else {
			set.remove(&pharmacy);
		}
	});
}

thread_local! {
	static ACTIVE: RefCell<BTreeSet<HospitalId>> =
		RefCell::new(BTreeSet::from([HOSPITAL_A, HOSPITAL_B]));
	static ACTIVE_PHARMACIES: RefCell<BTreeSet<HospitalId>> =
		RefCell::new(BTreeSet::from(PHARMACIES));
	static ACCESSES: RefCell<BTreeMap<(RecordId, HospitalId), AccessId>> =
		const { RefCell::new(BTreeMap::new()) };
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

impl AccessLookup for TestConsortium {
	fn accessed_by(record: &RecordId, accessor: HospitalId) -> Option<AccessId> {
		ACCESSES.with(|accesses| accesses.borrow().get(&(*record, accessor)).copied())
	}

	fn spend_access(record: &RecordId, accessor: HospitalId) -> Option<AccessId> {
		ACCESSES.with(|accesses| accesses.borrow_mut().remove(&(*record, accessor)))
	}
}

/// Notes that `accessor` (a hospital or a pharmacy) holds an access entry for exactly `record`,
/// as the access log would after its `access`.
pub fn record_access(record: RecordId, accessor: HospitalId) {
	ACCESSES.with(|accesses| {
		let mut accesses = accesses.borrow_mut();
		let id = AccessId::try_from(accesses.len()).unwrap_or(AccessId::MAX);
		accesses.insert((record, accessor), id);
	});
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

/// Forgets every record, access, rotation and added patient, and makes A, B, P and Q active
/// and C suspended again.
pub fn reset() {
	RECORDS.with(|records| records.borrow_mut().clear());
	ACCESSES.with(|accesses| accesses.borrow_mut().clear());
	ROTATED.with(|rotated| rotated.borrow_mut().clear());
	REGISTERED.with(|registered| registered.borrow_mut().clear());
	ACTIVE.with(|active| *active.borrow_mut() = BTreeSet::from([HOSPITAL_A, HOSPITAL_B]));
	ACTIVE_PHARMACIES.with(|active| *active.borrow_mut() = BTreeSet::from(PHARMACIES));
}
