//! A `medchain_accessLog` query, checked, and its cursor.
//!
//! The cursor is opaque to clients: SCALE of [`Cursor`] in hex, a layout that may change between
//! releases (a client passes back what it got). It carries a tag of the query
//! it belongs to, and where each of the log's two sources stands: the runtime's access entries
//! and the node's index of refused attempts. The runtime's entry cursor is a position in the
//! query's index; when a merged page takes only part of a runtime page whose first position is
//! unknown (the last page of a range), the cursor keeps the runtime cursor and how many entries
//! to skip.

use codec::{Decode, DecodeAll, Encode, MaxEncodedLen};
use medchain_primitives::access::AccessQuery;
use sp_core::{crypto::AccountId32, Blake2Hasher, Hasher};

use crate::{
	audit::{AccessLogQuery, DEFAULT_PAGE, MAX_PAGE},
	time::parse_rfc3339,
	types::to_hex,
	ApiError, ErrorCode,
};

/// A refused attempt's place in the node's index: (block time in Unix ms, block, extrinsic
/// index), as `medchain_store::refusals::RefusalKey`.
pub type RefusalPosition = (u64, u32, u32);

/// A checked query: only [`Query::parse`] makes one.
#[derive(Debug)]
#[non_exhaustive]
pub struct Query {
	/// The one subject the query names.
	pub filter: AccessQuery<AccountId32>,
	/// From and to, in Unix ms, both included.
	pub range: (u64, u64),
	/// Rows per page.
	pub limit: u32,
	/// Where the page starts.
	pub cursor: Cursor,
}

/// Where a page starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, MaxEncodedLen)]
pub struct Cursor {
	/// The first bytes of the hash of the query the cursor belongs to.
	pub tag: [u8; 8],
	/// Where the runtime's access entries stand.
	pub entries: EntriesCursor,
	/// Where the refusal index stands.
	pub refusals: RefusalsCursor,
}

/// Where the runtime's access entries stand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, MaxEncodedLen)]
pub enum EntriesCursor {
	/// The next entry is at this position of the query's index.
	At(u32),
	/// Ask the runtime at `cursor` again, and skip the first `skip` entries.
	Skip {
		/// The runtime's cursor.
		cursor: u32,
		/// Entries of its page already shown.
		skip: u32,
	},
	/// No entries left.
	Done,
}

/// Where the refusal index stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, MaxEncodedLen)]
pub enum RefusalsCursor {
	/// After this refusal (from the range's start if `None`).
	After(Option<RefusalPosition>),
	/// No refusals left.
	Done,
}

impl Query {
	/// Checks `request`: exactly one filter, RFC 3339 times, a limit in range, a cursor of
	/// this same query.
	pub fn parse(request: &AccessLogQuery) -> Result<Self, ApiError> {
		let invalid = |message: String| ErrorCode::InvalidAuditQuery.error(message);
		let mut filters = Vec::new();
		if let Some(patient) = &request.patient {
			filters.push(AccessQuery::Patient(AccountId32::from(patient.0)));
		}
		if let Some(hospital) = request.hospital {
			filters.push(AccessQuery::Accessor(hospital));
		}
		if let Some(custodian) = request.custodian {
			filters.push(AccessQuery::Custodian(custodian));
		}
		if let Some(record) = &request.record {
			filters.push(AccessQuery::Record(record.0));
		}
		let [filter] = <[_; 1]>::try_from(filters).map_err(|filters| {
			invalid(format!(
				"name exactly one of patient, hospital, custodian and record (got {})",
				filters.len()
			))
		})?;
		let time = |text: &Option<String>, name: &str, default: u64| match text {
			None => Ok(default),
			Some(text) => parse_rfc3339(text).ok_or_else(|| {
				invalid(format!("{name} {text:?} is not an RFC 3339 time after 1970"))
			}),
		};
		let range = (time(&request.from, "from", 0)?, time(&request.to, "to", u64::MAX)?);
		let limit = request.limit.unwrap_or(DEFAULT_PAGE);
		if !(1..=MAX_PAGE).contains(&limit) {
			return Err(invalid(format!("limit {limit} is not between 1 and {MAX_PAGE}")));
		}
		let tag = tag_of(&filter, range);
		let cursor = match &request.cursor {
			None => Cursor::start(tag),
			Some(text) => Cursor::from_hex(text)
				.filter(|cursor| cursor.tag == tag)
				.ok_or_else(|| invalid("the cursor is not one of this query's".into()))?,
		};
		Ok(Self { filter, range, limit, cursor })
	}
}

