//! The custodian's error: the app API's [`ApiError`], a message with its `ErrorCode`, and the
//! errors the custodian makes of the chain's, the store's and the pool's.

use medchain_app_api::{types::to_hex, ErrorCode};
use medchain_primitives::access::AccessId;
use medchain_store::StoreError;

use crate::signer::Watched;

pub use medchain_app_api::ApiError as Error;

/// A custodian result.
pub type Result<T> = std::result::Result<T, Error>;

/// How long the node waits for its transactions to be final before it answers an app with
/// `NotFinalYet`; finality normally follows inclusion by two or three blocks.
pub const FINALITY_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// The error for a failed read of the chain.
pub(crate) fn chain_error(error: String) -> Error {
	ErrorCode::StoreUnavailable.error(format!("reading the chain: {error}"))
}

/// The error for a transaction still not final after [`FINALITY_WAIT`]; `access` is the
/// access id it logged, if it is an access (an id from a block that is not final: a fork may
/// still change it).
pub(crate) fn not_final_yet(watched: Watched, access: Option<AccessId>) -> Error {
	let wait = FINALITY_WAIT.as_secs();
	let (message, data) = match watched {
		Watched::Included { block, index, .. } => {
			let block = to_hex(block.as_bytes());
			let retry = match access {
				Some(access) => format!("; retryAccess({access}) once it is"),
				None => String::new(),
			};
			(
				format!("the transaction is in block {block} but not final after {wait} s{retry}"),
				serde_json::json!({ "block": block, "index": index, "accessId": access }),
			)
		}
		Watched::Pending(transaction) => {
			let transaction = to_hex(transaction.as_bytes());
			(
				format!("the transaction {transaction} is in no block after {wait} s; it stays in the pool: do not send it again"),
				serde_json::json!({ "transaction": transaction }),
			)
		}
	};
	ErrorCode::NotFinalYet.error_with_data(message, data)
}

/// The error for a failed store operation: the store's own refusals by their code, anything
/// else as `StoreUnavailable` (logged, not shown: it may name files).
pub(crate) fn store_error(error: StoreError) -> Error {
	match error {
		StoreError::RecordTooLarge { index, size, max } => ErrorCode::RecordTooLarge
			.error(format!("record {index} (counting from 0) holds {size} bytes of field values; the most is {max}")),
		StoreError::TooManyRecords { count, max } => {
			ErrorCode::TooManyRecords.error(format!("{count} records; the most is {max}"))
		}
		StoreError::RequestIdConflict(id) => {
			ErrorCode::RequestIdConflict.error(format!("clientRequestId {id:?} was used for a different record"))
		}
		StoreError::NotFound(id) => ErrorCode::RecordNotFound.error(format!("no record {}", to_hex(&id))),
		StoreError::Erased(id) => ErrorCode::RecordErased.error(format!("record {} is erased", to_hex(&id))),
		StoreError::WrongFieldCount { .. } => ErrorCode::MissingField.error(error.to_string()),
		StoreError::DiskFull { free, needed, reserve } => {
			log::warn!(target: "medchain::custodian", "record store: {error}");
			ErrorCode::StoreFull.error_with_data(
				"the record store's disk is nearly full: nothing was stored; retry once the operator has freed space",
				serde_json::json!({ "free": free, "needed": needed, "reserve": reserve }),
			)
		}
		StoreError::OutboxFull { waiting, adding, limit } => ErrorCode::Busy.error_with_data(
			format!(
				"{waiting} records wait to be anchored, at most {limit}: nothing was stored; retry \
				 once fewer wait"
			),
			serde_json::json!({ "waiting": waiting, "adding": adding, "limit": limit }),
		),
		other => {
			log::error!(target: "medchain::custodian", "record store: {other}");
			ErrorCode::StoreUnavailable.error("the record store failed; nothing was stored")
		}
	}
}

/// Runs store work off the async threads, with the store's errors mapped by [`store_error`].
pub(crate) async fn in_store<T: Send + 'static>(
	work: impl FnOnce() -> medchain_store::Result<T> + Send + 'static,
) -> Result<T> {
	tokio::task::spawn_blocking(work)
		.await
		.map_err(|error| ErrorCode::StoreUnavailable.error(error.to_string()))?
		.map_err(store_error)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_full_outbox_is_busy_with_its_counts() {
		let error =
			store_error(StoreError::OutboxFull { waiting: 99_990, adding: 20, limit: 100_000 });
		assert_eq!(error.code, ErrorCode::Busy);
		assert_eq!(
			error.data,
			Some(serde_json::json!({ "waiting": 99_990, "adding": 20, "limit": 100_000 }))
		);
	}

	#[test]
	fn a_full_disk_is_store_full_with_its_bytes() {
		let error = store_error(StoreError::DiskFull { free: 1, needed: 2, reserve: 3 });
		assert_eq!(error.code, ErrorCode::StoreFull);
		assert_eq!(error.data, Some(serde_json::json!({ "free": 1, "needed": 2, "reserve": 3 })));
	}
}
