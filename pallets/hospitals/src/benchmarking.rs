//! Benchmarks for `pallet_hospitals` (frame-benchmarking v2).

use alloc::vec::Vec;
use codec::Decode;
use frame_benchmarking::v2::*;
use frame_support::{traits::Get, BoundedVec};
use frame_system::RawOrigin;
use medchain_primitives::{
	peer::{peer_id_of_ed25519_key, NodeKey},
	HospitalRole,
};
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
	Pallet::<T>::mark_active(id);
	keep_below_next_id::<T>(id);
	(admin, operator)
}

/// Inserts active pharmacy `id` (with no nodes) and returns its admin and operator accounts.
pub fn active_pharmacy<T: Config>(id: u32) -> (T::AccountId, T::AccountId) {
	let admin: T::AccountId = account("pharmacy-admin", id, 0);
	let operator: T::AccountId = account("pharmacy-operator", id, 0);
	Pharmacies::<T>::insert(
		id,
		Pharmacy {
			name: Default::default(),
			admin: admin.clone(),
			operator: operator.clone(),
			nodes: Default::default(),
			status: HospitalStatus::Active,
			joined: 0u32.into(),
		},
	);
	AccountRoles::<T>::insert(&admin, (id, HospitalRole::Admin));
	AccountRoles::<T>::insert(&operator, (id, HospitalRole::Operator));
	Pallet::<T>::mark_pharmacy_active(id);
	keep_below_next_id::<T>(id);
	(admin, operator)
}

