//! Which calls each kind of signer may make: the whitelist `CheckPermission` enforces.
//!
//! A call not listed here is refused for everyone, and a general transaction without a signer
//! carries no call at all. `System` calls are closed (`remark` would be a free channel for
//! health data and spam) except `apply_authorized_upgrade`, and that one only while an upgrade
//! is authorized and the code is exactly the authorized code: otherwise it would fail at
//! dispatch after filling the block with up to 5 MiB of Operational weight. Sudo calls pass only
//! for the sudo key, which exists on development chains alone.
//!
//! A pharmacy is a member that never validates: its operator opens records shared with it and
//! fills prescriptions, and its admin admits members (where the pallet lets pharmacies vote)
//! and rotates the pharmacy's operator and nodes. Pharmacy signers are not patients.

use frame_support::pallet_prelude::TransactionSource;
use medchain_primitives::HospitalRole;
use pallet_hospitals::{CallPermissions, Signer};

use crate::{AccountId, Runtime, RuntimeCall};

pub struct RolePermissions;

impl CallPermissions<AccountId, RuntimeCall> for RolePermissions {
	fn allows(who: &AccountId, signer: &Signer, call: &RuntimeCall) -> bool {
		use pallet_access_log::Call as AccessCall;
		use pallet_hospitals::Call as HospitalsCall;
		use pallet_shares::Call as SharesCall;
		match call {
			RuntimeCall::System(upgrade @ frame_system::Call::apply_authorized_upgrade { .. }) => {
				return matches!(signer, Signer::Hospital { .. }) && is_authorized(upgrade);
			}
			RuntimeCall::Sudo(_) => {
				return pallet_sudo::Key::<Runtime>::get().as_ref() == Some(who);
			}
			_ => {}
		}
		match signer {
			// An admin may also stop its custodian's scheduled erasures.
			Signer::Hospital { role: HospitalRole::Admin, .. } => matches!(
				call,
				RuntimeCall::Records(pallet_records::Call::cancel_erasure { .. })
					| RuntimeCall::Hospitals(
						HospitalsCall::propose { .. }
							| HospitalsCall::propose_hospital { .. }
							| HospitalsCall::propose_pharmacy { .. }
							| HospitalsCall::vote { .. }
							| HospitalsCall::close { .. }
							| HospitalsCall::rotate_operator { .. }
							| HospitalsCall::rotate_session_keys { .. }
							| HospitalsCall::rotate_nodes { .. }
					)
			),
			Signer::Hospital { role: HospitalRole::Operator, .. } => matches!(
				call,
				RuntimeCall::Hospitals(
					HospitalsCall::register_patient { .. }
						| HospitalsCall::deregister_patient { .. }
				) | RuntimeCall::Records(
					pallet_records::Call::anchor { .. }
						| pallet_records::Call::anchor_batch { .. }
						| pallet_records::Call::amend { .. }
						| pallet_records::Call::erase { .. }
						| pallet_records::Call::complete_erasure { .. }
				) | RuntimeCall::Shares(
					SharesCall::create_grant_for { .. }
						| SharesCall::revoke { .. }
						| SharesCall::request_consent { .. }
				) | RuntimeCall::AccessLog(
					AccessCall::access { .. }
						| AccessCall::break_glass { .. }
						| AccessCall::confirm_release { .. }
				)
			),
			// A pharmacy's admin rotates the pharmacy's accounts and nodes, and, only where
			// genesis lets pharmacies vote on admissions, proposes and approves them (refused
			// here otherwise, so that calls bound to fail never take operational block space);
			// it has no session keys, and proposes no suspension or upgrade.
			Signer::Pharmacy { role: HospitalRole::Admin, .. } => match call {
				RuntimeCall::Hospitals(
					HospitalsCall::rotate_operator { .. } | HospitalsCall::rotate_nodes { .. },
				) => true,
				RuntimeCall::Hospitals(
					HospitalsCall::propose_pharmacy { .. }
					| HospitalsCall::propose_hospital { .. }
					| HospitalsCall::vote { .. },
				) => pallet_hospitals::PharmaciesVoteOnAdmissions::<Runtime>::get(),
				_ => false,
			},
			// A pharmacy's operator opens records shared with it and fills prescriptions; it
			// anchors nothing, registers no patient and never breaks the glass.
			Signer::Pharmacy { role: HospitalRole::Operator, .. } => matches!(
				call,
				RuntimeCall::AccessLog(AccessCall::access { .. })
					| RuntimeCall::Records(pallet_records::Call::fill { .. })
			),
			// A patient shares and reads their own records (the pallets check whose they are),
			// answers consent requests, and protects itself.
			Signer::Patient { .. } => {
				protects_patient(call)
					|| matches!(
						call,
						RuntimeCall::Shares(
							SharesCall::create_grant { .. } | SharesCall::approve_consent { .. }
						) | RuntimeCall::AccessLog(AccessCall::patient_access { .. })
					)
			}
			// A patient of a suspended or removed hospital may only protect itself: nothing
			// it can do creates new state, so sybils its hospital minted gain nothing.
			Signer::OrphanedPatient { .. } => protects_patient(call),
		}
	}
}

/// The calls with which a patient protects itself: erasing, revoking, denying, withdrawing.
fn protects_patient(call: &RuntimeCall) -> bool {
	use pallet_records::Call as RecordsCall;
	use pallet_shares::Call as SharesCall;
	matches!(
		call,
		RuntimeCall::Records(
			RecordsCall::erase { .. }
				| RecordsCall::cancel_erasure { .. }
				| RecordsCall::complete_erasure { .. }
		) | RuntimeCall::Shares(
			SharesCall::revoke { .. }
				| SharesCall::deny_consent { .. }
				| SharesCall::withdraw_consents { .. }
		)
	)
}

/// Whether `apply_authorized_upgrade` would pass `frame_system`'s own check: an upgrade is
/// authorized and `code` hashes to it (and may be set now).
#[allow(deprecated)]
fn is_authorized(upgrade: &frame_system::Call<Runtime>) -> bool {
	use sp_runtime::traits::ValidateUnsigned;
	frame_system::Pallet::<Runtime>::validate_unsigned(TransactionSource::InBlock, upgrade).is_ok()
}
