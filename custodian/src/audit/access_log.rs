//! `medchain_accessLog`: the chain's access entries (`AccessLogApi::entries`, at the finalized
//! block) merged in time order with the node's index of refused attempts, a page at a time
//! ([`Query`]'s cursor says where a page starts).

use medchain_app_api::{
	access_log_query::{Cursor, EntriesCursor, RefusalsCursor},
	audit::{
		AccessKind as KindName, AccessLogPage, AuditRow, Disclosure, LoggedAccess, RefusedAttempt,
		ReleaseReceipt,
	},
	fields,
	time::rfc3339,
	ErrorCode, Hash32,
};
use medchain_primitives::access::{
	AccessEntry, AccessId, AccessKind, AccessPage, AccessQuery, Accessor,
};
use medchain_runtime::{AccountId, BlockNumber};
use medchain_store::refusals::{Refusal, RefusalLog, RefusalPage};
use sp_core::H256;

use crate::{blocking, protocol::RELEASE_LIFETIME_BLOCKS, Chain, Error};

pub use medchain_app_api::access_log_query::Query;

/// Refusals read at most per page: a page over a sparse query comes back short, with a cursor.
const REFUSALS_SCANNED: usize = 10_000;

/// One row of the log, before it is shown.
pub enum Row {
	/// An access entry.
	Granted(AccessId, AccessEntry<AccountId, BlockNumber>),
	/// A refused attempt.
	Refused(Refusal),
}

/// One page of rows.
pub struct Page {
	/// The rows, in time order.
	pub rows: Vec<Row>,
	/// The cursor of the next page, if there is one.
	pub next_cursor: Option<String>,
	/// The ranges of blocks the refusal index covers.
	pub refusals_indexed: Vec<(u32, u32)>,
	/// The finalized block the entries were read at, and its number.
	pub at: (H256, BlockNumber),
}

/// The page `query` asks for, at the finalized block.
pub async fn page(
	chain: &dyn Chain,
	refusal_log: &std::sync::Arc<RefusalLog>,
	query: Query,
) -> Result<Page, Error> {
	let info = chain.info();
	let at = (info.finalized_hash, info.finalized_number);
	let Query { filter, range, limit, cursor, .. } = query;
	let entries = match cursor.entries.request(limit) {
		None => None,
		Some((position, wanted)) => Some(
			chain
				.access_entries(at.0, filter.clone(), range, position, wanted)
				.map_err(store_error)?,
		),
	};
	let refusals = match cursor.refusals {
		RefusalsCursor::Done => None,
		RefusalsCursor::After(after) => {
			let (log, filter) = (refusal_log.clone(), refusal_filter(&filter));
			let limit = usize::try_from(limit).unwrap_or(usize::MAX);
			let page = blocking(move || log.page(&filter, range, after, limit, REFUSALS_SCANNED))
				.await
				.map_err(store_error)?;
			Some(page)
		}
	};
	let (rows, next) = step(cursor, limit, entries, refusals);
	let log = refusal_log.clone();
	let refusals_indexed = blocking(move || log.coverage()).await.map_err(store_error)?;
	Ok(Page { rows, next_cursor: (!next.is_done()).then(|| next.to_hex()), refusals_indexed, at })
}

