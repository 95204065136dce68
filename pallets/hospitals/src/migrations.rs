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
	medchain_pallet_support::migrations::NoTranslation<T>,
	Pallet<T>,
	<T as frame_system::Config>::DbWeight,
>;
