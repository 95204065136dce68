//! Storage migrations of the records pallet, for the runtime's `Migrations`.

use frame_support::migrations::VersionedMigration;

use crate::Pallet;

/// Version 0 to 1: prescriptions. Every change is additive (`Prescriptions`, `FillLog` and
/// `FillCount` are new; `AnchorRequest` gained a field, but it is a call argument, never
/// stored), so no stored value is translated and only the version moves.
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
