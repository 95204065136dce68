//! The chain as the custodian sees it: the [`Chain`] trait, which the node implements over its
//! client (`crate::client`) and the unit tests over in-memory state, and the reads of pallet
//! storage built on it.

use std::str::FromStr;

use codec::Decode;
use frame_support::BoundedVec;
use futures::stream::BoxStream;
use medchain_primitives::access::{AccessEntry, AccessId, AccessPage, AccessQuery};
use medchain_primitives::{
	commitment::RecordId,
	prescription::{Fill, FillRefusal, PrescriptionState},
	records::Record,
	shares::{Grant, GrantId, GrantRefusal, PurposeOfUse, TokenKey},
	HospitalId, HospitalRole,
};
use medchain_runtime::{AccountId, BlockNumber, Nonce, Runtime, RuntimeEvent, UncheckedExtrinsic};
use pallet_hospitals::{HospitalStatus, MemberKind};
use sc_network::PeerId;
use sp_core::H256;

/// A block's events.
pub type EventRecords = Vec<frame_system::EventRecord<RuntimeEvent, H256>>;
/// A record's anchor.
pub type Anchor = Record<AccountId, BlockNumber>;
/// A grant as the runtime API returns it.
pub type ChainGrant = Grant<AccountId, BlockNumber, Vec<RecordId>>;
/// An access entry.
pub type Entry = AccessEntry<AccountId, BlockNumber>;
/// A prescription with its terms and fills used.
pub type Prescription = PrescriptionState<AccountId, BlockNumber>;
/// A registered hospital.
pub type Hospital = pallet_hospitals::Hospital<Runtime>;
/// A registered pharmacy.
pub type Pharmacy = pallet_hospitals::Pharmacy<Runtime>;

/// A member as the registry holds it: a hospital or a pharmacy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
	/// Which kind of member.
	pub kind: MemberKind,
	/// Its name, as UTF-8 bytes.
	pub name: BoundedVec<u8, <Runtime as pallet_hospitals::Config>::MaxNameLength>,
	/// Active, suspended or removed.
	pub status: HospitalStatus,
	/// Its nodes.
	pub nodes: BoundedVec<
		pallet_hospitals::HospitalNode<Runtime>,
		<Runtime as pallet_hospitals::Config>::MaxNodesPerHospital,
	>,
}

/// A page of the registry: members by id, and the id the next page starts from, if any.
pub type MembersPage = (Vec<(HospitalId, Member)>, Option<HospitalId>);

/// The heads of the chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainInfo {
	/// The best block.
	pub best_hash: H256,
	/// The best block's number.
	pub best_number: BlockNumber,
	/// The last finalized block.
	pub finalized_hash: H256,
	/// The last finalized block's number.
	pub finalized_number: BlockNumber,
	/// The genesis block.
	pub genesis_hash: H256,
}

/// A new finalized head.
#[derive(Clone, Debug)]
pub struct Finalized {
	/// The blocks finalized since the previous head, oldest first, then the head itself.
	pub blocks: Vec<H256>,
}

