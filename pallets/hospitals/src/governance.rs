//! Governance by the members: proposals, votes and their execution.
//!
//! An active hospital's admin proposes; the proposer's approval counts at once. A proposal
//! executes in the vote that reaches the threshold: `ApprovalThreshold` (at least two thirds)
//! of the active hospitals, not counting the hospital the proposal is about. Votes of
//! hospitals that stopped being active no longer count. A proposal past its lifetime takes no
//! more votes and can only be closed.

use alloc::vec::Vec;
use frame_support::{dispatch::DispatchResult, ensure, pallet_prelude::*, traits::Get};
use frame_system::pallet_prelude::{BlockNumberFor, OriginFor};
use medchain_primitives::{HospitalId, HospitalRegistry, HospitalRole, StalledSetRecovery};
use sp_runtime::{traits::Saturating, RuntimeAppPublic};

use crate::{
	AccountRoles, ActiveHospitalCount, AuraKeyOwner, Config, Error, Event, GrandpaKeyOwner,
	Hospital, HospitalStatus, Hospitals, NewHospital, NextHospitalId, NextProposalId, Pallet,
	PeerOwner, Proposal, ProposalInfo, ProposalLifetime, Proposals,
};

/// The message a new hospital's validator keys sign to prove possession: its admin account.
pub fn key_ownership_message<T: Config>(admin: &T::AccountId) -> Vec<u8> {
	admin.encode()
}

impl<T: Config> Pallet<T> {
	/// The active hospital whose admin signed `origin`.
	pub(crate) fn ensure_admin(origin: OriginFor<T>) -> Result<HospitalId, DispatchError> {
		let who = frame_system::ensure_signed(origin)?;
		match Self::active_hospital_of(&who) {
			Some((hospital, HospitalRole::Admin)) => Ok(hospital),
			_ => Err(Error::<T>::NotHospitalAdmin.into()),
		}
	}

	/// Checks that `proposal` could execute now; nothing is written.
	pub(crate) fn check_proposal(proposal: &Proposal<T>) -> DispatchResult {
		match proposal {
			Proposal::AddHospital(new) => Self::check_new_hospital(new),
			Proposal::Suspend { hospital } | Proposal::Remove { hospital } => {
				let status = Self::status_of(*hospital)?;
				ensure!(status != HospitalStatus::Removed, Error::<T>::HospitalRemoved);
				if matches!(proposal, Proposal::Suspend { .. }) {
					ensure!(status == HospitalStatus::Active, Error::<T>::NotActive);
				}
				if status == HospitalStatus::Active {
					let remaining = ActiveHospitalCount::<T>::get().saturating_sub(1);
					ensure!(
						remaining >= T::MinActiveHospitals::get(),
						Error::<T>::BelowMinimumHospitals
					);
				}
				Ok(())
			}
			Proposal::Reinstate { hospital } => {
				ensure!(
					Self::status_of(*hospital)? == HospitalStatus::Suspended,
					Error::<T>::NotSuspended
				);
				Ok(())
			}
			Proposal::UpgradeRuntime { .. } | Proposal::RecoverStalledSet { .. } => Ok(()),
		}
	}

	/// There is room for one more hospital, and the accounts, keys and peer ids of `new` are
	/// unused and distinct.
	pub(crate) fn check_new_hospital(new: &NewHospital<T>) -> DispatchResult {
		ensure!(NextHospitalId::<T>::get() < T::MaxHospitals::get(), Error::<T>::TooManyHospitals);
		ensure!(new.admin != new.operator, Error::<T>::AccountInUse);
		for account in [&new.admin, &new.operator] {
			ensure!(!AccountRoles::<T>::contains_key(account), Error::<T>::AccountInUse);
		}
		ensure!(!AuraKeyOwner::<T>::contains_key(&new.aura), Error::<T>::AuraKeyInUse);
		ensure!(!GrandpaKeyOwner::<T>::contains_key(&new.grandpa), Error::<T>::GrandpaKeyInUse);
		for (index, node) in new.nodes.iter().enumerate() {
			ensure!(!PeerOwner::<T>::contains_key(&node.peer_id), Error::<T>::PeerIdInUse);
			let mut later = new.nodes.iter().skip(index.saturating_add(1));
			ensure!(later.all(|other| other.peer_id != node.peer_id), Error::<T>::PeerIdInUse);
		}
		Ok(())
	}

	fn status_of(hospital: HospitalId) -> Result<HospitalStatus, DispatchError> {
		Ok(Hospitals::<T>::get(hospital).ok_or(Error::<T>::HospitalNotFound)?.status)
	}

	/// Verifies that the holder of the new hospital's keys signed its admin account.
	pub(crate) fn check_key_proofs(
		new: &NewHospital<T>,
		aura_proof: &T::AuraProof,
		grandpa_proof: &T::GrandpaProof,
	) -> DispatchResult {
		let owner = key_ownership_message::<T>(&new.admin);
		ensure!(
			new.aura.verify_proof_of_possession(&owner, aura_proof)
				&& new.grandpa.verify_proof_of_possession(&owner, grandpa_proof),
			Error::<T>::InvalidKeyProof
		);
		Ok(())
	}

	/// Stores a checked proposal with the proposer's approval, and executes it if that alone
	/// reaches the threshold.
	pub(crate) fn do_propose(proposer: HospitalId, proposal: Proposal<T>) -> DispatchResult {
		Self::check_proposal(&proposal)?;
		let id = NextProposalId::<T>::get();
		let now = frame_system::Pallet::<T>::block_number();
		let mut ayes = BoundedVec::new();
		ayes.try_push(proposer).map_err(|_| Error::<T>::TooManyHospitals)?;
		let info = ProposalInfo {
			proposal: proposal.clone(),
			proposer,
			ayes,
			expires_at: now.saturating_add(ProposalLifetime::<T>::get()),
		};
		NextProposalId::<T>::put(id.saturating_add(1));
		Proposals::<T>::insert(id, &info);
		Self::deposit_event(Event::Proposed { id, proposer, proposal });
		Self::execute_if_approved(id, info)
	}

