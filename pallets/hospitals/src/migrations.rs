//! Storage migrations of the hospitals pallet, for the runtime's `Migrations`.

use frame_support::migrations::VersionedMigration;

use crate::Pallet;

/// Version 0 to 1: pharmacies. Every change is additive (`Pharmacies`, `ActivePharmacies` and
/// `PharmaciesVoteOnAdmissions` are new, `Proposal::AddPharmacy` is appended, and the bound of
/// a proposal's approvals widens), so no stored value is translated and only the version
/// moves. `PharmaciesVoteOnAdmissions` stays `false` on an upgraded chain: only genesis sets it.
pub type MigrateV0ToV1<T> = VersionedMigration<
	0,
	1,
	unversioned::NoTranslation<T>,
	Pallet<T>,
	<T as frame_system::Config>::DbWeight,
>;

/// The version-unchecked steps, reachable only through their [`VersionedMigration`].
mod unversioned {
	use core::marker::PhantomData;
	use frame_support::traits::UncheckedOnRuntimeUpgrade;

	use crate::Config;

	/// Translates nothing: frame-support has no `UncheckedOnRuntimeUpgrade` for `()`.
	pub struct NoTranslation<T>(PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for NoTranslation<T> {}
}
