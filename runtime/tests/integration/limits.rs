//! Limits that must agree across pallets.

use frame_support::traits::Get;

use medchain_runtime::Runtime;

#[test]
fn every_admissible_hospital_fits_in_the_aura_and_grandpa_sets() {
	let hospitals: u32 = <Runtime as pallet_hospitals::Config>::MaxHospitals::get();
	let aura: u32 = <Runtime as pallet_aura::Config>::MaxAuthorities::get();
	let grandpa: u32 = <Runtime as pallet_grandpa::Config>::MaxAuthorities::get();
	assert!(hospitals <= aura && hospitals <= grandpa, "{hospitals} > {aura} or {grandpa}");
}

#[test]
fn the_validator_minimum_is_the_registry_minimum() {
	let registry: u32 = <Runtime as pallet_hospitals::Config>::MinActiveHospitals::get();
	let validators: u32 = <Runtime as pallet_validator_set::Config>::MinValidators::get();
	assert_eq!(registry, validators);
}

#[test]
fn pruning_keeps_pace_with_the_fastest_grant_and_request_creation() {
	let hospitals: u32 = <Runtime as pallet_hospitals::Config>::MaxHospitals::get();
	let per_hospital: u32 =
		<Runtime as pallet_shares::Config>::MaxNewSharesPerHospitalPerBlock::get();
	let pruned: u32 = <Runtime as pallet_shares::Config>::MaxPrunedPerBlock::get();
	assert!(pruned >= hospitals * per_hospital, "{pruned} < {hospitals} x {per_hospital}");
}
