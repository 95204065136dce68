//! Sessions, set changes, deferral while a GRANDPA change is pending, the minimum, and stall
//! recovery.

use medchain_primitives::{HospitalId, StalledSetRecovery};
use sp_runtime::DigestItem;

use crate::{mock::*, CurrentSession, Event, QueuedSet, StallRecovery, Validators};

fn set_id() -> u64 {
	pallet_grandpa::CurrentSetId::<Test>::get()
}

fn aura_authorities() -> Vec<sp_runtime::testing::UintAuthorityId> {
	pallet_aura::Authorities::<Test>::get().into_inner()
}

fn grandpa_authorities() -> Vec<pallet_grandpa::AuthorityId> {
	Grandpa::grandpa_authorities().into_iter().map(|(key, _)| key).collect()
}

fn validators() -> Vec<HospitalId> {
	Validators::<Test>::get().into_inner()
}

fn changed(session: u32, set_id: u64, hospitals: &[HospitalId], forced: bool) -> Event<Test> {
	Event::ValidatorSetChanged {
		session,
		set_id,
		validators: hospitals.to_vec().try_into().expect("few validators"),
		forced,
	}
}

/// The GRANDPA change signalled in this block's digest: `(delay, authorities, forced median)`.
fn signalled_change() -> Option<(u64, Vec<pallet_grandpa::AuthorityId>, Option<u64>)> {
	use codec::Decode;
	use pallet_grandpa::fg_primitives::{ConsensusLog, GRANDPA_ENGINE_ID};
	System::digest().logs().iter().find_map(|log| match log {
		DigestItem::Consensus(id, data) if *id == GRANDPA_ENGINE_ID => {
			match ConsensusLog::<u64>::decode(&mut &data[..]).ok()? {
				ConsensusLog::ScheduledChange(change) => Some((
					change.delay,
					change.next_authorities.into_iter().map(|(key, _)| key).collect(),
					None,
				)),
				ConsensusLog::ForcedChange(median, change) => Some((
					change.delay,
					change.next_authorities.into_iter().map(|(key, _)| key).collect(),
					Some(median),
				)),
				_ => None,
			}
		}
		_ => None,
	})
}

#[test]
fn genesis_makes_the_registry_founders_the_authorities() {
	new_test_ext().execute_with(|| {
		assert_eq!(validators(), vec![0, 1, 2, 3]);
		assert_eq!(aura_authorities(), (0..4).map(aura_key).collect::<Vec<_>>());
		assert_eq!(grandpa_authorities(), (0..4).map(grandpa_key).collect::<Vec<_>>());
		assert_eq!(crate::SessionLength::<Test>::get(), SESSION_LENGTH);
		assert_eq!(set_id(), 0);
	});
}

#[test]
fn a_session_starts_every_session_length_blocks_and_an_unchanged_set_stays() {
	new_test_ext().execute_with(|| {
		run_to_block(SESSION_LENGTH - 1);
		assert_eq!(CurrentSession::<Test>::get(), 0);
		run_to_block(SESSION_LENGTH);
		assert_eq!(events(), vec![Event::NewSession { index: 1, changed: false }]);
		run_to_block(2 * SESSION_LENGTH);
		assert_eq!(events(), vec![Event::NewSession { index: 2, changed: false }]);
		assert_eq!(signalled_change(), None);
		assert_eq!(set_id(), 0);
		assert_eq!(validators(), vec![0, 1, 2, 3]);
	});
}

#[test]
fn a_new_hospital_validates_from_the_next_session() {
	new_test_ext().execute_with(|| {
		run_to_block(3);
		set_active(&[0, 1, 2, 3, 4]);
		run_to_block(SESSION_LENGTH - 1);
		assert_eq!(validators(), vec![0, 1, 2, 3]);

		run_to_block(SESSION_LENGTH);
		assert_eq!(
			events(),
			vec![
				Event::NewSession { index: 1, changed: true },
				changed(1, 1, &[0, 1, 2, 3, 4], false)
			]
		);
		let everyone: Vec<_> = (0..5).collect();
		assert_eq!(set_id(), 1);
		assert_eq!(validators(), everyone);
		assert_eq!(aura_authorities(), everyone.iter().map(|&h| aura_key(h)).collect::<Vec<_>>());
		let grandpa: Vec<_> = everyone.iter().map(|&h| grandpa_key(h)).collect();
		assert_eq!(signalled_change(), Some((0, grandpa.clone(), None)));
		assert_eq!(grandpa_authorities(), grandpa);
	});
}