impl Cursor {
	/// The first page's.
	pub fn start(tag: [u8; 8]) -> Self {
		Self { tag, entries: EntriesCursor::At(0), refusals: RefusalsCursor::After(None) }
	}

	/// Whether both sources are exhausted.
	pub fn is_done(&self) -> bool {
		self.entries == EntriesCursor::Done && self.refusals == RefusalsCursor::Done
	}

	/// As clients see it: `0x` and the hex of its SCALE encoding.
	pub fn to_hex(&self) -> String {
		to_hex(&self.encode())
	}

	/// A cursor `to_hex` printed: its encoding exactly, nothing after it.
	pub fn from_hex(text: &str) -> Option<Self> {
		let digits = text.strip_prefix("0x")?;
		if digits.len() > Self::max_encoded_len().saturating_mul(2) {
			return None;
		}
		let bytes = hex::decode(digits).ok()?;
		Self::decode_all(&mut bytes.as_slice()).ok()
	}
}

impl EntriesCursor {
	/// What to ask the runtime for: from which position, and how many entries (those to skip,
	/// and enough for a full page after them).
	pub fn request(self, limit: u32) -> Option<(u32, u32)> {
		match self {
			EntriesCursor::At(position) => Some((position, limit.min(MAX_PAGE))),
			EntriesCursor::Skip { cursor, skip } => {
				Some((cursor, skip.saturating_add(limit).min(MAX_PAGE)))
			}
			EntriesCursor::Done => None,
		}
	}
}

fn tag_of(filter: &AccessQuery<AccountId32>, range: (u64, u64)) -> [u8; 8] {
	let hash = Blake2Hasher::hash(&(filter, range).encode());
	let mut tag = [0; 8];
	tag.copy_from_slice(&hash.as_bytes()[..8]);
	tag
}

#[cfg(test)]
mod tests {
	use super::*;

	fn code(result: Result<Query, ApiError>) -> i32 {
		result.err().map_or(0, |error| error.code())
	}

	#[test]
	fn a_query_names_one_subject_rfc3339_times_a_limit_and_its_own_cursor() {
		let of_hospital = AccessLogQuery { hospital: Some(1), ..Default::default() };
		let query = Query::parse(&of_hospital).map_err(|error| error.to_string()).unwrap();
		assert_eq!((query.range, query.limit), ((0, u64::MAX), DEFAULT_PAGE));
		let invalid = ErrorCode::InvalidAuditQuery.code();
		assert_eq!(code(Query::parse(&AccessLogQuery::default())), invalid);
		let two = AccessLogQuery { custodian: Some(0), ..of_hospital.clone() };
		assert_eq!(code(Query::parse(&two)), invalid);
		let bad_time = AccessLogQuery { from: Some("yesterday".into()), ..of_hospital.clone() };
		assert_eq!(code(Query::parse(&bad_time)), invalid);
		for limit in [0, MAX_PAGE + 1] {
			let query = AccessLogQuery { limit: Some(limit), ..of_hospital.clone() };
			assert_eq!(code(Query::parse(&query)), invalid);
		}
		let one_record = AccessLogQuery { record: Some([7; 32].into()), ..Default::default() };
		assert!(Query::parse(&one_record).is_ok());

		let ranged = AccessLogQuery {
			from: Some("2026-11-30T00:00:00Z".into()),
			to: Some("2026-12-01T00:00:00+01:00".into()),
			..of_hospital.clone()
		};
		let query = Query::parse(&ranged).map_err(|error| error.to_string()).unwrap();
		assert_eq!(query.range, (1_795_996_800_000, 1_796_079_600_000));
		// A cursor works for its own query only, and only as printed.
		let cursor = query.cursor.to_hex();
		let same = AccessLogQuery { cursor: Some(cursor.clone()), ..ranged.clone() };
		assert_eq!(Query::parse(&same).map(|query| query.cursor).ok(), Some(query.cursor));
		let longer = AccessLogQuery { cursor: Some(format!("{cursor}00")), ..ranged.clone() };
		assert_eq!(code(Query::parse(&longer)), invalid);
		let huge = AccessLogQuery { cursor: Some(format!("0x{}", "00".repeat(1 << 20))), ..ranged };
		assert_eq!(code(Query::parse(&huge)), invalid);
		let other = AccessLogQuery { cursor: Some(cursor), ..of_hospital };
		assert_eq!(code(Query::parse(&other)), invalid);
	}
}