/// What the custodian reads from the chain. Every read names the block whose state it reads.
pub trait Chain: Send + Sync + 'static {
	/// The heads.
	fn info(&self) -> ChainInfo;
	/// The hash of canonical block `number`.
	fn hash(&self, number: BlockNumber) -> Result<Option<H256>, String>;
	/// The number of block `hash`.
	fn number(&self, hash: H256) -> Result<Option<BlockNumber>, String>;
	/// Every new finalized head, from now on.
	fn finality_stream(&self) -> BoxStream<'static, Finalized>;
	/// The raw value at `key` in the state of block `at`.
	fn storage(&self, at: H256, key: &[u8]) -> Result<Option<Vec<u8>>, String>;
	/// The encoded extrinsics of block `at`, if its body is kept.
	fn extrinsics(&self, at: H256) -> Result<Option<Vec<Vec<u8>>>, String>;
	/// The slot duration, in milliseconds.
	fn slot_millis(&self, at: H256) -> Result<u64, String>;
	/// The next nonce of `account`.
	fn account_nonce(&self, at: H256, account: &AccountId) -> Result<Nonce, String>;
	/// The runtime's spec and transaction versions.
	fn runtime_version(&self, at: H256) -> Result<(u32, u32), String>;
	/// The anchor of `record` (`RecordsApi::record`).
	fn anchor(&self, at: H256, record: RecordId) -> Result<Option<Anchor>, String>;
	/// Grant `id` (`SharesApi::grant`).
	fn grant(&self, at: H256, id: GrantId) -> Result<Option<ChainGrant>, String>;
	/// The grant `token_key` opens (`SharesApi::grant_by_token`).
	fn grant_by_token(&self, at: H256, token_key: TokenKey) -> Result<Option<GrantId>, String>;
	/// Why grant `grant` can't open `record` for `accessor` and `purpose`, if it can't: the
	/// chain's own rules (`SharesApi::check_use`).
	fn check_use(
		&self,
		at: H256,
		grant: GrantId,
		record: RecordId,
		accessor: HospitalId,
		purpose: PurposeOfUse,
	) -> Result<Result<(), GrantRefusal>, String>;
	/// The grants of `patient` after `after`, at most `limit` (`SharesApi::grants_of_patient`).
	fn grants_of_patient(
		&self,
		at: H256,
		patient: AccountId,
		after: Option<GrantId>,
		limit: u32,
	) -> Result<Vec<GrantId>, String>;
	/// Access entry `id` (`AccessLogApi::entry`).
	fn access_entry(&self, at: H256, id: AccessId) -> Result<Option<Entry>, String>;
	/// Access entries matching `query` between two times (`AccessLogApi::entries`).
	fn access_entries(
		&self,
		at: H256,
		query: AccessQuery<AccountId>,
		range: (u64, u64),
		cursor: u32,
		limit: u32,
	) -> Result<AccessPage<AccountId, BlockNumber>, String>;
	/// The hospitals of the validator set (`ConsortiumApi::validators`).
	fn validators(&self, at: H256) -> Result<Vec<HospitalId>, String>;
	/// Prescription `id` (any version): its record, terms and fills used
	/// (`RecordsApi::prescription`).
	fn prescription(&self, at: H256, id: RecordId) -> Result<Option<Prescription>, String>;
	/// The fills of prescription `id` from position `start`, at most `limit`
	/// (`RecordsApi::fills`).
	fn fills(
		&self,
		at: H256,
		id: RecordId,
		start: u32,
		limit: u32,
	) -> Result<Vec<Fill<BlockNumber>>, String>;
	/// Why `pharmacy` can't fill prescription `id` at `at`, if it can't
	/// (`RecordsApi::check_fill`).
	fn check_fill(
		&self,
		at: H256,
		id: RecordId,
		pharmacy: HospitalId,
	) -> Result<Option<FillRefusal>, String>;
}

/// Reads of pallet storage, through [`Chain::storage`].
impl dyn Chain {
	/// The hospital and role of `account`.
	pub fn role_of(
		&self,
		at: H256,
		account: &AccountId,
	) -> Result<Option<(HospitalId, HospitalRole)>, String> {
		self.decode(at, &pallet_hospitals::AccountRoles::<Runtime>::hashed_key_for(account))
	}

	/// The active member (hospital or pharmacy) that registered node `peer`.
	pub fn active_member_of_peer(
		&self,
		at: H256,
		peer: &PeerId,
	) -> Result<Option<HospitalId>, String> {
		let Ok(peer_id) =
			pallet_hospitals::PeerIdOf::<Runtime>::try_from(peer.to_base58().into_bytes())
		else {
			return Ok(None);
		};
		let key = pallet_hospitals::PeerOwner::<Runtime>::hashed_key_for(peer_id);
		let Some(member) = self.decode::<HospitalId>(at, &key)? else { return Ok(None) };
		Ok(self.member_nodes(at, member)?.is_some().then_some(member))
	}

	/// The registered nodes of `member` (a hospital or a pharmacy), if it is active.
	pub fn member_nodes(
		&self,
		at: H256,
		member: HospitalId,
	) -> Result<Option<Vec<PeerId>>, String> {
		let Some(member) = self.member(at, member)? else { return Ok(None) };
		if member.status != HospitalStatus::Active {
			return Ok(None);
		}
		let peers = member
			.nodes
			.iter()
			.filter_map(|node| PeerId::from_str(std::str::from_utf8(&node.peer_id).ok()?).ok())
			.collect();
		Ok(Some(peers))
	}

