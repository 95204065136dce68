//! Governance by the members: proposals, votes and their execution.
//!
//! An active hospital's admin proposes; the proposer's approval counts at once. A proposal
//! executes in the vote that reaches the threshold: `ApprovalThreshold` (at least two thirds)
//! of all active hospitals. The hospital a proposal is about stays in that electorate but its
//! own vote never counts, so a bare majority can't suspend the others one by one: in a
//! consortium of seven, suspending one takes five others. Votes of hospitals that stopped being
//! active no longer count. A proposal past its lifetime takes no more votes and can only be
//! closed; an admin has at most `MaxOpenProposals` open.
//!
//! `RecoverStalledSet` is the exception: it may be proposed and executed only while at most two
//! thirds of the current validators are live (so finality can't progress without the others);
//! its electorate is the live validators (see [`Pallet::tally`]); and executing it suspends
//! every validator that is not live before forcing the GRANDPA change, so two survivors of four
//! can restore finality.

use alloc::vec::Vec;
use frame_support::{dispatch::DispatchResult, ensure, pallet_prelude::*, traits::Get};
use frame_system::pallet_prelude::BlockNumberFor;
use medchain_primitives::{
	peer::{is_signed_by_node, NodeSignature},
	HospitalId, HospitalRegistry, HospitalRole, StalledSetRecovery,
};
use sp_runtime::{traits::Saturating, RuntimeAppPublic};

use crate::{
	AccountRoles, ActiveHospitals, AuraKeyOwner, Config, Error, Event, GrandpaKeyOwner, Hospital,
	HospitalStatus, Hospitals, NewHospital, NextHospitalId, NextProposalId, OpenProposals, Pallet,
	PeerOwner, Proposal, ProposalId, ProposalInfo, ProposalLifetime, Proposals,
};

/// Fewest approvals a stall recovery needs, however few hospitals are live: one hospital cut
/// off from the others must not make itself the whole validator set.
pub const MIN_RECOVERY_APPROVALS: u64 = 2;

/// Domain tag of the admission a new hospital's keys sign.
pub const ADMISSION_DOMAIN: &[u8] = b"medchain/admission/v1";

/// The message a new hospital's validator keys sign to prove possession:
/// `ADMISSION_DOMAIN ‖ SCALE(genesis hash, name, admin, operator, nodes)`. The proofs bind the
/// keys to this chain and this whole admission, so nobody can re-propose them with other
/// accounts or nodes.
pub fn admission_message<T: Config>(genesis_hash: &T::Hash, new: &NewHospital<T>) -> Vec<u8> {
	let mut message = ADMISSION_DOMAIN.to_vec();
	(genesis_hash, &new.name, &new.admin, &new.operator, &new.nodes).encode_to(&mut message);
	message
}

/// The message each node key signs: [`admission_message`] ‖ SCALE(Aura key, GRANDPA key). The
/// validator keys' own proofs can't cover the keys (they are generated signing the message), so
/// the node key binds them: nobody can swap in a key of its own under the same admission.
pub fn node_admission_message<T: Config>(genesis_hash: &T::Hash, new: &NewHospital<T>) -> Vec<u8> {
	let mut message = admission_message::<T>(genesis_hash, new);
	(&new.aura, &new.grandpa).encode_to(&mut message);
	message
}

