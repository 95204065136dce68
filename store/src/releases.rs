//! The custodian's releases, durably: an access entry is claimed before its fields go out, so
//! it is never released twice (not even across a restart), and a release that went out waits
//! here until its `confirm_release` receipt is final on chain, so a lost receipt is sent again.

use codec::{Decode, Encode};
use redb::{ReadableDatabase, ReadableTable};

use crate::{schema::RELEASES, Result, Store, StoreError};

/// Where one release stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Release {
	/// The block of the access entry (its release lifetime counts from there).
	pub entry_block: u32,
	/// SHA-256 of the disclosed fields, salts and proofs: what `confirm_release` records.
	pub response_hash: [u8; 32],
	/// Whether the fields went out; a claim that never did (a crash while sending) is still
	/// never released again, and gets no receipt.
	pub sent: bool,
}

impl Store {
	/// Claims access entry `access` for a release of `release`: false if it was claimed before.
	pub fn claim_release(&self, access: u64, release: &Release) -> Result<bool> {
		let mut claimed = false;
		self.write(|write| {
			let mut table = write.open_table(RELEASES).map_err(redb::Error::from)?;
			if table.get(access).map_err(redb::Error::from)?.is_none() {
				table.insert(access, release.encode().as_slice()).map_err(redb::Error::from)?;
				claimed = true;
			}
			Ok(())
		})?;
		Ok(claimed)
	}

	/// Notes that the fields of claimed entry `access` went out: its receipt is now due.
	pub fn mark_release_sent(&self, access: u64) -> Result<()> {
		self.write(|write| {
			let mut table = write.open_table(RELEASES).map_err(redb::Error::from)?;
			let claimed =
				table.get(access).map_err(redb::Error::from)?.map(|bytes| bytes.value().to_vec());
			let mut release = decode(&claimed.ok_or_else(|| {
				StoreError::Inconsistent(format!("release {access} was never claimed"))
			})?)?;
			release.sent = true;
			table.insert(access, release.encode().as_slice()).map_err(redb::Error::from)?;
			Ok(())
		})
	}

	/// Gives up the claim on `access` (the fields did not go out, or the receipt is final, or
	/// the entry's lifetime is over).
	pub fn drop_release(&self, access: u64) -> Result<()> {
		self.write(|write| {
			let mut table = write.open_table(RELEASES).map_err(redb::Error::from)?;
			table.remove(access).map_err(redb::Error::from)?;
			Ok(())
		})
	}

	/// The release of `access`, if it was claimed.
	pub fn release(&self, access: u64) -> Result<Option<Release>> {
		let read = self.records()?.begin_read().map_err(redb::Error::from)?;
		let table = match read.open_table(RELEASES) {
			Ok(table) => table,
			Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
			Err(error) => return Err(redb::Error::from(error).into()),
		};
		let found = table.get(access).map_err(redb::Error::from)?;
		found.map(|bytes| decode(bytes.value())).transpose()
	}

	/// Every claimed release, by access id.
	pub fn releases(&self) -> Result<Vec<(u64, Release)>> {
		let read = self.records()?.begin_read().map_err(redb::Error::from)?;
		let table = match read.open_table(RELEASES) {
			Ok(table) => table,
			Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
			Err(error) => return Err(redb::Error::from(error).into()),
		};
		let mut releases = Vec::new();
		for entry in table.iter().map_err(redb::Error::from)? {
			let (access, bytes) = entry.map_err(redb::Error::from)?;
			releases.push((access.value(), decode(bytes.value())?));
		}
		Ok(releases)
	}
}

fn decode(bytes: &[u8]) -> Result<Release> {
	Release::decode(&mut &bytes[..])
		.map_err(|_| StoreError::Inconsistent("a release record does not decode".into()))
}
