//! An append-only index: the values of a key in the order they were appended, one storage entry
//! each, so a key holds any number of values and a page costs only the entries it returns.

use alloc::vec::Vec;
use core::marker::PhantomData;

use codec::{FullCodec, FullEncode};
use frame_support::storage::{IterableStorageMap, StorageDoubleMap, StorageMap};

/// `Positions` holds `(key, position) → value`; `Length` holds each key's count of positions.
pub struct AppendOnlyIndex<Key, Value, Positions, Length>(
	PhantomData<(Key, Value, Positions, Length)>,
);

impl<Key, Value, Positions, Length> AppendOnlyIndex<Key, Value, Positions, Length>
where
	Key: FullEncode,
	Value: FullCodec,
	Positions: StorageDoubleMap<Key, u32, Value, Query = Option<Value>>,
	Length: StorageMap<Key, u32, Query = u32>,
{
	/// How many values `key` holds.
	pub fn len(key: &Key) -> u32 {
		Length::get(key)
	}

	/// The value at `position` of `key`.
	pub fn get(key: &Key, position: u32) -> Option<Value> {
		Positions::get(key, position)
	}

	/// Appends `value` to `key`.
	pub fn push(key: &Key, value: Value) {
		let position = Length::get(key);
		Positions::insert(key, position, value);
		Length::insert(key, position.saturating_add(1));
	}

	/// Appends `values` to `key`, reading and writing its length once.
	pub fn extend(key: &Key, values: impl IntoIterator<Item = Value>) {
		let mut position = Length::get(key);
		for value in values {
			Positions::insert(key, position, value);
			position = position.saturating_add(1);
		}
		Length::insert(key, position);
	}

	/// The values of `key` from position `start`, at most `limit`.
	pub fn page(key: &Key, start: u32, limit: u32) -> Vec<Value> {
		let end = start.saturating_add(limit).min(Length::get(key));
		(start..end).filter_map(|position| Positions::get(key, position)).collect()
	}

	/// Checks (for `try_state`) that `key`'s positions `0..len` are all present and that
	/// nothing is stored at `len`.
	pub fn check(key: &Key) -> Result<(), &'static str> {
		let length = Length::get(key);
		if !(0..length).all(|position| Positions::contains_key(key, position)) {
			return Err("index: a position below the length is missing");
		}
		if Positions::contains_key(key, length) {
			return Err("index: a value is stored past the length");
		}
		Ok(())
	}
}

impl<Key, Value, Positions, Length> AppendOnlyIndex<Key, Value, Positions, Length>
where
	Key: codec::FullCodec,
	Value: FullCodec,
	Positions: StorageDoubleMap<Key, u32, Value, Query = Option<Value>>,
	Length: StorageMap<Key, u32, Query = u32> + IterableStorageMap<Key, u32>,
{
	/// Checks (for `try_state`) every key as [`Self::check`] does, and that `belongs(key,
	/// value)` holds for each value; returns how many values all keys hold together.
	pub fn check_all(
		mut belongs: impl FnMut(&Key, &Value) -> Result<bool, &'static str>,
	) -> Result<u64, &'static str> {
		let mut total = 0u64;
		for (key, length) in <Length as IterableStorageMap<Key, u32>>::iter() {
			Self::check(&key)?;
			for value in Self::page(&key, 0, length) {
				if !belongs(&key, &value)? {
					return Err("index: a value is under another key");
				}
			}
			total = total.saturating_add(u64::from(length));
		}
		Ok(total)
	}
}
