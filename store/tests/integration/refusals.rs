//! The refusal index: pages in time order by patient, hospital or record, survives a reopen,
//! and says which blocks it covers.

use medchain_primitives::{
	access::{AccessKind, AccessQuery},
	shares::PurposeOfUse,
};
use medchain_store::refusals::{Refusal, RefusalLog};

const PATIENT: [u8; 32] = [7; 32];
const OTHER_PATIENT: [u8; 32] = [8; 32];

fn refusal(block: u32, index: u32, patient: [u8; 32], hospital: u32) -> Refusal {
	Refusal {
		block,
		index,
		time: u64::from(block) * 3_000,
		signer: [1; 32],
		hospital: Some(hospital),
		kind: AccessKind::Normal { grant: 4 },
		record: [patient[0]; 32],
		patient: Some(patient),
		custodian: Some(0),
		purpose: PurposeOfUse::Treatment,
		reason: b"GrantRevoked".to_vec(),
	}
}

#[test]
fn refusals_page_in_time_order_by_patient_hospital_and_record() {
	let dir = tempfile::tempdir().unwrap();
	let path = dir.path().join("refusals.redb");
	let log = RefusalLog::open(&path).unwrap();
	assert_eq!(log.coverage().unwrap(), vec![]);
	let all = [
		refusal(10, 1, PATIENT, 1),
		refusal(10, 2, OTHER_PATIENT, 2),
		refusal(12, 1, PATIENT, 2),
		refusal(15, 3, PATIENT, 1),
	];
	log.apply(10, 12, &all[..3]).unwrap();
	log.apply(13, 20, &all[3..]).unwrap();
	assert_eq!(log.coverage().unwrap(), vec![(10, 20)]);
	drop(log);
	let log = RefusalLog::open(&path).unwrap();

	let everything = (0, u64::MAX);
	let of_patient = AccessQuery::Patient(PATIENT);
	let page = log.page(&of_patient, everything, None, 2, 100).unwrap();
	assert_eq!(page.refusals.iter().map(|(_, r)| r).collect::<Vec<_>>(), vec![&all[0], &all[2]]);
	let next = log.page(&of_patient, everything, page.next, 2, 100).unwrap();
	assert_eq!(next.refusals.iter().map(|(_, r)| r).collect::<Vec<_>>(), vec![&all[3]]);
	assert_eq!(next.next, None);

	let by_hospital = log.page(&AccessQuery::Accessor(2), everything, None, 10, 100).unwrap();
	assert_eq!(by_hospital.refusals.len(), 2);
	let by_record = log.page(&AccessQuery::Record([8; 32]), everything, None, 10, 100).unwrap();
	assert_eq!(by_record.refusals, vec![((30_000, 10, 2), all[1].clone())]);
	// The time range is half open: [block 12's time, block 15's time).
	let ranged = log.page(&of_patient, (36_000, 45_000), None, 10, 100).unwrap();
	assert_eq!(ranged.refusals, vec![((36_000, 12, 1), all[2].clone())]);
}

#[test]
fn a_page_stops_at_its_scan_budget_and_goes_on_from_there() {
	let dir = tempfile::tempdir().unwrap();
	let log = RefusalLog::open(&dir.path().join("refusals.redb")).unwrap();
	let others: Vec<_> = (1..=5).map(|block| refusal(block, 0, OTHER_PATIENT, 1)).collect();
	log.apply(1, 5, &others).unwrap();
	log.apply(6, 6, &[refusal(6, 0, PATIENT, 1)]).unwrap();

	let of_patient = AccessQuery::Patient(PATIENT);
	let mut after = None;
	let mut pages = 0;
	let found = loop {
		let page = log.page(&of_patient, (0, u64::MAX), after, 10, 2).unwrap();
		pages += 1;
		if !page.refusals.is_empty() || page.next.is_none() {
			break page.refusals;
		}
		after = page.next;
	};
	assert_eq!(pages, 3, "two rows read per page");
	assert_eq!(found.len(), 1);
}

#[test]
fn a_gap_starts_a_new_range_and_bad_input_writes_nothing() {
	let dir = tempfile::tempdir().unwrap();
	let log = RefusalLog::open(&dir.path().join("refusals.redb")).unwrap();
	log.apply(1, 5, &[]).unwrap();
	log.apply(6, 9, &[]).unwrap();
	assert_eq!(log.coverage().unwrap(), vec![(1, 9)]);
	log.apply(400, 410, &[]).unwrap();
	log.apply(411, 415, &[]).unwrap();
	assert_eq!(log.coverage().unwrap(), vec![(1, 9), (400, 415)]);
	assert_eq!(log.last_indexed().unwrap(), Some(415));

	// A refusal outside its blocks, or blocks indexed already: refused, nothing written.
	assert!(log.apply(416, 417, &[refusal(418, 0, PATIENT, 1)]).is_err());
	assert!(log.apply(415, 420, &[]).is_err());
	assert_eq!(log.coverage().unwrap(), vec![(1, 9), (400, 415)]);
	let everything = log.page(&AccessQuery::Patient(PATIENT), (0, u64::MAX), None, 5, 5).unwrap();
	assert!(everything.refusals.is_empty());
}