	pub(crate) fn do_vote(voter: HospitalId, id: u32) -> DispatchResult {
		let mut info = Proposals::<T>::get(id).ok_or(Error::<T>::ProposalNotFound)?;
		ensure!(frame_system::Pallet::<T>::block_number() <= info.expires_at, Error::<T>::Expired);
		ensure!(info.proposal.target() != Some(voter), Error::<T>::TargetCannotVote);
		ensure!(!info.ayes.contains(&voter), Error::<T>::AlreadyVoted);
		info.ayes.try_push(voter).map_err(|_| Error::<T>::TooManyHospitals)?;
		Proposals::<T>::insert(id, &info);
		Self::execute_if_approved(id, info)
	}

	/// Approvals that count now, and how many are needed.
	pub fn tally(info: &ProposalInfo<T>) -> (u32, u32) {
		let target = info.proposal.target();
		let counting = |h: &HospitalId| Some(*h) != target && Self::is_active(*h);
		let ayes = info.ayes.iter().filter(|h| counting(h)).count();
		let target_active = target.is_some_and(Self::is_active);
		let electorate = ActiveHospitalCount::<T>::get().saturating_sub(u32::from(target_active));
		let (numerator, denominator) = T::ApprovalThreshold::get();
		let scaled = u64::from(electorate).saturating_mul(u64::from(numerator));
		let needed = scaled.div_ceil(u64::from(denominator.max(1))).max(1);
		(u32::try_from(ayes).unwrap_or(u32::MAX), u32::try_from(needed).unwrap_or(u32::MAX))
	}

	fn execute_if_approved(id: u32, info: ProposalInfo<T>) -> DispatchResult {
		let (ayes, needed) = Self::tally(&info);
		Self::deposit_event(Event::Tallied { id, ayes, needed });
		if ayes < needed {
			return Ok(());
		}
		// Checked again: the registry may have changed since the proposal was made.
		Self::check_proposal(&info.proposal)?;
		Proposals::<T>::remove(id);
		Self::execute(info.proposal);
		Self::deposit_event(Event::Executed { id });
		Ok(())
	}

	/// Applies a checked proposal.
	fn execute(proposal: Proposal<T>) {
		match proposal {
			Proposal::AddHospital(new) => Self::admit(new),
			Proposal::Suspend { hospital } => {
				Self::set_status(hospital, HospitalStatus::Suspended);
				Self::deposit_event(Event::HospitalSuspended { hospital });
			}
			Proposal::Reinstate { hospital } => {
				Self::set_status(hospital, HospitalStatus::Active);
				Self::deposit_event(Event::HospitalReinstated { hospital });
			}
			Proposal::Remove { hospital } => {
				Self::set_status(hospital, HospitalStatus::Removed);
				Self::deposit_event(Event::HospitalRemoved { hospital });
			}
			Proposal::UpgradeRuntime { code_hash, check_version } => {
				frame_system::Pallet::<T>::do_authorize_upgrade(code_hash, check_version);
				Self::deposit_event(Event::RuntimeUpgradeAuthorized { code_hash });
			}
			Proposal::RecoverStalledSet { delay, best_finalized } => {
				T::StallRecovery::recover_stalled_set(delay, best_finalized);
				Self::deposit_event(Event::StallRecoveryScheduled { delay, best_finalized });
			}
		}
	}

	fn set_status(hospital: HospitalId, status: HospitalStatus) {
		Hospitals::<T>::mutate(hospital, |entry| {
			if let Some(entry) = entry {
				let was_active = entry.status == HospitalStatus::Active;
				let is_active = status == HospitalStatus::Active;
				if was_active && !is_active {
					ActiveHospitalCount::<T>::mutate(|n| *n = n.saturating_sub(1));
				} else if !was_active && is_active {
					ActiveHospitalCount::<T>::mutate(|n| *n = n.saturating_add(1));
				}
				entry.status = status;
			}
		});
	}

	/// Registers a new active hospital and admits its accounts.
	pub(crate) fn admit(new: NewHospital<T>) {
		let id = NextHospitalId::<T>::get();
		AccountRoles::<T>::insert(&new.admin, (id, HospitalRole::Admin));
		AccountRoles::<T>::insert(&new.operator, (id, HospitalRole::Operator));
		// Accounts transact without balances; the reference is never removed.
		frame_system::Pallet::<T>::inc_providers(&new.admin);
		frame_system::Pallet::<T>::inc_providers(&new.operator);
		AuraKeyOwner::<T>::insert(&new.aura, id);
		GrandpaKeyOwner::<T>::insert(&new.grandpa, id);
		for node in &new.nodes {
			PeerOwner::<T>::insert(&node.peer_id, id);
		}
		let joined: BlockNumberFor<T> = frame_system::Pallet::<T>::block_number();
		Hospitals::<T>::insert(
			id,
			Hospital {
				name: new.name.clone(),
				admin: new.admin,
				operator: new.operator,
				aura: new.aura,
				grandpa: new.grandpa,
				nodes: new.nodes,
				status: HospitalStatus::Active,
				joined,
			},
		);
		NextHospitalId::<T>::put(id.saturating_add(1));
		ActiveHospitalCount::<T>::mutate(|n| *n = n.saturating_add(1));
		Self::deposit_event(Event::HospitalAdded { hospital: id, name: new.name });
	}
}