/// Raises `NextHospitalId` above `id`, never lowering it: the benchmark hospital and pharmacy
/// may be inserted in either order.
fn keep_below_next_id<T: Config>(id: u32) {
	NextHospitalId::<T>::mutate(|next| *next = (*next).max(id.saturating_add(1)));
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

/// Key type of benchmark node keys in the bencher's keystore.
const NODE_KEY_TYPE: sp_runtime::KeyTypeId = sp_runtime::KeyTypeId(*b"mcbn");

/// A new hospital with freshly generated keys, the longest name and the most nodes (real
/// ed25519 peer ids, whose node keys are returned in node order).
fn largest_new_hospital<T: Config>() -> (NewHospital<T>, Vec<NodeKey>) {
	let text = |length: u32| alloc::vec![b'x'; usize::try_from(length).unwrap_or(0)];
	let keys: Vec<NodeKey> = (0..T::MaxNodesPerHospital::get())
		.map(|_| sp_io::crypto::ed25519_generate(NODE_KEY_TYPE, None))
		.collect();
	let nodes: Vec<HospitalNode<T>> = keys
		.iter()
		.map(|key| HospitalNode {
			peer_id: BoundedVec::truncate_from(peer_id_of_ed25519_key(key).into_bytes()),
			address: BoundedVec::truncate_from(text(T::MaxAddressLength::get())),
		})
		.collect();
	let hospital = NewHospital {
		name: BoundedVec::truncate_from(text(T::MaxNameLength::get())),
		admin: account("new-admin", 0, 0),
		operator: account("new-operator", 0, 0),
		aura: T::AuraId::generate_pair(None),
		grandpa: T::GrandpaId::generate_pair(None),
		nodes: BoundedVec::truncate_from(nodes),
	};
	(hospital, keys)
}

/// A new pharmacy with the longest name and the most nodes (real ed25519 peer ids, whose node
/// keys are returned in node order).
fn largest_new_pharmacy<T: Config>() -> (NewPharmacy<T>, Vec<NodeKey>) {
	let (hospital, keys) = largest_new_hospital::<T>();
	let pharmacy = NewPharmacy {
		name: hospital.name,
		admin: account("new-pharmacy-admin", 0, 0),
		operator: account("new-pharmacy-operator", 0, 0),
		nodes: hospital.nodes,
	};
	(pharmacy, keys)
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
			let now = frame_system::Pallet::<T>::block_number();
			let count = Pallet::<T>::extrinsics_this_block(&patient).saturating_add(1);
			ExtrinsicCount::<T>::insert(&patient, (now, count));
			if let Some(Signer::Patient { hospital }) = signer {
				let together = Pallet::<T>::patient_extrinsics_this_block(hospital);
				PatientExtrinsicCount::<T>::insert(hospital, (now, together.saturating_add(1)));
			}
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
		let (hospital, node_keys) = largest_new_hospital::<T>();
		let genesis_hash = medchain_pallet_support::chain::genesis_hash::<T>();
		let message = governance::admission_message::<T>(&genesis_hash, &hospital);
		let mut aura = hospital.aura.clone();
		let mut grandpa = hospital.grandpa.clone();
		let aura_proof = aura.generate_proof_of_possession(&message).expect("key was generated");
		let grandpa_proof =
			grandpa.generate_proof_of_possession(&message).expect("key was generated");
		let node_message = governance::node_admission_message::<T>(&genesis_hash, &hospital);
		let node_proofs: Vec<_> = node_keys
			.iter()
			.filter_map(|key| sp_io::crypto::ed25519_sign(NODE_KEY_TYPE, key, &node_message))
			.collect();

		#[extrinsic_call]
		_(
			RawOrigin::Signed(proposer),
			hospital,
			aura_proof,
			grandpa_proof,
			BoundedVec::truncate_from(node_proofs),
		);

		assert!(Proposals::<T>::get(0).is_some());
	}

	/// Admission with every node's signature verified, proposed by a pharmacy's admin where
	/// pharmacies vote on admissions (the proposer is looked up in both maps, and the voting
	/// flag and the pharmacies' count are read); it waits for votes.
	#[benchmark]
	fn propose_pharmacy() {
		PharmaciesVoteOnAdmissions::<T>::put(true);
		let _hospitals = consortium::<T>(0);
		let (proposer, _) = active_pharmacy::<T>(NextHospitalId::<T>::get());
		let (pharmacy, node_keys) = largest_new_pharmacy::<T>();
		let genesis_hash = medchain_pallet_support::chain::genesis_hash::<T>();
		let message = governance::pharmacy_admission_message::<T>(&genesis_hash, &pharmacy);
		let node_proofs: Vec<_> = node_keys
			.iter()
			.filter_map(|key| sp_io::crypto::ed25519_sign(NODE_KEY_TYPE, key, &message))
			.collect();

		#[extrinsic_call]
		_(RawOrigin::Signed(proposer), pharmacy, BoundedVec::truncate_from(node_proofs));

		assert!(Proposals::<T>::get(0).is_some());
	}

	/// The approval that reaches the threshold and executes the heaviest proposal: admitting a
	/// hospital with the most nodes (every account, key and peer id written).
	#[benchmark]
	fn vote() -> Result<(), BenchmarkError> {
		let members = consortium::<T>(1);
		let proposal = Proposal::AddHospital(largest_new_hospital::<T>().0);
		Pallet::<T>::do_propose(members[0].0, proposal)?;
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
	fn rotate_operator() {
		let members = consortium::<T>(0);
		let (hospital, admin) = members[0].clone();
		let new_operator: T::AccountId = account("rotated-operator", 0, 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(admin), new_operator.clone());

		assert_eq!(Hospitals::<T>::get(hospital).map(|h| h.operator), Some(new_operator));
	}

	#[benchmark]
	fn rotate_session_keys() {
		let members = consortium::<T>(0);
		let (hospital, admin) = members[0].clone();
		let genesis_hash = medchain_pallet_support::chain::genesis_hash::<T>();
		let message = rotation::key_rotation_message::<T>(&genesis_hash, hospital);
		let mut aura = T::AuraId::generate_pair(None);
		let mut grandpa = T::GrandpaId::generate_pair(None);
		let aura_proof = aura.generate_proof_of_possession(&message).expect("key was generated");
		let grandpa_proof =
			grandpa.generate_proof_of_possession(&message).expect("key was generated");

		#[extrinsic_call]
		_(RawOrigin::Signed(admin), aura.clone(), grandpa, aura_proof, grandpa_proof);

		assert_eq!(AuraKeyOwner::<T>::get(&aura), Some(hospital));
	}

	/// The most nodes, each with its node key's signature.
	#[benchmark]
	fn rotate_nodes() {
		let members = consortium::<T>(0);
		let (hospital, admin) = members[0].clone();
		let (new, node_keys) = largest_new_hospital::<T>();
		let genesis_hash = medchain_pallet_support::chain::genesis_hash::<T>();
		let message = rotation::node_rotation_message::<T>(&genesis_hash, hospital, &new.nodes);
		let proofs: Vec<_> = node_keys
			.iter()
			.filter_map(|key| sp_io::crypto::ed25519_sign(NODE_KEY_TYPE, key, &message))
			.collect();

		#[extrinsic_call]
		_(RawOrigin::Signed(admin), new.nodes.clone(), BoundedVec::truncate_from(proofs));

		assert_eq!(Hospitals::<T>::get(hospital).map(|h| h.nodes), Some(new.nodes));
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
		crate::mock::new_test_ext_with(alloc::vec::Vec::new()).unchecked(),
		crate::mock::Test
	);
}
