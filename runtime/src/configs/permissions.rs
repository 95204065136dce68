//! Which calls each kind of signer may make: the whitelist `CheckPermission` enforces.
//!
//! A call not listed here is refused for everyone. `System` calls are closed (`remark` would be
//! a free channel for health data and spam) except `apply_authorized_upgrade`, which only sets
//! code that a governance vote (or sudo, on development chains) has authorized.

use medchain_primitives::HospitalRole;
use pallet_hospitals::{CallPermissions, Signer};

use crate::RuntimeCall;

pub struct RolePermissions;

impl CallPermissions<RuntimeCall> for RolePermissions {
	fn allows(signer: &Signer, call: &RuntimeCall) -> bool {
		use pallet_access_log::Call as AccessCall;
		use pallet_hospitals::Call as HospitalsCall;
		use pallet_shares::Call as SharesCall;
		// Code a governance vote authorized may be submitted by any hospital account.
		if let (
			Signer::Hospital { .. },
			RuntimeCall::System(frame_system::Call::apply_authorized_upgrade { .. }),
		) = (signer, call)
		{
			return true;
		}
		match signer {
			// Sudo exists only on development chains, where Hospital A's admin holds the key.
			Signer::Hospital { role: HospitalRole::Admin, .. } => matches!(
				call,
				RuntimeCall::Sudo(_)
					| RuntimeCall::Hospitals(
						HospitalsCall::propose { .. }
							| HospitalsCall::propose_hospital { .. }
							| HospitalsCall::vote { .. }
							| HospitalsCall::close { .. }
					)
			),
			Signer::Hospital { role: HospitalRole::Operator, .. } => matches!(
				call,
				RuntimeCall::Hospitals(
					HospitalsCall::register_patient { .. }
						| HospitalsCall::deregister_patient { .. }
				) | RuntimeCall::Records(_)
					| RuntimeCall::Shares(
						SharesCall::create_grant_for { .. }
							| SharesCall::revoke { .. }
							| SharesCall::request_consent { .. }
					) | RuntimeCall::AccessLog(
					AccessCall::access { .. }
						| AccessCall::break_glass { .. }
						| AccessCall::confirm_release { .. }
				)
			),
			// A patient erases, shares and reads their own records (the pallets check whose
			// they are) and answers consent requests.
			Signer::Patient { .. } => matches!(
				call,
				RuntimeCall::Records(pallet_records::Call::erase { .. })
					| RuntimeCall::Shares(
						SharesCall::create_grant { .. }
							| SharesCall::revoke { .. }
							| SharesCall::approve_consent { .. }
							| SharesCall::deny_consent { .. }
					) | RuntimeCall::AccessLog(AccessCall::patient_access { .. })
			),
		}
	}
}