/// One page, from what the runtime (`entries`, asked as [`EntriesCursor::request`] says) and
/// the refusal index answered: the rows, merged in time order while the next row of each
/// source is known, and the cursor after them.
fn step(
	cursor: Cursor,
	limit: u32,
	entries: Option<AccessPage<AccountId, BlockNumber>>,
	refusals: Option<RefusalPage>,
) -> (Vec<Row>, Cursor) {
	let (position, skip) = match cursor.entries {
		EntriesCursor::At(position) => (Some(position), 0),
		EntriesCursor::Skip { cursor, skip } => (Some(cursor), skip),
		EntriesCursor::Done => (None, 0),
	};
	let (entries, entries_start, entries_more) = match entries {
		None => (Vec::new(), None, false),
		Some(page) => {
			let length = u32::try_from(page.entries.len()).unwrap_or(u32::MAX);
			// Where the page's first entry sits, when the runtime says where the next one does.
			let start = page.next_cursor.map(|next| next.saturating_sub(length));
			let entries: Vec<_> =
				page.entries.into_iter().skip(usize::try_from(skip).unwrap_or(0)).collect();
			(entries, start, page.next_cursor.is_some())
		}
	};
	let (refusals, refusals_more) =
		refusals.map_or((Vec::new(), None), |page| (page.refusals, page.next));

	let limit = usize::try_from(limit).unwrap_or(usize::MAX);
	let (mut taken_entries, mut taken_refusals) = (0usize, 0usize);
	let mut rows = Vec::new();
	while rows.len() < limit {
		let entry = entries.get(taken_entries);
		let refusal = refusals.get(taken_refusals);
		let entry_next = match (entry, refusal) {
			(Some((_, entry)), Some((_, refusal))) => entry.time <= refusal.time,
			(Some(_), None) if refusals_more.is_none() => true,
			(None, Some(_)) if !entries_more => false,
			_ => break,
		};
		if entry_next {
			if let Some((id, entry)) = entry {
				rows.push(Row::Granted(*id, entry.clone()));
			}
			taken_entries += 1;
		} else {
			if let Some((_, refusal)) = refusal {
				rows.push(Row::Refused(refusal.clone()));
			}
			taken_refusals += 1;
		}
	}

	let taken = u32::try_from(taken_entries).unwrap_or(u32::MAX);
	let next_entries = match (position, entries_start) {
		(None, _) => EntriesCursor::Done,
		(Some(_), Some(start)) => {
			EntriesCursor::At(start.saturating_add(skip).saturating_add(taken))
		}
		(Some(_), None) if taken_entries == entries.len() => EntriesCursor::Done,
		(Some(cursor), None) => EntriesCursor::Skip { cursor, skip: skip.saturating_add(taken) },
	};
	let next_refusals = match cursor.refusals {
		RefusalsCursor::Done => RefusalsCursor::Done,
		RefusalsCursor::After(_) if taken_refusals == refusals.len() => match refusals_more {
			Some(last_read) => RefusalsCursor::After(Some(last_read)),
			None => RefusalsCursor::Done,
		},
		RefusalsCursor::After(after) => {
			let last_taken = taken_refusals.checked_sub(1).and_then(|last| refusals.get(last));
			RefusalsCursor::After(last_taken.map(|(key, _)| *key).or(after))
		}
	};
	(rows, Cursor { tag: cursor.tag, entries: next_entries, refusals: next_refusals })
}

fn refusal_filter(filter: &AccessQuery<AccountId>) -> AccessQuery<[u8; 32]> {
	match filter {
		AccessQuery::Patient(patient) => AccessQuery::Patient(patient.clone().into()),
		AccessQuery::Accessor(hospital) => AccessQuery::Accessor(*hospital),
		AccessQuery::Custodian(hospital) => AccessQuery::Custodian(*hospital),
		AccessQuery::Record(record) => AccessQuery::Record(*record),
	}
}

fn store_error(error: String) -> Error {
	ErrorCode::StoreUnavailable.error(format!("reading the access log: {error}"))
}

/// `page` as the app API shows it.
pub fn to_json(chain: &dyn Chain, page: Page) -> Result<AccessLogPage, Error> {
	let (at, finalized) = page.at;
	let mut record_types = std::collections::HashMap::new();
	let mut rows = Vec::with_capacity(page.rows.len());
	for row in page.rows {
		rows.push(match row {
			Row::Granted(id, entry) => {
				let record_type = match record_types.get(&entry.record) {
					Some(known) => *known,
					None => {
						let anchor = chain.anchor(at, entry.record).map_err(store_error)?;
						let record_type = anchor.map(|anchor| anchor.record_type);
						record_types.insert(entry.record, record_type);
						record_type
					}
				};
				AuditRow::Granted(logged_access(record_type, finalized, id, entry))
			}
			Row::Refused(refusal) => AuditRow::Refused(refused_attempt(refusal)),
		});
	}
	Ok(AccessLogPage {
		rows,
		next_cursor: page.next_cursor,
		refusals_indexed: page
			.refusals_indexed
			.into_iter()
			.map(|(first, last)| [first, last])
			.collect(),
	})
}

