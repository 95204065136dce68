//! Benchmarks for `pallet_hospitals` (frame-benchmarking v2).

use alloc::vec::Vec;
use codec::Decode;
use frame_benchmarking::v2::*;
use frame_support::traits::Get;
use frame_system::RawOrigin;
use medchain_primitives::HospitalRole;
use sp_runtime::{traits::TrailingZeroInput, RuntimeAppPublic};

use crate::*;

/// Inserts active hospital `id` (validator keys are placeholders) and returns its admin and
/// operator accounts.
pub fn active_hospital<T: Config>(id: u32) -> (T::AccountId, T::AccountId) {
	let admin: T::AccountId = account("admin", id, 0);
	let operator: T::AccountId = account("operator", id, 0);
	let aura = T::AuraId::decode(&mut TrailingZeroInput::zeroes()).expect("infinite input");
	let grandpa = T::GrandpaId::decode(&mut TrailingZeroInput::zeroes()).expect("infinite input");
	Hospitals::<T>::insert(
		id,
		Hospital {
			name: Default::default(),
			admin: admin.clone(),
			operator: operator.clone(),
			aura,
			grandpa,
			nodes: Default::default(),
			status: HospitalStatus::Active,
			joined: 0u32.into(),
		},
	);
	AccountRoles::<T>::insert(&admin, (id, HospitalRole::Admin));
	AccountRoles::<T>::insert(&operator, (id, HospitalRole::Operator));
	ActiveHospitalCount::<T>::mutate(|n| *n = n.saturating_add(1));
	NextHospitalId::<T>::put(id.saturating_add(1));
	(admin, operator)
}

/// A new active hospital's operator account.
fn active_hospital_operator<T: Config>() -> T::AccountId {
	active_hospital::<T>(NextHospitalId::<T>::get()).1
}

/// Fills the registry with new active hospitals up to `MaxHospitals - free`, so tallies read
/// the most approvals. Returns their ids and admins; hospitals already registered (the
/// genesis founders) stay untouched.
fn consortium<T: Config>(free: u32) -> Vec<(u32, T::AccountId)> {
	let first = NextHospitalId::<T>::get();
	let end = T::MaxHospitals::get().saturating_sub(free);
	(first..end).map(|id| (id, active_hospital::<T>(id).0)).collect()
}

fn signed<T: Config>(who: &T::AccountId) -> frame_system::pallet_prelude::OriginFor<T> {
	RawOrigin::Signed(who.clone()).into()
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register_patient() {
		let operator = active_hospital_operator::<T>();
		let patient: T::AccountId = account("patient", 0, 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(operator), patient.clone());

		assert!(Patients::<T>::get(&patient).is_some_and(|p| p.active));
	}

	#[benchmark]
	fn deregister_patient() -> Result<(), BenchmarkError> {
		let operator = active_hospital_operator::<T>();
		let patient: T::AccountId = account("patient", 0, 0);
		Pallet::<T>::register_patient(RawOrigin::Signed(operator.clone()).into(), patient.clone())?;

		#[extrinsic_call]
		_(RawOrigin::Signed(operator), patient.clone());

		assert!(Patients::<T>::get(&patient).is_some_and(|p| !p.active));
		Ok(())
	}

	/// The storage work of `CheckPermission` in its worst case: a patient signer, found after
	/// the hospital-role lookup misses, whose extrinsic count is read and written.
	#[benchmark]
	fn check_permission() -> Result<(), BenchmarkError> {
		let operator = active_hospital_operator::<T>();
		let patient: T::AccountId = account("patient", 0, 0);
		Pallet::<T>::register_patient(RawOrigin::Signed(operator).into(), patient.clone())?;

		#[block]
		{
			let signer = Pallet::<T>::signer(&patient);
			let count = Pallet::<T>::extrinsics_this_block(&patient).saturating_add(1);
			ExtrinsicCount::<T>::insert(
				&patient,
				(frame_system::Pallet::<T>::block_number(), count),
			);
			assert!(signer.is_some());
		}

		Ok(())
	}

	/// A proposal that does not yet execute.
	#[benchmark]
	fn propose() {
		let members = consortium::<T>(0);
		let (target, _) = members[members.len() - 1];

		#[extrinsic_call]
		_(RawOrigin::Signed(members[0].1.clone()), Proposal::Suspend { hospital: target });

		assert!(Proposals::<T>::get(0).is_some());
	}

	/// Admission with both key proofs verified; it waits for votes.
	#[benchmark]
	fn propose_hospital() {
		// Leave room for the hospital being proposed.
		let members = consortium::<T>(1);
		let proposer = members[0].1.clone();
		let admin: T::AccountId = account("new-admin", 0, 0);
		let owner = governance::key_ownership_message::<T>(&admin);
		let mut aura = T::AuraId::generate_pair(None);
		let mut grandpa = T::GrandpaId::generate_pair(None);
		let aura_proof = aura.generate_proof_of_possession(&owner).expect("key was generated");
		let grandpa_proof =
			grandpa.generate_proof_of_possession(&owner).expect("key was generated");
		let hospital = NewHospital {
			name: Default::default(),
			admin,
			operator: account("new-operator", 0, 0),
			aura,
			grandpa,
			nodes: Default::default(),
		};

		#[extrinsic_call]
		_(RawOrigin::Signed(proposer), hospital, aura_proof, grandpa_proof);

		assert!(Proposals::<T>::get(0).is_some());
	}

	/// The approval that reaches the threshold and executes a suspension.
	#[benchmark]
	fn vote() -> Result<(), BenchmarkError> {
		let members = consortium::<T>(0);
		let (target, _) = members[members.len() - 1];
		Pallet::<T>::propose(signed::<T>(&members[0].1), Proposal::Suspend { hospital: target })?;
		let info = Proposals::<T>::get(0).ok_or(BenchmarkError::Stop("no proposal"))?;
		let (_, needed) = Pallet::<T>::tally(&info);
		let last = usize::try_from(needed).unwrap_or(1).saturating_sub(1);
		for (_, admin) in &members[1..last] {
			Pallet::<T>::vote(signed::<T>(admin), 0)?;
		}

		#[extrinsic_call]
		_(RawOrigin::Signed(members[last].1.clone()), 0);

		assert!(Proposals::<T>::get(0).is_none());
		Ok(())
	}

	#[benchmark]
	fn close() -> Result<(), BenchmarkError> {
		let members = consortium::<T>(0);
		let (target, _) = members[members.len() - 1];
		Pallet::<T>::propose(signed::<T>(&members[0].1), Proposal::Suspend { hospital: target })?;
		let lifetime = ProposalLifetime::<T>::get();
		let now = frame_system::Pallet::<T>::block_number();
		frame_system::Pallet::<T>::set_block_number(now + lifetime + 1u32.into());

		#[extrinsic_call]
		_(RawOrigin::Signed(members[1].1.clone()), 0);

		assert!(Proposals::<T>::get(0).is_none());
		Ok(())
	}

	// Benchmarks build their own consortium, so they start from an empty registry.
	impl_benchmark_test_suite!(
		Pallet,
		crate::mock::new_test_ext_with(alloc::vec::Vec::new()),
		crate::mock::Test
	);
}
