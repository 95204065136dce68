//! [`RollingQuota`]: at most `limit` uses in any window of `period` blocks, in constant storage.
//!
//! A fixed window (reset every `period` blocks) lets twice the limit through across a window
//! boundary. This one keeps use counts in [`QUOTA_BUCKETS`] slots of `period / (QUOTA_BUCKETS - 1)`
//! blocks (rounded up) and counts every use in the current slot and the `QUOTA_BUCKETS - 1`
//! before it. That span is at least `period` long, so any `period` blocks ending now hold at
//! most `limit` uses. It is conservative: a use can keep counting up to one slot longer than
//! `period`.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::traits::UniqueSaturatedInto;

/// How many slots a quota keeps.
pub const QUOTA_BUCKETS: usize = 8;

/// Uses per slot, and the newest slot counted.
#[derive(
	Clone,
	Debug,
	Default,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct RollingQuota {
	newest_slot: u64,
	counts: [u32; QUOTA_BUCKETS],
}

impl RollingQuota {
	/// Counts one use at block `now` and returns `true`, unless `limit` uses already fall in
	/// the window of at least `period` blocks that ends at `now`.
	pub fn try_use(&mut self, now: u64, period: u64, limit: u32) -> bool {
		let slot = Self::slot(now, period);
		self.advance_to(slot);
		if self.used() >= limit {
			return false;
		}
		let index = Self::index(slot);
		if let Some(count) = self.counts.get_mut(index) {
			*count = count.saturating_add(1);
		}
		true
	}

	/// Counts `uses` more at block `now`, as that many successful [`Self::try_use`] would; the
	/// caller has checked them against the limit with [`Self::used_at`].
	pub fn add(&mut self, now: u64, period: u64, uses: u32) {
		let slot = Self::slot(now, period);
		self.advance_to(slot);
		if let Some(count) = self.counts.get_mut(Self::index(slot)) {
			*count = count.saturating_add(uses);
		}
	}

	/// [`Self::try_use`] at block `now` of any block-number type, refusing with `refusal`.
	pub fn count<BlockNumber: UniqueSaturatedInto<u64>, Refusal>(
		&mut self,
		now: BlockNumber,
		period: BlockNumber,
		limit: u32,
		refusal: Refusal,
	) -> Result<(), Refusal> {
		let (now, period) = (now.unique_saturated_into(), period.unique_saturated_into());
		if self.try_use(now, period, limit) {
			Ok(())
		} else {
			Err(refusal)
		}
	}

	/// Uses that count against the limit at block `now`.
	pub fn used_at(&self, now: u64, period: u64) -> u32 {
		let mut view = self.clone();
		view.advance_to(Self::slot(now, period));
		view.used()
	}

	fn used(&self) -> u32 {
		self.counts.iter().fold(0u32, |sum, count| sum.saturating_add(*count))
	}

	/// The slot of block `now`: the window is `QUOTA_BUCKETS - 1` slots of at least one block.
	fn slot(now: u64, period: u64) -> u64 {
		const SPANS: u64 = QUOTA_BUCKETS as u64 - 1;
		let slot_length = period.div_ceil(SPANS).max(1);
		now.checked_div(slot_length).unwrap_or(now)
	}

	fn index(slot: u64) -> usize {
		usize::try_from(slot.checked_rem(QUOTA_BUCKETS as u64).unwrap_or_default())
			.unwrap_or_default()
	}

	/// Clears the slots that fell out of the window since the newest slot counted. A slot
	/// before the newest one means the period grew (a runtime upgrade): the counts are of
	/// other slots then, so they start afresh rather than lock the quota for long.
	fn advance_to(&mut self, slot: u64) {
		if slot < self.newest_slot {
			*self = Self { newest_slot: slot, counts: Default::default() };
			return;
		}
		if slot == self.newest_slot {
			return;
		}
		let expired = slot.saturating_sub(self.newest_slot).min(QUOTA_BUCKETS as u64);
		for step in 1..=expired {
			let index = Self::index(self.newest_slot.saturating_add(step));
			if let Some(count) = self.counts.get_mut(index) {
				*count = 0;
			}
		}
		self.newest_slot = slot;
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	const PERIOD: u64 = 70;

	fn uses_allowed(quota: &mut RollingQuota, at: u64, tries: u32, limit: u32) -> u32 {
		(0..tries).filter(|_| quota.try_use(at, PERIOD, limit)).count() as u32
	}

	#[test]
	fn refuses_past_the_limit_within_one_period() {
		let mut quota = RollingQuota::default();
		assert_eq!(uses_allowed(&mut quota, 5, 4, 3), 3);
		assert_eq!(uses_allowed(&mut quota, 5 + PERIOD - 1, 1, 3), 0);
		assert_eq!(quota.used_at(5 + PERIOD - 1, PERIOD), 3);
	}

	#[test]
	fn adding_many_counts_as_many_uses() {
		let mut quota = RollingQuota::default();
		quota.add(5, PERIOD, 2);
		assert_eq!(quota.used_at(5, PERIOD), 2);
		assert_eq!(uses_allowed(&mut quota, 6, 3, 3), 1);
		assert_eq!(quota.used_at(5 + PERIOD + 10, PERIOD), 0);
	}

	#[test]
	fn a_window_boundary_does_not_double_the_limit() {
		// A fixed 70-block window would reset at block 70 and allow three more.
		let mut quota = RollingQuota::default();
		assert_eq!(uses_allowed(&mut quota, 69, 3, 3), 3);
		assert_eq!(uses_allowed(&mut quota, 70, 3, 3), 0);
		assert_eq!(uses_allowed(&mut quota, 69 + PERIOD - 1, 3, 3), 0);
	}

	#[test]
	fn uses_older_than_the_window_stop_counting() {
		let mut quota = RollingQuota::default();
		assert_eq!(uses_allowed(&mut quota, 10, 3, 3), 3);
		// Slots are 10 blocks long: block 10's slot leaves the window by block 90.
		assert_eq!(uses_allowed(&mut quota, 90, 3, 3), 3);
		assert_eq!(uses_allowed(&mut quota, 1_000_000, 3, 3), 3);
	}

	#[test]
	fn a_longer_period_after_an_upgrade_starts_afresh_instead_of_locking() {
		let mut quota = RollingQuota::default();
		assert_eq!(uses_allowed(&mut quota, 700, 3, 3), 3);
		// The period grows tenfold: block 701 now falls in an earlier slot than block 700 did.
		assert!(quota.try_use(701, PERIOD * 10, 3));
	}

	#[test]
	fn any_period_long_interval_holds_at_most_the_limit() {
		// One try per block for a while: every 70-block interval holds at most `limit`.
		let limit = 5;
		let mut quota = RollingQuota::default();
		let used: Vec<u64> =
			(0..1_000).filter(|block| quota.try_use(*block, PERIOD, limit)).collect();
		for start in 0..1_000 {
			let inside = used.iter().filter(|b| (start..start + PERIOD).contains(b)).count();
			assert!(inside <= limit as usize, "{inside} uses in [{start}, {})", start + PERIOD);
		}
		assert!(used.len() >= 50, "the quota keeps refilling: {} uses", used.len());
	}
}