fn logged_access(
	record_type: Option<medchain_primitives::RecordType>,
	finalized: BlockNumber,
	access_id: AccessId,
	entry: AccessEntry<AccountId, BlockNumber>,
) -> LoggedAccess {
	let fields = record_type
		.map(|record_type| {
			let names = record_type.fields();
			entry
				.fields
				.indices()
				.filter_map(|index| names.get(usize::from(index)).map(|name| (*name).to_owned()))
				.collect()
		})
		.unwrap_or_default();
	let disclosure = disclosure(entry.release.is_some(), entry.block, finalized);
	let (kind, grant_id, break_glass_reason) = kind_of(entry.kind);
	LoggedAccess {
		access_id,
		kind,
		break_glass: kind == KindName::BreakGlass,
		break_glass_reason,
		grant_id,
		record_id: entry.record.into(),
		record_type: record_type.map(|record_type| fields::type_name(record_type).to_owned()),
		patient: (*AsRef::<[u8; 32]>::as_ref(&entry.patient)).into(),
		accessor_hospital: match entry.accessor {
			Accessor::Hospital(hospital) => Some(hospital),
			Accessor::Patient => None,
		},
		custodian: entry.custodian,
		fields,
		purpose: entry.purpose.code().to_owned(),
		block: entry.block,
		time: rfc3339(entry.time),
		disclosure,
		release: entry.release.map(|release| ReleaseReceipt {
			block: release.block,
			time: rfc3339(release.time),
			response_hash: Hash32(release.response_hash),
		}),
	}
}

/// Whether an entry of block `block` was disclosed, seen from finalized block `finalized`.
fn disclosure(released: bool, block: BlockNumber, finalized: BlockNumber) -> Disclosure {
	if released {
		Disclosure::Released
	} else if finalized > block.saturating_add(RELEASE_LIFETIME_BLOCKS) {
		Disclosure::NeverReleased
	} else {
		Disclosure::AwaitingRelease
	}
}

fn refused_attempt(refusal: Refusal) -> RefusedAttempt {
	let (kind, grant_id, break_glass_reason) = kind_of(refusal.kind);
	RefusedAttempt {
		block: refusal.block,
		index: refusal.index,
		time: rfc3339(refusal.time),
		signer: refusal.signer.into(),
		hospital: refusal.hospital,
		kind,
		grant_id,
		break_glass_reason,
		record_id: refusal.record.into(),
		patient: refusal.patient.map(Into::into),
		custodian: refusal.custodian,
		purpose: refusal.purpose.code().to_owned(),
		reason: String::from_utf8_lossy(&refusal.reason).into_owned(),
	}
}