#[test]
fn a_suspended_hospital_leaves_at_the_next_session() {
	new_test_ext_with(&[0, 1, 2, 3, 4]).execute_with(|| {
		set_active(&[0, 1, 2, 4]);
		run_to_block(SESSION_LENGTH);
		assert!(events().contains(&changed(1, 1, &[0, 1, 2, 4], false)));
		assert_eq!(aura_authorities(), [0, 1, 2, 4].map(aura_key).to_vec());
	});
}

#[test]
fn a_change_waits_while_an_earlier_grandpa_change_is_pending_and_none_is_lost() {
	new_test_ext().execute_with(|| {
		// An earlier change, enacted only at block SESSION_LENGTH + 15.
		run_to_block(SESSION_LENGTH - 1);
		let earlier = (0..4).map(|h| (grandpa_key(h), 1)).collect();
		assert!(Grandpa::schedule_change(earlier, 16, None).is_ok());
		set_active(&[0, 1, 2, 3, 4]);

		run_to_block(SESSION_LENGTH);
		assert_eq!(
			events(),
			vec![
				Event::NewSession { index: 1, changed: true },
				Event::ValidatorSetChangeDeferred { session: 1 },
			]
		);
		assert_eq!((set_id(), validators()), (0, vec![0, 1, 2, 3]));
		assert!(QueuedSet::<Test>::exists());

		// The next session still finds the earlier change pending; the registry changed again,
		// and its newer state replaces the queued set.
		set_active(&[0, 1, 2, 3, 4, 5]);
		run_to_block(2 * SESSION_LENGTH);
		assert!(events().contains(&Event::ValidatorSetChangeDeferred { session: 2 }));
		assert_eq!(QueuedSet::<Test>::get().map(|set| set.len()), Some(6));

		// Retried every block; applied in the block after the earlier change is enacted.
		run_to_block(SESSION_LENGTH + 15);
		assert_eq!(set_id(), 0);
		run_to_block(SESSION_LENGTH + 16);
		assert_eq!(events(), vec![changed(2, 1, &[0, 1, 2, 3, 4, 5], false)]);
		assert!(!QueuedSet::<Test>::exists());
		assert_eq!(aura_authorities().len(), 6);
	});
}

#[test]
fn no_change_may_shrink_the_set_below_the_minimum() {
	new_test_ext().execute_with(|| {
		set_active(&[0, 1, 2]);
		run_to_block(SESSION_LENGTH);
		assert_eq!(
			events(),
			vec![
				Event::NewSession { index: 1, changed: true },
				Event::ValidatorSetTooSmall { session: 1, validators: 3 },
			]
		);
		assert_eq!((set_id(), validators()), (0, vec![0, 1, 2, 3]));
		assert_eq!(aura_authorities().len(), 4);
		assert_eq!(signalled_change(), None);
		assert!(!QueuedSet::<Test>::exists());
	});
}

#[test]
fn a_set_below_the_minimum_may_still_grow() {
	// A development chain starts with one hospital.
	new_test_ext_with(&[0]).execute_with(|| {
		set_active(&[0, 1]);
		run_to_block(SESSION_LENGTH);
		assert!(events().contains(&changed(1, 1, &[0, 1], false)));
	});
}

#[test]
fn a_set_larger_than_aura_allows_is_refused() {
	new_test_ext().execute_with(|| {
		let too_many: Vec<_> = (0..=MAX_VALIDATORS).collect();
		set_active(&too_many);
		run_to_block(SESSION_LENGTH);
		assert!(events()
			.contains(&Event::ValidatorSetTooLarge { session: 1, validators: MAX_VALIDATORS + 1 }));
		assert_eq!(validators(), vec![0, 1, 2, 3]);
	});
}

