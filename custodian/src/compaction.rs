//! Compacts the record store in the background after shreds, so an erased record's pages
//! leave `records.redb` (see `medchain_store`'s compaction).

use std::{sync::Arc, time::Duration};

use medchain_store::Store;

use crate::blocking;

/// How often the task looks for shreds since the last compaction: at most one compaction per
/// interval, since it holds the store's other work back while it runs.
const CHECK_EVERY: Duration = Duration::from_secs(60);

/// Runs until the node stops.
pub async fn run(store: Arc<Store>) {
	loop {
		tokio::time::sleep(CHECK_EVERY).await;
		if !store.compaction_due() {
			continue;
		}
		let started = std::time::Instant::now();
		let store = store.clone();
		match blocking(move || store.compact()).await {
			Ok(true) => log::info!(
				target: "medchain::store",
				"compacted records.redb after erasures in {} ms",
				started.elapsed().as_millis()
			),
			Ok(false) => {
				log::debug!(target: "medchain::store", "compaction deferred: a read was open")
			}
			Err(error) => log::warn!(target: "medchain::store", "compacting records.redb: {error}"),
		}
	}
}
