//! The node's index of refused accesses for auditors: access extrinsics that finalized blocks
//! hold but that failed at dispatch ([`RefusedAccess`]). A failed call leaves no state, and a
//! block's events go with its state when the node prunes it, so refusals are indexed as blocks
//! are finalized.
//!
//! `refusals.redb` is its own database: it holds no health data, only what the chain shows,
//! and it keeps the ranges of blocks it covers, so an auditor knows what it can answer.

use std::path::Path;

use codec::{Decode, Encode};
use medchain_primitives::access::{AccessQuery, RefusedAccess};
use redb::{Database, Durability, ReadableDatabase, ReadableTable, TableDefinition};

use crate::{Result, StoreError};

/// A refusal, with account ids as raw bytes and block numbers as `u32`.
pub type Refusal = RefusedAccess<[u8; 32], u32>;
/// A refusal's place in the index: (block time in Unix ms, block, extrinsic index).
pub type RefusalKey = (u64, u32, u32);

/// Refusal key → SCALE([`Refusal`]).
const REFUSALS: TableDefinition<RefusalKey, &[u8]> = TableDefinition::new("refusals");
/// The ranges of indexed blocks: first block → last block.
const COVERAGE: TableDefinition<u32, u32> = TableDefinition::new("coverage");

/// The index.
pub struct RefusalLog {
	db: Database,
}

/// One page of refusals, oldest first.
#[derive(Debug, PartialEq)]
pub struct RefusalPage {
	/// The refusals, with their keys.
	pub refusals: Vec<(RefusalKey, Refusal)>,
	/// Where the next page starts (after this key); `None` when the range is exhausted.
	pub next: Option<RefusalKey>,
}

impl RefusalLog {
	/// Opens the index at `path`, creating it if there is none.
	pub fn open(path: &Path) -> Result<Self> {
		Ok(Self { db: crate::backend::create(path)? })
	}

	/// The ranges of blocks indexed, `(first, last)`, oldest first.
	pub fn coverage(&self) -> Result<Vec<(u32, u32)>> {
		let read = self.db.begin_read().map_err(redb::Error::from)?;
		let coverage = match read.open_table(COVERAGE) {
			Ok(table) => table,
			Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
			Err(error) => return Err(redb::Error::from(error).into()),
		};
		let mut ranges = Vec::new();
		for range in coverage.iter().map_err(redb::Error::from)? {
			let (first, last) = range.map_err(redb::Error::from)?;
			ranges.push((first.value(), last.value()));
		}
		Ok(ranges)
	}

	/// The last block indexed, if any.
	pub fn last_indexed(&self) -> Result<Option<u32>> {
		Ok(self.coverage()?.last().map(|(_, last)| *last))
	}

	/// Records the refusals of blocks `from..=to`, in one durable commit. If `from` does not
	/// follow the last indexed block, the blocks between could not be indexed: a new range
	/// starts at `from`.
	pub fn apply(&self, from: u32, to: u32, refusals: &[Refusal]) -> Result<()> {
		let last_range = self.coverage()?.last().copied();
		if from > to
			|| last_range.is_some_and(|(_, last)| from <= last)
			|| refusals.iter().any(|refusal| !(from..=to).contains(&refusal.block))
		{
			return Err(StoreError::Inconsistent(format!(
				"refusals of blocks {from}..={to}, after {last_range:?}, or outside those blocks"
			)));
		}
		let mut write = self.db.begin_write().map_err(redb::Error::from)?;
		write.set_durability(Durability::Immediate).map_err(redb::Error::from)?;
		{
			let mut table = write.open_table(REFUSALS).map_err(redb::Error::from)?;
			for refusal in refusals {
				let key = (refusal.time, refusal.block, refusal.index);
				table.insert(key, refusal.encode().as_slice()).map_err(redb::Error::from)?;
			}
			let mut coverage = write.open_table(COVERAGE).map_err(redb::Error::from)?;
			let first = match last_range {
				Some((first, last)) if last.checked_add(1) == Some(from) => first,
				_ => from,
			};
			coverage.insert(first, to).map_err(redb::Error::from)?;
		}
		write.commit().map_err(redb::Error::from)?;
		Ok(())
	}

	/// Refusals that `query` covers with `from_time <= time < to_time`, oldest first, after
	/// `after`, at most `limit`. At most `scan` refusals are read: a page may come back short,
	/// with a `next` to go on from. `limit` and `scan` are at least 1.
	pub fn page(
		&self,
		query: &AccessQuery<[u8; 32]>,
		(from_time, to_time): (u64, u64),
		after: Option<RefusalKey>,
		limit: usize,
		scan: usize,
	) -> Result<RefusalPage> {
		let read = self.db.begin_read().map_err(redb::Error::from)?;
		let table = match read.open_table(REFUSALS) {
			Ok(table) => table,
			Err(redb::TableError::TableDoesNotExist(_)) => {
				return Ok(RefusalPage { refusals: Vec::new(), next: None })
			}
			Err(error) => return Err(redb::Error::from(error).into()),
		};
		let start = (from_time, 0, 0);
		let range = match after {
			Some(after) if after >= start => table.range(after..),
			_ => table.range(start..),
		}
		.map_err(redb::Error::from)?;
		let (limit, scan) = (limit.max(1), scan.max(1));
		let mut refusals = Vec::new();
		let mut scanned = 0;
		let mut last_read = None;
		for row in range {
			let (key, value) = row.map_err(redb::Error::from)?;
			let key = key.value();
			if Some(key) == after {
				continue;
			}
			if key.0 >= to_time {
				return Ok(RefusalPage { refusals, next: None });
			}
			if refusals.len() >= limit || scanned >= scan {
				// More may follow: the next page starts after the last key read.
				return Ok(RefusalPage { refusals, next: last_read });
			}
			scanned += 1;
			last_read = Some(key);
			let refusal = Refusal::decode(&mut value.value())
				.map_err(|error| StoreError::Inconsistent(format!("refusal {key:?}: {error}")))?;
			if refusal.matches(query) {
				refusals.push((key, refusal));
			}
		}
		Ok(RefusalPage { refusals, next: None })
	}
}
