//! A record's sealed bytes, kept in pieces sized to fill redb pages.
//!
//! redb stores a large value in a leaf page of the next power of two (in 4 KiB pages) above
//! its size, and writes the whole page at commit: a 1 MiB record stored as one value would
//! cost a 2 MiB page and write twice its size. Each piece here fills its page exactly, less
//! the leaf's own bytes, and the last one is padded to fill its page; so every leaf holds one
//! piece, and a record costs at most its size plus 8 KiB on disk.

use medchain_primitives::commitment::RecordId;
use redb::{ReadableTable, Table};

use crate::{Result, StoreError};

/// (record id, piece index) → piece.
pub type SealedTable<'txn> = Table<'txn, ([u8; 32], u32), &'static [u8]>;

const PAGE: usize = 4096;
/// A leaf with one piece: header (4), the value's end offset (4), the fixed-width key (36).
const LEAF_BYTES: usize = 4 + 4 + 32 + 4;
/// The largest page a piece fills: 1 MiB.
const MAX_PAGE: usize = 1 << 20;

/// The pieces a sealed record of `len` bytes is stored in: (bytes, page capacity) each. A
/// piece is one page when that wastes at most one 4 KiB page; otherwise it fills the largest
/// page it can, and the rest follows.
fn pieces(len: usize) -> Vec<(usize, usize)> {
	let capacity = |page: usize| page.saturating_sub(LEAF_BYTES);
	let mut pieces = Vec::new();
	let mut left = len;
	while left > 0 {
		let mut page = PAGE;
		while page < MAX_PAGE && capacity(page) < left {
			page = page.saturating_mul(2);
		}
		if capacity(page) > left.saturating_add(PAGE) {
			page /= 2;
		}
		let piece = capacity(page).min(left);
		pieces.push((piece, capacity(page)));
		left = left.saturating_sub(piece);
	}
	pieces
}

/// Stores `sealed` as the pieces of record `id`, the last padded to fill its page, so that no
/// leaf can hold two pieces and grow into a page twice their size.
pub fn put(table: &mut SealedTable<'_>, id: &RecordId, sealed: &[u8]) -> Result<()> {
	let mut rest = sealed;
	for (index, (len, capacity)) in (0u32..).zip(pieces(sealed.len())) {
		let (piece, after) = rest.split_at_checked(len).ok_or(StoreError::Poisoned)?;
		rest = after;
		if len < capacity {
			let mut padded = Vec::with_capacity(capacity);
			padded.extend_from_slice(piece);
			padded.resize(capacity, 0);
			table.insert((*id, index), padded.as_slice())
		} else {
			table.insert((*id, index), piece)
		}
		.map_err(redb::Error::from)?;
	}
	Ok(())
}

/// The `len` sealed bytes of record `id`, or `None` if it has no pieces.
pub fn get(
	table: &impl ReadableTable<([u8; 32], u32), &'static [u8]>,
	id: &RecordId,
	len: usize,
) -> Result<Option<Vec<u8>>> {
	let mut sealed = Vec::with_capacity(len);
	for (index, (piece_len, _)) in (0u32..).zip(pieces(len)) {
		let Some(piece) = table.get((*id, index)).map_err(redb::Error::from)? else {
			return if index == 0 {
				Ok(None)
			} else {
				Err(StoreError::Inconsistent(format!("record {} lost a piece", hex::encode(id))))
			};
		};
		let piece = piece.value().get(..piece_len).ok_or_else(|| {
			StoreError::Inconsistent(format!("record {} has a short piece", hex::encode(id)))
		})?;
		sealed.extend_from_slice(piece);
	}
	Ok(Some(sealed))
}

/// Removes the pieces of record `id`, `len` sealed bytes long.
pub fn remove(table: &mut SealedTable<'_>, id: &RecordId, len: usize) -> Result<()> {
	for index in (0u32..).take(pieces(len).len()) {
		table.remove((*id, index)).map_err(redb::Error::from)?;
	}
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn pieces_cover_the_bytes_and_fill_their_pages() {
		for len in [1, 4051, 4052, 4053, 8000, 65_536, (1 << 20) + 300, 3 << 20] {
			let pieces = pieces(len);
			assert_eq!(pieces.iter().map(|(piece, _)| piece).sum::<usize>(), len, "{len}");
			let pages: usize = pieces.iter().map(|(_, capacity)| capacity + LEAF_BYTES).sum();
			assert!(pages < len + 2 * PAGE, "{len}: {pages}");
			for (piece, capacity) in pieces {
				assert!((capacity + LEAF_BYTES).is_power_of_two() && piece <= capacity);
				// Two padded pieces never fit one 4 KiB leaf.
				assert!(2 * capacity > PAGE, "{len}");
			}
		}
		assert_eq!(pieces(8000), vec![(8000, 2 * PAGE - LEAF_BYTES)]);
		assert_eq!(
			pieces((1 << 20) + 300),
			vec![((1 << 20) - LEAF_BYTES, (1 << 20) - LEAF_BYTES), (344, PAGE - LEAF_BYTES)]
		);
	}
}
