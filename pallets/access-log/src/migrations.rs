//! Storage migrations of the access-log pallet, for the runtime's `Migrations`.

use frame_support::migrations::VersionedMigration;

use crate::Pallet;

/// Version 0 to 1: the (record, accessor) index. `AccessedBy` is new, so no stored value is
/// translated and only the version moves. It is not backfilled: only pharmacies' entries are
/// asked for (by `fill`), and no pharmacy has an entry from before the upgrade.
pub type MigrateV0ToV1<T> = VersionedMigration<
	0,
	1,
	medchain_pallet_support::migrations::NoTranslation<T>,
	Pallet<T>,
	<T as frame_system::Config>::DbWeight,
>;
