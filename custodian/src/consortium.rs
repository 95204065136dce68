//! What the node tells an app about the consortium and itself: the hospitals, and its health.

use medchain_app_api::{
	auth::Holder, AccountId, Hash32, Health, HospitalEntry, HospitalsPage, Session,
};
use medchain_primitives::HospitalId;
use pallet_hospitals::{HospitalStatus, MemberKind};

use crate::{error::chain_error, Custodian, Result};

impl Custodian {
	/// `medchain_hospitals`: the members (hospitals and pharmacies) of the registry with ids
	/// from `from`, at most `limit` ids, at the finalized block.
	pub fn hospitals(&self, from: HospitalId, limit: u32) -> Result<HospitalsPage> {
		let at = self.chain.info().finalized_hash;
		let (hospitals, next) = self.chain.members(at, from, limit).map_err(chain_error)?;
		let validators = if hospitals.is_empty() {
			Vec::new()
		} else {
			self.chain.validators(at).map_err(chain_error)?
		};
		let hospitals = hospitals
			.into_iter()
			.map(|(id, hospital)| HospitalEntry {
				id,
				kind: match hospital.kind {
					MemberKind::Hospital => "hospital",
					MemberKind::Pharmacy => "pharmacy",
				}
				.into(),
				name: String::from_utf8_lossy(&hospital.name).into_owned(),
				status: status_name(hospital.status).into(),
				validator: validators.contains(&id),
				nodes: hospital
					.nodes
					.iter()
					.map(|node| String::from_utf8_lossy(&node.peer_id).into_owned())
					.collect(),
			})
			.collect();
		Ok(HospitalsPage { hospitals, next })
	}

	/// `medchain_session` for `holder`: its role and pseudonym, this hospital, and the chain's
	/// genesis hash and slot time at the finalized block.
	pub fn session(&self, holder: &Holder) -> Result<Session> {
		let info = self.chain.info();
		let slot_millis = self.chain.slot_millis(info.finalized_hash).map_err(chain_error)?;
		Ok(Session {
			role: holder.role.name().into(),
			hospital: self.hospital,
			patient: holder.patient.map(AccountId::from),
			genesis_hash: Hash32(info.genesis_hash.0),
			slot_millis,
		})
	}

	/// `medchain_health`.
	pub async fn health(&self) -> Health {
		let info = self.chain.info();
		let peers = self.network.connected_peers().await;
		Health {
			hospital: self.hospital,
			best_block: info.best_number,
			finalized_block: info.finalized_number,
			peers: u32::try_from(peers).unwrap_or(u32::MAX),
			// As the metrics task last sampled it: no store read per health check.
			outbox_depth: self.metrics.outbox_depth.get(),
		}
	}
}

/// A member's status as the API names it.
pub(crate) fn status_name(status: HospitalStatus) -> &'static str {
	match status {
		HospitalStatus::Active => "active",
		HospitalStatus::Suspended => "suspended",
		HospitalStatus::Removed => "removed",
	}
}
