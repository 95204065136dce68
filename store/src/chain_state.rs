//! What the store remembers of the chain: the last finalized block it has followed, and
//! erasures scheduled on chain that the node must complete when due.

use medchain_primitives::commitment::RecordId;
use redb::{Durability, ReadableDatabase, ReadableTable};

use crate::{
	schema::{CHAIN_CURSOR, ERASE_DUE, META},
	Result, Store, StoreError,
};

impl Store {
	/// The last finalized block whose events were applied, if any.
	pub fn chain_cursor(&self) -> Result<Option<u32>> {
		let read = self.records()?.begin_read().map_err(redb::Error::from)?;
		let meta = read.open_table(META).map_err(redb::Error::from)?;
		let cursor = meta.get(CHAIN_CURSOR).map_err(redb::Error::from)?;
		cursor
			.map(|bytes| {
				<[u8; 4]>::try_from(bytes.value())
					.map(u32::from_le_bytes)
					.map_err(|_| StoreError::Inconsistent("bad chain cursor".into()))
			})
			.transpose()
	}

	/// Notes that block `number`'s events are applied.
	pub fn set_chain_cursor(&self, number: u32) -> Result<()> {
		self.write(|write| {
			let mut meta = write.open_table(META).map_err(redb::Error::from)?;
			meta.insert(CHAIN_CURSOR, number.to_le_bytes().as_slice())
				.map_err(redb::Error::from)?;
			Ok(())
		})
	}

	/// Notes that the erasure of `record_id` may be completed from block `due` on (`None`:
	/// it was cancelled).
	pub fn set_erasure_due(&self, record_id: &RecordId, due: Option<u32>) -> Result<()> {
		self.write(|write| {
			let mut table = write.open_table(ERASE_DUE).map_err(redb::Error::from)?;
			match due {
				Some(due) => table.insert(record_id, due).map(drop),
				None => table.remove(record_id).map(drop),
			}
			.map_err(redb::Error::from)?;
			Ok(())
		})
	}

	/// When the scheduled erasure of `record_id` is due, if one is scheduled.
	pub fn erasure_due(&self, record_id: &RecordId) -> Result<Option<u32>> {
		let read = self.records()?.begin_read().map_err(redb::Error::from)?;
		let table = read.open_table(ERASE_DUE).map_err(redb::Error::from)?;
		let due = table.get(record_id).map_err(redb::Error::from)?;
		Ok(due.map(|due| due.value()))
	}

	/// The scheduled erasures due at block `number`.
	pub fn erasures_due(&self, number: u32) -> Result<Vec<RecordId>> {
		let read = self.records()?.begin_read().map_err(redb::Error::from)?;
		let table = read.open_table(ERASE_DUE).map_err(redb::Error::from)?;
		let mut due = Vec::new();
		for entry in table.iter().map_err(redb::Error::from)? {
			let (id, block) = entry.map_err(redb::Error::from)?;
			if block.value() <= number {
				due.push(id.value());
			}
		}
		Ok(due)
	}

	/// Runs `change` in one durable write transaction of `records.redb`.
	pub(crate) fn write(
		&self,
		change: impl FnOnce(&redb::WriteTransaction) -> Result<()>,
	) -> Result<()> {
		let mut write = self.records()?.begin_write().map_err(redb::Error::from)?;
		write.set_durability(Durability::Immediate).map_err(redb::Error::from)?;
		change(&write)?;
		write.commit().map_err(redb::Error::from)?;
		Ok(())
	}
}