impl<T: Config> Pallet<T> {
	/// Checks that `proposal` could execute now; nothing is written.
	pub(crate) fn check_proposal(proposal: &Proposal<T>) -> DispatchResult {
		match proposal {
			Proposal::AddHospital(new) => Self::check_new_hospital(new),
			Proposal::Suspend { hospital } | Proposal::Remove { hospital } => {
				let status = Self::status_of(*hospital)?;
				ensure!(status != HospitalStatus::Removed, Error::<T>::HospitalIsRemoved);
				if matches!(proposal, Proposal::Suspend { .. }) {
					ensure!(status == HospitalStatus::Active, Error::<T>::NotActive);
				}
				if status == HospitalStatus::Active {
					let remaining = Self::active_count().saturating_sub(1);
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
				ensure!(
					Self::active_count() < T::MaxHospitals::get(),
					Error::<T>::TooManyHospitals
				);
				Ok(())
			}
			Proposal::RecoverStalledSet { delay, best_finalized } => {
				ensure!(*delay <= T::MaxRecoveryDelay::get(), Error::<T>::RecoveryDelayTooLong);
				let now = frame_system::Pallet::<T>::block_number();
				ensure!(*best_finalized < now, Error::<T>::FinalizedNotInPast);
				// GRANDPA finalizes with more than two thirds of its voters: only when the live
				// validators are two thirds or fewer can finality have stalled for lack of them.
				let (live, validators) = T::StallRecovery::live_validators();
				let (live, validators) = (live.len(), validators.len());
				ensure!(
					live.saturating_mul(3) <= validators.saturating_mul(2),
					Error::<T>::FinalityNotStalled
				);
				Ok(())
			}
			Proposal::UpgradeRuntime { .. } => Ok(()),
		}
	}

	/// There is room for one more hospital, and the accounts, keys and peer ids of `new` are
	/// unused and distinct.
	pub(crate) fn check_new_hospital(new: &NewHospital<T>) -> DispatchResult {
		ensure!(
			Self::active_count() < T::MaxHospitals::get()
				&& NextHospitalId::<T>::get().checked_add(1).is_some(),
			Error::<T>::TooManyHospitals
		);
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

	/// Verifies that the holders of the new hospital's validator keys and node keys signed
	/// this admission.
	pub(crate) fn check_key_proofs(
		new: &NewHospital<T>,
		aura_proof: &T::AuraProof,
		grandpa_proof: &T::GrandpaProof,
		node_proofs: &[NodeSignature],
	) -> DispatchResult {
		let genesis_hash = medchain_pallet_support::chain::genesis_hash::<T>();
		let message = admission_message::<T>(&genesis_hash, new);
		ensure!(
			new.aura.verify_proof_of_possession(&message, aura_proof)
				&& new.grandpa.verify_proof_of_possession(&message, grandpa_proof),
			Error::<T>::InvalidKeyProof
		);
		let node_message = node_admission_message::<T>(&genesis_hash, new);
		ensure!(
			node_proofs.len() == new.nodes.len()
				&& new.nodes.iter().zip(node_proofs).all(|(node, proof)| {
					is_signed_by_node(&node.peer_id, &node_message, proof)
				}),
			Error::<T>::InvalidNodeProof
		);
		Ok(())
	}

	/// Stores a checked proposal with the proposer's approval, and executes it if that alone
	/// reaches the threshold.
	pub(crate) fn do_propose(proposer: HospitalId, proposal: Proposal<T>) -> DispatchResult {
		Self::check_proposal(&proposal)?;
		let open = OpenProposals::<T>::get(proposer);
		ensure!(open < T::MaxOpenProposals::get(), Error::<T>::TooManyOpenProposals);
		OpenProposals::<T>::insert(proposer, open.saturating_add(1));
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

	pub(crate) fn do_vote(voter: HospitalId, id: ProposalId) -> DispatchResult {
		let mut info = Proposals::<T>::get(id).ok_or(Error::<T>::ProposalNotFound)?;
		ensure!(frame_system::Pallet::<T>::block_number() <= info.expires_at, Error::<T>::Expired);
		ensure!(info.proposal.target() != Some(voter), Error::<T>::TargetCannotVote);
		ensure!(!info.ayes.contains(&voter), Error::<T>::AlreadyVoted);
		// Approvals of hospitals no longer active count for nothing; dropping them keeps room
		// for every active hospital's approval.
		info.ayes.retain(|hospital| Self::is_active(*hospital));
		info.ayes.try_push(voter).map_err(|_| Error::<T>::TooManyHospitals)?;
		Proposals::<T>::insert(id, &info);
		Self::execute_if_approved(id, info)
	}

	/// Approvals that count now, and how many are needed.
	///
	/// A stall recovery is decided by the *live* active hospitals (those whose validator
	/// authored a block within the liveness window), at least two of them: when finality has
	/// stalled because hospitals are gone, the survivors alone can act.
	pub fn tally(info: &ProposalInfo<T>) -> (u32, u32) {
		let target = info.proposal.target();
		let recovery = matches!(info.proposal, Proposal::RecoverStalledSet { .. });
		let mut live = if recovery { T::StallRecovery::live_validators().0 } else { Vec::new() };
		live.retain(|id| Self::is_active(*id));
		let counting = |h: &HospitalId| {
			Some(*h) != target && Self::is_active(*h) && (!recovery || live.contains(h))
		};
		let ayes = info.ayes.iter().filter(|h| counting(h)).count();
		let (electorate, floor) = if recovery {
			(u32::try_from(live.len()).unwrap_or(u32::MAX), MIN_RECOVERY_APPROVALS)
		} else {
			(Self::active_count(), 1)
		};
		let (numerator, denominator) = T::ApprovalThreshold::get();
		let scaled = u64::from(electorate).saturating_mul(u64::from(numerator));
		let needed = scaled.div_ceil(u64::from(denominator.max(1))).max(floor);
		// Never more than can vote: the target, if active, is in the electorate but not a voter.
		let target_active = target.is_some_and(Self::is_active);
		let voters = u64::from(electorate.saturating_sub(u32::from(target_active))).max(floor);
		let needed = needed.min(voters);
		(u32::try_from(ayes).unwrap_or(u32::MAX), u32::try_from(needed).unwrap_or(u32::MAX))
	}

	fn execute_if_approved(id: ProposalId, info: ProposalInfo<T>) -> DispatchResult {
		let (ayes, needed) = Self::tally(&info);
		Self::deposit_event(Event::Tallied { id, ayes, needed });
		if ayes < needed {
			return Ok(());
		}
		// Checked again: the registry may have changed since the proposal was made.
		Self::check_proposal(&info.proposal)?;
		Self::remove_proposal(id, &info);
		Self::execute(info.proposal);
		Self::deposit_event(Event::Executed { id });
		Ok(())
	}

	/// Removes proposal `id`, freeing one of its proposer's open slots.
	pub(crate) fn remove_proposal(id: ProposalId, info: &ProposalInfo<T>) {
		Proposals::<T>::remove(id);
		OpenProposals::<T>::mutate_exists(info.proposer, |open| {
			*open = open.map(|n| n.saturating_sub(1)).filter(|n| *n > 0);
		});
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
				// The hospitals that stopped authoring leave the set; `MinActiveHospitals` does
				// not apply, since finality can't come back with them in it.
				// Every active hospital but the live validators leaves: the forced set (the
				// registry's active hospitals) is then exactly the validators still voting.
				let (live, _) = T::StallRecovery::live_validators();
				let gone: Vec<HospitalId> = Self::active_hospitals()
					.map(|(id, _)| id)
					.filter(|id| !live.contains(id))
					.collect();
				for hospital in gone {
					Self::set_status(hospital, HospitalStatus::Suspended);
					Self::deposit_event(Event::HospitalSuspended { hospital });
				}
				T::StallRecovery::recover_stalled_set(delay, best_finalized);
				Self::deposit_event(Event::StallRecoveryScheduled { delay, best_finalized });
			}
		}
	}

	fn set_status(hospital: HospitalId, status: HospitalStatus) {
		Hospitals::<T>::mutate(hospital, |entry| {
			if let Some(entry) = entry {
				entry.status = status;
			}
		});
		if status == HospitalStatus::Active {
			Self::mark_active(hospital);
		} else {
			ActiveHospitals::<T>::mutate(|active| active.retain(|id| *id != hospital));
		}
	}

	/// Adds `hospital` to the active ids, in order. Callers checked there is room
	/// (`TooManyHospitals`), so a full list changes nothing.
	pub(crate) fn mark_active(hospital: HospitalId) {
		ActiveHospitals::<T>::mutate(|active| {
			if let Err(position) = active.binary_search(&hospital) {
				let _ = active.try_insert(position, hospital);
			}
		});
	}

	/// How many hospitals are active.
	pub fn active_count() -> u32 {
		u32::try_from(ActiveHospitals::<T>::decode_len().unwrap_or_default()).unwrap_or(u32::MAX)
	}

	/// Registers a new active hospital and admits its accounts.
	pub(crate) fn admit(new: NewHospital<T>) {
		let id = NextHospitalId::<T>::get();
		AccountRoles::<T>::insert(&new.admin, (id, HospitalRole::Admin));
		AccountRoles::<T>::insert(&new.operator, (id, HospitalRole::Operator));
		// A patient entry of these accounts (registering one needs no signature of it, so it
		// proves nothing) is left alone: the hospital role takes precedence when signing.
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
		Self::mark_active(id);
		Self::deposit_event(Event::HospitalAdded { hospital: id, name: new.name });
	}
}
