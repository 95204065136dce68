//! Benchmarks for `pallet_validator_set` (frame-benchmarking v2).

use frame_benchmarking::v2::*;
use frame_support::{
	ensure,
	traits::{Get, Hooks},
};
use frame_system::pallet_prelude::BlockNumberFor;

use crate::*;

#[benchmarks]
mod benchmarks {
	use super::*;

	/// A session boundary at which the registry's `v` validators replace the current set.
	#[benchmark]
	fn start_session(
		v: Linear<
			{ T::MinValidators::get() },
			{ <T as pallet_aura::Config>::MaxAuthorities::get() },
		>,
	) -> Result<(), BenchmarkError> {
		T::BenchmarkHelper::set_active_validators(v);
		pallet_aura::Authorities::<T>::kill();
		let boundary = SessionLength::<T>::get();
		frame_system::Pallet::<T>::set_block_number(boundary);

		#[block]
		{
			Pallet::<T>::on_initialize(boundary);
		}

		ensure!(Validators::<T>::decode_len() == Some(v as usize), "set applied");
		ensure!(pallet_grandpa::PendingChange::<T>::exists(), "change scheduled");
		Ok(())
	}

	/// A block within a session with nothing queued.
	#[benchmark]
	fn on_initialize_idle() {
		let now: BlockNumberFor<T> = 1u32.into();

		#[block]
		{
			Pallet::<T>::on_initialize(now);
		}

		assert!(!QueuedSet::<T>::exists());
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext().unchecked(), crate::mock::Test);
}
