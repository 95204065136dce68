//! Pieces of storage migrations that several pallets share.

use core::marker::PhantomData;

use frame_support::traits::UncheckedOnRuntimeUpgrade;

/// A `VersionedMigration` step that translates nothing, for a version that only adds storage
/// (frame-support has no `UncheckedOnRuntimeUpgrade` for `()`).
pub struct NoTranslation<T>(PhantomData<T>);

impl<T: frame_system::Config> UncheckedOnRuntimeUpgrade for NoTranslation<T> {}
