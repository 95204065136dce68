//! The medchain RPC's limits, stated once for the node and every client.

/// The largest request body the node reads: a full bulk import of maximal records would not
/// fit, so bulk imports of large records are split by the client.
pub const MAX_REQUEST_BYTES: u32 = 64 << 20;

/// Most records one `medchain_submitRecords` call takes.
pub const MAX_BULK_RECORDS: usize = 500;

/// Most calls in one JSON-RPC batch.
pub const MAX_BATCH_CALLS: u32 = 32;

/// Most `medchain_subscribe` streams one connection may hold.
pub const MAX_SUBSCRIPTIONS_PER_CONNECTION: u32 = 4;
