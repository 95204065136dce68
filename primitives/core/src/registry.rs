//! The consortium registry as other pallets see it.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// A member's id (a hospital's, or a pharmacy's), assigned by the registry in order of
/// admission.
pub type HospitalId = u32;

/// The part an account plays for its hospital or pharmacy.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum HospitalRole {
	/// The governance key, kept offline: proposals and votes.
	Admin,
	/// The key in the hospital node's keystore: day-to-day extrinsics.
	Operator,
}

/// Which hospitals are members, and which accounts and peers act for them.
pub trait HospitalRegistry<AccountId> {
	/// The hospital and role of `who`, if `who` is the admin or operator of an *active* hospital.
	fn active_hospital_of(who: &AccountId) -> Option<(HospitalId, HospitalRole)>;

	/// The active hospital whose operator is `who`.
	fn operator_hospital(who: &AccountId) -> Option<HospitalId> {
		match Self::active_hospital_of(who) {
			Some((hospital, HospitalRole::Operator)) => Some(hospital),
			_ => None,
		}
	}

	/// Whether `hospital` exists and is active.
	fn is_active(hospital: HospitalId) -> bool;

	/// The active hospital whose node has the libp2p peer id `peer_id` (its bytes).
	fn active_hospital_of_peer(peer_id: &[u8]) -> Option<HospitalId>;

	/// The pharmacy and role of `who`, if `who` is the admin or operator of an *active*
	/// pharmacy. Pharmacies are members that do not validate; they share the hospitals' ids.
	fn active_pharmacy_of(_who: &AccountId) -> Option<(HospitalId, HospitalRole)> {
		None
	}

	/// Whether `pharmacy` exists and is active.
	fn is_active_pharmacy(_pharmacy: HospitalId) -> bool {
		false
	}

	/// Whether `member` is an active hospital or an active pharmacy.
	fn is_active_member(member: HospitalId) -> bool {
		Self::is_active(member) || Self::is_active_pharmacy(member)
	}

	/// For benchmarks: an active hospital's account in `role`, made on first use.
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_hospital(_role: HospitalRole) -> Option<(AccountId, HospitalId)> {
		None
	}

	/// For benchmarks: an active pharmacy's account in `role`, made on first use.
	#[cfg(feature = "runtime-benchmarks")]
	fn benchmark_pharmacy(_role: HospitalRole) -> Option<(AccountId, HospitalId)> {
		None
	}
}

/// Which accounts are registered patient pseudonyms.
pub trait PatientRegistry<AccountId> {
	/// The hospital that registered `who`, if `who` is an active patient pseudonym of an active
	/// hospital.
	fn registering_hospital(who: &AccountId) -> Option<HospitalId>;

	/// Whether `who` is an active patient pseudonym of an active hospital.
	fn is_registered(who: &AccountId) -> bool {
		Self::registering_hospital(who).is_some()
	}
}
