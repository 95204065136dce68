//! The runtime API methods the client calls, each with its argument and result types, named
//! once. A unit test checks every name against the runtime's metadata, so a renamed or removed
//! method fails here rather than on a live chain.

use core::marker::PhantomData;

use medchain_primitives::{
	access::{AccessEntry, AccessId, AccessPage, AccessQuery},
	commitment::RecordId,
	records::Record,
	shares::{ConsentRequest, ConsentRequestId, Grant, GrantId, TokenKey},
	HospitalId,
};
use medchain_runtime::{AccountId, BlockNumber};
use sp_core::{ed25519, sr25519};
use sp_version::RuntimeVersion;

/// A runtime API method: its `Trait_method` name; `Args` SCALE-encode its arguments, `Output`
/// decodes its result.
pub struct Method<Args, Output> {
	/// `Trait_method`, as `state_call` takes it.
	pub name: &'static str,
	types: PhantomData<fn(Args) -> Output>,
}

impl<Args, Output> Method<Args, Output> {
	const fn new(name: &'static str) -> Self {
		Self { name, types: PhantomData }
	}
}

/// The runtime's version (spec and transaction versions).
pub const VERSION: Method<(), RuntimeVersion> = Method::new("Core_version");
/// The Aura authorities, in slot order.
pub const AURA_AUTHORITIES: Method<(), Vec<sr25519::Public>> = Method::new("AuraApi_authorities");
/// The GRANDPA set id the runtime has counted.
pub const GRANDPA_SET_ID: Method<(), u64> = Method::new("GrandpaApi_current_set_id");
/// The GRANDPA authorities the runtime has enacted, with their weights.
pub const GRANDPA_AUTHORITIES: Method<(), Vec<(ed25519::Public, u64)>> =
	Method::new("GrandpaApi_grandpa_authorities");
/// The hospitals of the current validator set, in authority order.
pub const VALIDATORS: Method<(), Vec<HospitalId>> = Method::new("ConsortiumApi_validators");
/// Record `id`'s anchor, whatever its status, if any.
pub const RECORD: Method<RecordId, Option<Record<AccountId, BlockNumber>>> =
	Method::new("RecordsApi_record");
/// Grant `id`, if it is kept.
pub const GRANT: Method<GrantId, Option<Grant<AccountId, BlockNumber, Vec<RecordId>>>> =
	Method::new("SharesApi_grant");
/// The grant a share token key opens, if it is in state.
pub const GRANT_BY_TOKEN: Method<TokenKey, Option<GrantId>> =
	Method::new("SharesApi_grant_by_token");
/// Access entry `id`, if any.
pub const ACCESS_ENTRY: Method<AccessId, Option<AccessEntry<AccountId, BlockNumber>>> =
	Method::new("AccessLogApi_entry");
/// A page of a query's access entries: `(query, from_time, to_time, cursor, limit)`.
pub const ACCESS_ENTRIES: Method<EntriesQuery, AccessPage<AccountId, BlockNumber>> =
	Method::new("AccessLogApi_entries");
/// `AccessLogApi::entries`'s arguments: `(query, from_time, to_time, cursor, limit)`.
pub type EntriesQuery = (AccessQuery<AccountId>, u64, u64, u32, u32);

/// Up to `limit` consent requests waiting for `patient`, ids above `after`, ascending.
pub const PENDING_CONSENT_REQUESTS: Method<
	(AccountId, Option<ConsentRequestId>, u32),
	Vec<PendingRequest>,
> = Method::new("SharesApi_pending_consent_requests");
/// A consent request waiting for the patient's answer, with its id.
pub type PendingRequest = (ConsentRequestId, ConsentRequest<BlockNumber, Vec<RecordId>>);
/// The block time, in milliseconds.
pub const SLOT_DURATION: Method<(), u64> = Method::new("AuraApi_slot_duration");

/// Every method above, for the metadata check.
pub const ALL: [&str; 12] = [
	VERSION.name,
	AURA_AUTHORITIES.name,
	GRANDPA_SET_ID.name,
	GRANDPA_AUTHORITIES.name,
	VALIDATORS.name,
	RECORD.name,
	GRANT.name,
	GRANT_BY_TOKEN.name,
	ACCESS_ENTRY.name,
	ACCESS_ENTRIES.name,
	PENDING_CONSENT_REQUESTS.name,
	SLOT_DURATION.name,
];

#[cfg(test)]
mod tests {
	use codec::Decode;
	use frame_metadata::{RuntimeMetadata, RuntimeMetadataPrefixed};

	#[test]
	fn every_method_the_client_calls_is_in_the_runtime_metadata() {
		let opaque = medchain_runtime::Runtime::metadata_at_version(15).expect("metadata v15");
		let prefixed = RuntimeMetadataPrefixed::decode(&mut &opaque[..]).expect("metadata decodes");
		let RuntimeMetadata::V15(metadata) = prefixed.1 else { panic!("not metadata v15") };
		let offered: Vec<String> = metadata
			.apis
			.iter()
			.flat_map(|api| {
				api.methods.iter().map(move |method| format!("{}_{}", api.name, method.name))
			})
			.collect();
		for name in super::ALL {
			assert!(offered.iter().any(|offered| offered == name), "{name} is not a runtime API");
		}
	}
}
