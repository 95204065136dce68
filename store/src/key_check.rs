//! A key file's check value: a known block sealed under its epoch's KEK, so a KEK that is not
//! the store's is refused at open, before anything is wrapped under it; and, for a sealed KEK
//! file, the epoch's binding (`crate::kek::Binding`).

use redb::{Database, ReadableDatabase, TableDefinition, WriteTransaction};

use crate::{
	crypto::DataKey,
	kek::{new_binding, Binding, Kek},
	schema::KEYS,
	Result, StoreError,
};

/// `"check"` → the check value.
const KEY_CHECK: TableDefinition<&str, &[u8]> = TableDefinition::new("key-check");
/// The "record id" the check value is bound to; no record has it (ids are hashes).
const CHECK_ID: [u8; 32] = [0xff; 32];

/// Writes a new epoch's binding in `write`.
pub fn write_binding(write: &WriteTransaction, binding: &Binding) -> Result<()> {
	let mut table = write.open_table(KEY_CHECK).map_err(redb::Error::from)?;
	table.insert("binding", binding.as_slice()).map_err(redb::Error::from)?;
	Ok(())
}

/// The binding kept in key file `keys`; a key file without one gets one.
pub fn binding(keys: &Database) -> Result<Binding> {
	let read = keys.begin_read().map_err(redb::Error::from)?;
	let stored = match read.open_table(KEY_CHECK) {
		Ok(table) => {
			table.get("binding").map_err(redb::Error::from)?.map(|value| value.value().to_vec())
		}
		Err(redb::TableError::TableDoesNotExist(_)) => None,
		Err(error) => return Err(redb::Error::from(error).into()),
	};
	drop(read);
	if let Some(stored) = stored {
		return Binding::try_from(stored.as_slice())
			.map_err(|_| StoreError::Inconsistent("a key file's binding is not 32 bytes".into()));
	}
	let binding = new_binding();
	let mut transaction = keys.begin_write().map_err(redb::Error::from)?;
	transaction.set_durability(redb::Durability::Immediate).map_err(redb::Error::from)?;
	write_binding(&transaction, &binding)?;
	transaction.commit().map_err(redb::Error::from)?;
	Ok(binding)
}

/// Writes the check value of `kek` (and creates the keys table) in `write`.
pub fn write(write: &WriteTransaction, kek: &Kek) -> Result<()> {
	let check = DataKey::zero().wrap(&kek.key, kek.epoch, &CHECK_ID)?;
	write.open_table(KEYS).map_err(redb::Error::from)?;
	let mut table = write.open_table(KEY_CHECK).map_err(redb::Error::from)?;
	table.insert("check", check.as_slice()).map_err(redb::Error::from)?;
	Ok(())
}

/// Checks that `kek` opens the key file `keys`; a new key file gets its check value.
pub fn verify_or_write(keys: &Database, kek: &Kek) -> Result<()> {
	let read = keys.begin_read().map_err(redb::Error::from)?;
	let stored = match read.open_table(KEY_CHECK) {
		Ok(table) => {
			table.get("check").map_err(redb::Error::from)?.map(|check| check.value().to_vec())
		}
		Err(redb::TableError::TableDoesNotExist(_)) => None,
		Err(error) => return Err(redb::Error::from(error).into()),
	};
	drop(read);
	match stored {
		Some(check) => {
			DataKey::unwrap_from(&check, &kek.key, kek.epoch, &CHECK_ID).map(drop).map_err(|_| {
				StoreError::Inconsistent(format!(
					"the KEK file (epoch {}) is not this store's: restore the KEK file that was \
					 backed up with it",
					kek.epoch
				))
			})
		}
		None => {
			let mut transaction = keys.begin_write().map_err(redb::Error::from)?;
			transaction.set_durability(redb::Durability::Immediate).map_err(redb::Error::from)?;
			write(&transaction, kek)?;
			transaction.commit().map_err(redb::Error::from)?;
			Ok(())
		}
	}
}