fn kind_of(kind: AccessKind) -> (KindName, Option<u64>, Option<String>) {
	match kind {
		AccessKind::Normal { grant } => (KindName::Share, Some(grant), None),
		AccessKind::Emergency { reason } => {
			(KindName::BreakGlass, None, Some(format!("{reason:?}")))
		}
		AccessKind::Patient => (KindName::Patient, None, None),
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn an_entry_not_released_within_its_lifetime_was_never_disclosed() {
		assert_eq!(disclosure(true, 10, 1_000), Disclosure::Released);
		assert_eq!(
			disclosure(false, 10, 10 + RELEASE_LIFETIME_BLOCKS),
			Disclosure::AwaitingRelease
		);
		assert_eq!(disclosure(false, 10, 11 + RELEASE_LIFETIME_BLOCKS), Disclosure::NeverReleased);
	}

	fn entry(time: u64) -> AccessEntry<AccountId, BlockNumber> {
		AccessEntry {
			kind: AccessKind::Normal { grant: 1 },
			record: [9; 32],
			patient: AccountId::new([7; 32]),
			accessor: Accessor::Hospital(1),
			custodian: 0,
			fields: medchain_primitives::FieldMask::only(0),
			purpose: medchain_primitives::shares::PurposeOfUse::Treatment,
			block: 1,
			time,
			release: None,
		}
	}

	fn refusal(time: u64, block: u32, patient: [u8; 32]) -> Refusal {
		Refusal {
			block,
			index: 0,
			time,
			signer: [1; 32],
			hospital: Some(1),
			kind: AccessKind::Normal { grant: 1 },
			record: [9; 32],
			patient: Some(patient),
			custodian: Some(0),
			purpose: medchain_primitives::shares::PurposeOfUse::Treatment,
			reason: b"GrantRevoked".to_vec(),
		}
	}

	/// The runtime's answer over `all` for an open time range, as `AccessLogApi::entries` gives
	/// it (`pallets/access-log/src/queries.rs`).
	fn runtime(
		all: &[(AccessId, AccessEntry<AccountId, BlockNumber>)],
		position: u32,
		count: u32,
	) -> AccessPage<AccountId, BlockNumber> {
		let start = (position as usize).min(all.len());
		let end = (start + count as usize).min(all.len());
		AccessPage {
			entries: all[start..end].to_vec(),
			next_cursor: (end < all.len()).then_some(end as u32),
		}
	}

	#[test]
	fn pages_of_any_size_hold_every_row_once_in_time_order() {
		let all: Vec<_> = [10, 20, 20, 30, 50, 50, 60]
			.into_iter()
			.enumerate()
			.map(|(id, time)| (id as u64, entry(time)))
			.collect();
		let dir = tempfile::tempdir().unwrap();
		let log = RefusalLog::open(&dir.path().join("refusals.redb")).unwrap();
		let (ours, other) = ([7; 32], [8; 32]);
		let refusals: Vec<_> = [
			(5, ours),
			(20, ours),
			(25, other),
			(26, other),
			(27, other),
			(40, ours),
			(50, ours),
			(70, ours),
		]
		.into_iter()
		.enumerate()
		.map(|(block, (time, patient))| refusal(time, block as u32 + 1, patient))
		.collect();
		log.apply(1, 100, &refusals).unwrap();
		let query = AccessQuery::Patient([7; 32]);
		let expected = all.len() + 5;

		for limit in 1..=9 {
			for scan in [1, 2, 100] {
				let mut cursor = Cursor::start([0; 8]);
				let mut seen = Vec::new();
				for _ in 0..100 {
					let entries = cursor
						.entries
						.request(limit)
						.map(|(position, count)| runtime(&all, position, count));
					let refusals = match cursor.refusals {
						RefusalsCursor::After(after) => Some(
							log.page(&query, (0, u64::MAX), after, limit as usize, scan).unwrap(),
						),
						RefusalsCursor::Done => None,
					};
					let (rows, next) = step(cursor, limit, entries, refusals);
					assert!(rows.len() <= limit as usize);
					seen.extend(rows.into_iter().map(|row| match row {
						Row::Granted(id, entry) => (entry.time, 'g', id),
						Row::Refused(refusal) => (refusal.time, 'r', u64::from(refusal.block)),
					}));
					cursor = next;
					if cursor.is_done() {
						break;
					}
				}
				assert_eq!(
					cursor.entries,
					EntriesCursor::Done,
					"limit {limit}, scan {scan}: ended"
				);
				assert_eq!(seen.len(), expected, "limit {limit}, scan {scan}: {seen:?}");
				assert!(
					seen.windows(2).all(|pair| pair[0].0 <= pair[1].0),
					"in time order: {seen:?}"
				);
				let mut unique = seen.clone();
				unique.sort_unstable();
				unique.dedup();
				assert_eq!(unique.len(), expected, "no row twice: {seen:?}");
			}
		}
	}
}
