//! Storage migrations of the records pallet, for the runtime's `Migrations`.

use frame_support::migrations::VersionedMigration;

use crate::Pallet;

/// Version 0 to 1: prescriptions. Every change is additive (`Prescriptions`, `FillLog` and
/// `FillCount` are new; `AnchorRequest` gained a field, but it is a call argument, never
/// stored), so no stored value is translated and only the version moves.
pub type MigrateV0ToV1<T> = VersionedMigration<
	0,
	1,
	medchain_pallet_support::migrations::NoTranslation<T>,
	Pallet<T>,
	<T as frame_system::Config>::DbWeight,
>;