	/// Member `id`, a hospital or a pharmacy, whatever its status.
	pub fn member(&self, at: H256, id: HospitalId) -> Result<Option<Member>, String> {
		let key = pallet_hospitals::Hospitals::<Runtime>::hashed_key_for(id);
		if let Some(hospital) = self.decode::<Hospital>(at, &key)? {
			let Hospital { name, status, nodes, .. } = hospital;
			return Ok(Some(Member { kind: MemberKind::Hospital, name, status, nodes }));
		}
		let key = pallet_hospitals::Pharmacies::<Runtime>::hashed_key_for(id);
		Ok(self.decode::<Pharmacy>(at, &key)?.map(|pharmacy| {
			let Pharmacy { name, status, nodes, .. } = pharmacy;
			Member { kind: MemberKind::Pharmacy, name, status, nodes }
		}))
	}

	/// The members (hospitals and pharmacies) with ids from `from`, at most `limit` ids, with
	/// the `from` of the next page if there are more.
	pub fn members(&self, at: H256, from: HospitalId, limit: u32) -> Result<MembersPage, String> {
		let next_id: HospitalId = self
			.decode(at, &pallet_hospitals::NextHospitalId::<Runtime>::hashed_key())?
			.unwrap_or_default();
		let end = from.saturating_add(limit).min(next_id);
		let mut members = Vec::new();
		for id in from..end {
			if let Some(member) = self.member(at, id)? {
				members.push((id, member));
			}
		}
		Ok((members, (end < next_id).then_some(end)))
	}

	/// The hospital that registered `patient`.
	pub fn registering_hospital(
		&self,
		at: H256,
		patient: &AccountId,
	) -> Result<Option<HospitalId>, String> {
		let key = pallet_hospitals::Patients::<Runtime>::hashed_key_for(patient);
		let registered: Option<pallet_hospitals::Patient<Runtime>> = self.decode(at, &key)?;
		Ok(registered.map(|patient| patient.hospital))
	}

	/// The consent nonce `patient` signs next.
	pub fn consent_nonce(&self, at: H256, patient: &AccountId) -> Result<u64, String> {
		let key = pallet_shares::ConsentNonce::<Runtime>::hashed_key_for(patient);
		Ok(self.decode(at, &key)?.unwrap_or_default())
	}

	/// The erasure of `record_id` scheduled: who asked, and from which block it is due.
	pub fn pending_erasure(
		&self,
		at: H256,
		record_id: RecordId,
	) -> Result<Option<(AccountId, BlockNumber)>, String> {
		self.decode(at, &pallet_records::PendingErasures::<Runtime>::hashed_key_for(record_id))
	}

	/// The time of block `at` (its timestamp inherent), in Unix milliseconds: from its state,
	/// or, once that is pruned, from the inherent in its body (bodies of finalized blocks are
	/// kept).
	pub fn block_time(&self, at: H256) -> Result<u64, String> {
		let key = frame_support::storage::storage_prefix(b"Timestamp", b"Now");
		if let Ok(Some(now)) = self.decode::<u64>(at, &key) {
			return Ok(now);
		}
		self.extrinsics(at)?
			.unwrap_or_default()
			.iter()
			.filter_map(|bytes| UncheckedExtrinsic::decode(&mut bytes.as_slice()).ok())
			.find_map(|extrinsic| match extrinsic.function {
				medchain_runtime::RuntimeCall::Timestamp(
					medchain_runtime::TimestampCall::set { now },
				) => Some(now),
				_ => None,
			})
			.ok_or_else(|| format!("block {at:?} has no timestamp"))
	}

	/// The events of block `at`.
	pub fn events(&self, at: H256) -> Result<EventRecords, String> {
		let key = frame_support::storage::storage_prefix(b"System", b"Events");
		Ok(self.decode(at, &key)?.unwrap_or_default())
	}

	fn decode<T: Decode>(&self, at: H256, key: &[u8]) -> Result<Option<T>, String> {
		self.storage(at, key)?
			.map(|data| T::decode(&mut data.as_slice()).map_err(|error| error.to_string()))
			.transpose()
	}
}