#[test]
fn stall_recovery_forces_a_change_to_the_registry_set_in_the_next_block() {
	new_test_ext_with(&[0, 1, 2, 3, 4]).execute_with(|| {
		run_to_block(4);
		// Governance suspended hospital 4 and voted the recovery in block 4.
		set_active(&[0, 1, 2, 3]);
		ValidatorSet::recover_stalled_set(3, 2);
		assert!(events().contains(&Event::StallRecoveryRequested { delay: 3, best_finalized: 2 }));

		run_to_block(5);
		assert_eq!(events(), vec![changed(0, 1, &[0, 1, 2, 3], true)]);
		let grandpa: Vec<_> = (0..4).map(grandpa_key).collect();
		assert_eq!(signalled_change(), Some((3, grandpa.clone(), Some(2))));
		assert!(!StallRecovery::<Test>::exists());
		assert_eq!(aura_authorities().len(), 4);

		// GRANDPA's runtime list follows when the forced change is enacted.
		run_to_block(7);
		assert_eq!(grandpa_authorities().len(), 5);
		run_to_block(8);
		assert_eq!(grandpa_authorities(), grandpa);
	});
}

#[test]
fn each_blocks_author_is_noted_and_live_for_three_rounds_of_slots() {
	new_test_ext().execute_with(|| {
		// Slot 5 of four validators is the second one's (hospital 1); slots are 3 s long.
		author_block(2, 5);
		assert_eq!(crate::LastAuthored::<Test>::get(1), Some(15_000));
		assert!(ValidatorSet::is_live(1));
		// Until a full window (three rounds of four 3-s slots: 36 s, more than
		// `LivenessWindow`) has been observed, a validator that had no turn yet is live too.
		assert!(ValidatorSet::is_live(0), "hospital 0 had no turn yet");
		author_block(3, 16);
		assert_eq!(crate::LastAuthored::<Test>::get(0), Some(48_000));
		assert!(ValidatorSet::is_live(1), "33 s after its block");
		assert!(ValidatorSet::is_live(2), "observed for 33 s only");
		author_block(4, 20);
		assert!(!ValidatorSet::is_live(1), "45 s after its block");
		assert!(!ValidatorSet::is_live(2), "never authored in 45 s of blocks");
		assert!(ValidatorSet::is_live(0));
		let live =
			<ValidatorSet as medchain_primitives::StalledSetRecovery<u64>>::live_validators();
		assert_eq!(live, (vec![0], vec![0, 1, 2, 3]), "3 never authored either");
		// After a chain-wide halt longer than the window, observation starts afresh.
		author_block(5, 100);
		assert!(ValidatorSet::is_live(2), "the chain just resumed");
	});
}

#[test]
fn a_stall_recovery_may_shrink_the_set_below_the_minimum_but_never_empty_it() {
	new_test_ext().execute_with(|| {
		run_to_block(4);
		// Governance suspended the two hospitals that stopped authoring.
		set_active(&[0, 1]);
		ValidatorSet::recover_stalled_set(3, 2);
		run_to_block(5);
		assert_eq!(events(), vec![changed(0, 1, &[0, 1], true)]);
		assert_eq!(aura_authorities().len(), 2);
		let grandpa: Vec<_> = (0..2).map(grandpa_key).collect();
		assert_eq!(signalled_change(), Some((3, grandpa, Some(2))));
	});
	new_test_ext().execute_with(|| {
		run_to_block(4);
		set_active(&[]);
		ValidatorSet::recover_stalled_set(3, 2);
		run_to_block(5);
		assert_eq!(events(), vec![Event::ValidatorSetTooSmall { session: 0, validators: 0 }]);
		assert_eq!(aura_authorities().len(), 4);
	});
}

#[test]
fn try_state_catches_a_hospital_that_validates_twice() {
	new_test_ext().execute_with(|| {
		frame_support::assert_ok!(ValidatorSet::do_try_state());
		let before = Validators::<Test>::get();
		let mut twice = before.clone();
		twice[1] = twice[0];
		Validators::<Test>::put(twice);
		assert!(ValidatorSet::do_try_state().is_err());
		Validators::<Test>::put(before);
	});
}
