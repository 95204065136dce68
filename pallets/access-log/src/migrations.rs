//! Storage migrations of the access-log pallet, for the runtime's `Migrations`.

use frame_support::migrations::VersionedMigration;

use crate::Pallet;

/// Version 0 to 1: the (record, accessor) index. `AccessedBy` is new, so no stored value is
/// translated and only the version moves. It is not backfilled: only pharmacies' entries are
/// asked for (by `fill`), and no pharmacy has an entry from before the upgrade.
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
