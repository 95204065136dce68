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
//!
//! Pharmacies are members that never validate. The hospitals admit them (`AddPharmacy`), and
//! suspend, reinstate or remove them with the same proposals as a hospital; a pharmacy counts
//! for neither `MinActiveHospitals` nor `MaxHospitals`, and stall recovery leaves it alone.
//! Pharmacies vote only where genesis sets `PharmaciesVoteOnAdmissions`, and then only on
//! admissions, of hospitals and pharmacies alike, as members of that electorate
//! ([`Pallet::votes_on`]); never on suspensions, upgrades or stall recovery. Even then an
//! admission also needs the threshold of the hospitals' own approvals, so pharmacies can add to
//! the hospitals' approvals but never outvote them on who validates. Without the flag the
//! hospitals alone admit pharmacies.

use alloc::vec::Vec;
use frame_support::{dispatch::DispatchResult, ensure, pallet_prelude::*, traits::Get};
use frame_system::pallet_prelude::BlockNumberFor;
use medchain_primitives::{
	peer::{is_signed_by_node, NodeSignature},
	HospitalId, HospitalRegistry, HospitalRole, StalledSetRecovery,
};
use sp_runtime::{traits::Saturating, RuntimeAppPublic};

use crate::{
	AccountRoles, ActiveHospitals, ActivePharmacies, AuraKeyOwner, Config, Error, Event,
	GrandpaKeyOwner, Hospital, HospitalNode, HospitalStatus, Hospitals, MemberKind, NewHospital,
	NewPharmacy, NextHospitalId, NextProposalId, OpenProposals, Pallet, PeerOwner, Pharmacies,
	PharmaciesVoteOnAdmissions, Pharmacy, Proposal, ProposalId, ProposalInfo, ProposalLifetime,
	Proposals,
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

/// Domain tag of the admission a new pharmacy's node keys sign.
pub const PHARMACY_ADMISSION_DOMAIN: &[u8] = b"medchain/pharmacy-admission/v1";

/// The message each of a new pharmacy's node keys signs:
/// `PHARMACY_ADMISSION_DOMAIN ‖ SCALE(genesis hash, name, admin, operator, nodes)`. The proofs
/// bind the nodes to this chain and this whole admission, so nobody can re-propose them with
/// other accounts or nodes. A pharmacy has no validator keys to prove.
pub fn pharmacy_admission_message<T: Config>(
	genesis_hash: &T::Hash,
	new: &NewPharmacy<T>,
) -> Vec<u8> {
	let mut message = PHARMACY_ADMISSION_DOMAIN.to_vec();
	(genesis_hash, &new.name, &new.admin, &new.operator, &new.nodes).encode_to(&mut message);
	message
}

/// Whether every node's key signed `message`, one signature per node, in node order.
pub(crate) fn signed_by_nodes<T: Config>(
	nodes: &[HospitalNode<T>],
	message: &[u8],
	proofs: &[NodeSignature],
) -> bool {
	proofs.len() == nodes.len()
		&& nodes
			.iter()
			.zip(proofs)
			.all(|(node, proof)| is_signed_by_node(&node.peer_id, message, proof))
}

impl<T: Config> Pallet<T> {
	/// Checks that `proposal` could execute now; nothing is written.
	pub(crate) fn check_proposal(proposal: &Proposal<T>) -> DispatchResult {
		match proposal {
			Proposal::AddHospital(new) => Self::check_new_hospital(new),
			Proposal::AddPharmacy(new) => Self::check_new_pharmacy(new),
			Proposal::Suspend { hospital } | Proposal::Remove { hospital } => {
				let (kind, status) = Self::member_status(*hospital)?;
				ensure!(status != HospitalStatus::Removed, Error::<T>::HospitalIsRemoved);
				if matches!(proposal, Proposal::Suspend { .. }) {
					ensure!(status == HospitalStatus::Active, Error::<T>::NotActive);
				}
				// A pharmacy doesn't validate: the minimum counts hospitals only.
				if status == HospitalStatus::Active && kind == MemberKind::Hospital {
					let remaining = Self::active_count().saturating_sub(1);
					ensure!(
						remaining >= T::MinActiveHospitals::get(),
						Error::<T>::BelowMinimumHospitals
					);
				}
				Ok(())
			}
			Proposal::Reinstate { hospital } => {
				let (kind, status) = Self::member_status(*hospital)?;
				ensure!(status == HospitalStatus::Suspended, Error::<T>::NotSuspended);
				match kind {
					MemberKind::Hospital => ensure!(
						Self::active_count() < T::MaxHospitals::get(),
						Error::<T>::TooManyHospitals
					),
					MemberKind::Pharmacy => ensure!(
						Self::active_pharmacy_count() < T::MaxPharmacies::get(),
						Error::<T>::TooManyPharmacies
					),
				}
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
		Self::check_accounts_unused(&new.admin, &new.operator)?;
		ensure!(!AuraKeyOwner::<T>::contains_key(&new.aura), Error::<T>::AuraKeyInUse);
		ensure!(!GrandpaKeyOwner::<T>::contains_key(&new.grandpa), Error::<T>::GrandpaKeyInUse);
		Self::check_peers_unused(&new.nodes)
	}

	/// There is room for one more pharmacy, and the accounts and peer ids of `new` are unused
	/// and distinct.
	pub(crate) fn check_new_pharmacy(new: &NewPharmacy<T>) -> DispatchResult {
		ensure!(
			Self::active_pharmacy_count() < T::MaxPharmacies::get()
				&& NextHospitalId::<T>::get().checked_add(1).is_some(),
			Error::<T>::TooManyPharmacies
		);
		Self::check_accounts_unused(&new.admin, &new.operator)?;
		Self::check_peers_unused(&new.nodes)
	}

	/// A new member's admin and operator differ and serve no member yet.
	fn check_accounts_unused(admin: &T::AccountId, operator: &T::AccountId) -> DispatchResult {
		ensure!(admin != operator, Error::<T>::AccountInUse);
		for account in [admin, operator] {
			ensure!(!AccountRoles::<T>::contains_key(account), Error::<T>::AccountInUse);
		}
		Ok(())
	}

	/// A new member's peer ids are distinct and belong to no member yet.
	fn check_peers_unused(nodes: &[HospitalNode<T>]) -> DispatchResult {
		for (index, node) in nodes.iter().enumerate() {
			ensure!(!PeerOwner::<T>::contains_key(&node.peer_id), Error::<T>::PeerIdInUse);
			let mut later = nodes.iter().skip(index.saturating_add(1));
			ensure!(later.all(|other| other.peer_id != node.peer_id), Error::<T>::PeerIdInUse);
		}
		Ok(())
	}

	/// The kind and status of member `id`, whatever its status.
	fn member_status(id: HospitalId) -> Result<(MemberKind, HospitalStatus), DispatchError> {
		if let Some(hospital) = Hospitals::<T>::get(id) {
			return Ok((MemberKind::Hospital, hospital.status));
		}
		let pharmacy = Pharmacies::<T>::get(id).ok_or(Error::<T>::HospitalNotFound)?;
		Ok((MemberKind::Pharmacy, pharmacy.status))
	}

	/// The kind of member `id`, if it is an active hospital or an active pharmacy.
	pub(crate) fn active_kind(id: HospitalId) -> Option<MemberKind> {
		if Self::is_active(id) {
			Some(MemberKind::Hospital)
		} else if Self::is_active_pharmacy(id) {
			Some(MemberKind::Pharmacy)
		} else {
			None
		}
	}

	/// Whether `member`'s approval of `proposal` counts (the target's own aside, see
	/// [`Pallet::tally`]): an active hospital's always; an active pharmacy's only on an
	/// admission, and only where genesis sets `PharmaciesVoteOnAdmissions`.
	pub fn votes_on(member: HospitalId, proposal: &Proposal<T>) -> bool {
		Self::is_active(member)
			|| (Self::pharmacies_vote_on(proposal) && Self::is_active_pharmacy(member))
	}

	/// Whether `member` may approve an admission: [`Pallet::votes_on`] for `AddHospital` and
	/// `AddPharmacy` alike.
	pub(crate) fn votes_on_admissions(member: HospitalId) -> bool {
		Self::is_active(member)
			|| (PharmaciesVoteOnAdmissions::<T>::get() && Self::is_active_pharmacy(member))
	}

	/// Whether the active pharmacies vote on `proposal`: an admission, with the genesis flag.
	fn pharmacies_vote_on(proposal: &Proposal<T>) -> bool {
		proposal.is_admission() && PharmaciesVoteOnAdmissions::<T>::get()
	}

	/// Verifies that the node keys of the new pharmacy signed this admission.
	pub(crate) fn check_pharmacy_proofs(
		new: &NewPharmacy<T>,
		node_proofs: &[NodeSignature],
	) -> DispatchResult {
		let genesis_hash = medchain_pallet_support::chain::genesis_hash::<T>();
		let message = pharmacy_admission_message::<T>(&genesis_hash, new);
		ensure!(
			signed_by_nodes::<T>(&new.nodes, &message, node_proofs),
			Error::<T>::InvalidNodeProof
		);
		Ok(())
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
			signed_by_nodes::<T>(&new.nodes, &node_message, node_proofs),
			Error::<T>::InvalidNodeProof
		);
		Ok(())
	}

	/// Stores a checked proposal with the proposer's approval, and executes it if that alone
	/// reaches the threshold. The proposer must be a member that votes on it.
	pub(crate) fn do_propose(proposer: HospitalId, proposal: Proposal<T>) -> DispatchResult {
		ensure!(Self::votes_on(proposer, &proposal), Error::<T>::PharmacyCannotVote);
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

	/// Adds `voter`'s approval (an active member's) to proposal `id`.
	pub(crate) fn do_vote(voter: HospitalId, id: ProposalId) -> DispatchResult {
		let mut info = Proposals::<T>::get(id).ok_or(Error::<T>::ProposalNotFound)?;
		ensure!(frame_system::Pallet::<T>::block_number() <= info.expires_at, Error::<T>::Expired);
		ensure!(Self::votes_on(voter, &info.proposal), Error::<T>::PharmacyCannotVote);
		ensure!(info.proposal.target() != Some(voter), Error::<T>::TargetCannotVote);
		ensure!(!info.ayes.contains(&voter), Error::<T>::AlreadyVoted);
		// Approvals of members that may no longer vote on it count for nothing; dropping them
		// keeps room for every voter's approval.
		let proposal = &info.proposal;
		info.ayes.retain(|member| Self::votes_on(*member, proposal));
		info.ayes.try_push(voter).map_err(|_| Error::<T>::TooManyHospitals)?;
		Proposals::<T>::insert(id, &info);
		Self::execute_if_approved(id, info)
	}

	/// Approvals that count now, and how many are needed.
	///
	/// A stall recovery is decided by the *live* active hospitals (those whose validator
	/// authored a block within the liveness window), at least two of them: when finality has
	/// stalled because hospitals are gone, the survivors alone can act.
	///
	/// Where pharmacies vote on admissions, the electorate of an admission is the active
	/// hospitals and the active pharmacies, and the hospitals' own approvals must also reach
	/// the threshold of the active hospitals (`execute_if_approved`); otherwise it is the
	/// active hospitals.
	pub fn tally(info: &ProposalInfo<T>) -> (u32, u32) {
		let target = info.proposal.target();
		let recovery = matches!(info.proposal, Proposal::RecoverStalledSet { .. });
		let mut live = if recovery { T::StallRecovery::live_validators().0 } else { Vec::new() };
		live.retain(|id| Self::is_active(*id));
		let counting = |member: &HospitalId| {
			Some(*member) != target
				&& Self::votes_on(*member, &info.proposal)
				&& (!recovery || live.contains(member))
		};
		let ayes = info.ayes.iter().filter(|member| counting(member)).count();
		let (electorate, floor) = if recovery {
			(u32::try_from(live.len()).unwrap_or(u32::MAX), MIN_RECOVERY_APPROVALS)
		} else if Self::pharmacies_vote_on(&info.proposal) {
			(Self::active_count().saturating_add(Self::active_pharmacy_count()), 1)
		} else {
			(Self::active_count(), 1)
		};
		// Never more than can vote: the target, if active, is in the electorate but not a voter.
		let target_active = target.is_some_and(Self::is_active);
		let needed = Self::needed(electorate, floor, target_active);
		(u32::try_from(ayes).unwrap_or(u32::MAX), needed)
	}

	/// The approvals a threshold of `electorate` needs: at least `floor`, at most the voters
	/// (the electorate without an active target).
	fn needed(electorate: u32, floor: u64, target_active: bool) -> u32 {
		let (numerator, denominator) = T::ApprovalThreshold::get();
		let scaled = u64::from(electorate).saturating_mul(u64::from(numerator));
		let needed = scaled.div_ceil(u64::from(denominator.max(1))).max(floor);
		let voters = u64::from(electorate.saturating_sub(u32::from(target_active))).max(floor);
		u32::try_from(needed.min(voters)).unwrap_or(u32::MAX)
	}

	/// Whether the hospitals alone approve an admission that pharmacies vote on: pharmacies'
	/// approvals can add to the hospitals' but never outvote them, so they can't admit the
	/// validators of their choice.
	fn hospitals_approve(info: &ProposalInfo<T>) -> bool {
		let target = info.proposal.target();
		let ayes = info
			.ayes
			.iter()
			.filter(|member| Some(**member) != target && Self::is_active(**member))
			.count();
		let target_active = target.is_some_and(Self::is_active);
		let needed = Self::needed(Self::active_count(), 1, target_active);
		u32::try_from(ayes).unwrap_or(u32::MAX) >= needed
	}

	fn execute_if_approved(id: ProposalId, info: ProposalInfo<T>) -> DispatchResult {
		let (ayes, needed) = Self::tally(&info);
		Self::deposit_event(Event::Tallied { id, ayes, needed });
		if ayes < needed
			|| (Self::pharmacies_vote_on(&info.proposal) && !Self::hospitals_approve(&info))
		{
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
			Proposal::AddPharmacy(new) => Self::admit_pharmacy(new),
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

	/// Sets the status of member `id` (a hospital or a pharmacy) and its place in the active
	/// list of its kind.
	fn set_status(id: HospitalId, status: HospitalStatus) {
		let hospital = Hospitals::<T>::mutate(id, |entry| match entry {
			Some(hospital) => {
				hospital.status = status;
				true
			}
			None => false,
		});
		if hospital {
			if status == HospitalStatus::Active {
				Self::mark_active(id);
			} else {
				ActiveHospitals::<T>::mutate(|active| active.retain(|other| *other != id));
			}
			return;
		}
		Pharmacies::<T>::mutate(id, |entry| {
			if let Some(entry) = entry {
				entry.status = status;
			}
		});
		if status == HospitalStatus::Active {
			Self::mark_pharmacy_active(id);
		} else {
			ActivePharmacies::<T>::mutate(|active| active.retain(|other| *other != id));
		}
	}

	/// Adds `hospital` to the active ids, in order. Callers checked there is room
	/// (`TooManyHospitals`), so a full list changes nothing.
	pub(crate) fn mark_active(hospital: HospitalId) {
		ActiveHospitals::<T>::mutate(|active| insert_sorted(active, hospital));
	}

	/// Adds `pharmacy` to the active pharmacies' ids, in order. Callers checked there is room
	/// (`TooManyPharmacies`), so a full list changes nothing.
	pub(crate) fn mark_pharmacy_active(pharmacy: HospitalId) {
		ActivePharmacies::<T>::mutate(|active| insert_sorted(active, pharmacy));
	}

	/// How many hospitals are active (pharmacies never count: they don't validate).
	pub fn active_count() -> u32 {
		u32::try_from(ActiveHospitals::<T>::decode_len().unwrap_or_default()).unwrap_or(u32::MAX)
	}

	/// How many pharmacies are active.
	pub fn active_pharmacy_count() -> u32 {
		u32::try_from(ActivePharmacies::<T>::decode_len().unwrap_or_default()).unwrap_or(u32::MAX)
	}

	/// Gives a new member's accounts and peer ids to member `id`.
	fn admit_accounts(
		id: HospitalId,
		admin: &T::AccountId,
		operator: &T::AccountId,
		nodes: &[HospitalNode<T>],
	) {
		AccountRoles::<T>::insert(admin, (id, HospitalRole::Admin));
		AccountRoles::<T>::insert(operator, (id, HospitalRole::Operator));
		// A patient entry of these accounts (registering one needs no signature of it, so it
		// proves nothing) is left alone: the member's role takes precedence when signing.
		// Accounts transact without balances; the reference is never removed.
		frame_system::Pallet::<T>::inc_providers(admin);
		frame_system::Pallet::<T>::inc_providers(operator);
		for node in nodes {
			PeerOwner::<T>::insert(&node.peer_id, id);
		}
	}

	/// Registers a new active hospital and admits its accounts.
	pub(crate) fn admit(new: NewHospital<T>) {
		let id = NextHospitalId::<T>::get();
		Self::admit_accounts(id, &new.admin, &new.operator, &new.nodes);
		AuraKeyOwner::<T>::insert(&new.aura, id);
		GrandpaKeyOwner::<T>::insert(&new.grandpa, id);
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

	/// Registers a new active pharmacy, with the next id of the shared counter, and admits its
	/// accounts and nodes. It gets no validator keys.
	pub(crate) fn admit_pharmacy(new: NewPharmacy<T>) {
		let id = NextHospitalId::<T>::get();
		Self::admit_accounts(id, &new.admin, &new.operator, &new.nodes);
		let joined: BlockNumberFor<T> = frame_system::Pallet::<T>::block_number();
		Pharmacies::<T>::insert(
			id,
			Pharmacy {
				name: new.name.clone(),
				admin: new.admin,
				operator: new.operator,
				nodes: new.nodes,
				status: HospitalStatus::Active,
				joined,
			},
		);
		NextHospitalId::<T>::put(id.saturating_add(1));
		Self::mark_pharmacy_active(id);
		Self::deposit_event(Event::PharmacyAdded { pharmacy: id, name: new.name });
	}
}

/// Inserts `id` into the ascending `list`, unless it is there already or the list is full.
fn insert_sorted<S: Get<u32>>(list: &mut BoundedVec<HospitalId, S>, id: HospitalId) {
	if let Err(position) = list.binary_search(&id) {
		let _ = list.try_insert(position, id);
	}
}
