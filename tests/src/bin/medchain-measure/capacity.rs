//! capacity: how much one block can carry, from the runtime's benchmarked weights,
//! its block weight and length limits, its per-account extrinsic limit and its block time.
//!
//! Every number comes from the runtime crate itself (the `SubstrateWeight` functions the
//! runtime is configured with, `RuntimeBlockWeights`, `RuntimeBlockLength`,
//! `MaxExtrinsicsPerBlock`, `MILLI_SECS_PER_BLOCK`) and the encoded length of a real signed
//! extrinsic. `scripts/measure.sh capacity` runs it.

use codec::Encode;
use frame_support::{dispatch::DispatchClass, traits::Get, weights::Weight};

use medchain_primitives::{
	shares::{FieldSelection, GrantTerms, PurposeOfUse, TokenKey},
	RecordType,
};
use medchain_runtime::{
	configs::{MaxAnchorBatch, RuntimeBlockLength, RuntimeBlockWeights},
	Runtime, RuntimeCall, MILLI_SECS_PER_BLOCK,
};
use pallet_access_log::WeightInfo as _;
use pallet_records::WeightInfo as _;
use pallet_shares::WeightInfo as _;
use sp_runtime::{AccountId32, BoundedVec, MultiSignature};

type RecordsWeights = pallet_records::weights::SubstrateWeight<Runtime>;
type SharesWeights = pallet_shares::weights::SubstrateWeight<Runtime>;
type AccessWeights = pallet_access_log::weights::SubstrateWeight<Runtime>;

/// Signers the local network has (one operator per hospital).
const HOSPITALS: u64 = 4;

struct Operation {
	name: &'static str,
	/// Signed by hospital operators (limited per account per block), or by patients (each
	/// their own account).
	by_operators: bool,
	/// Records (or grants, or accesses) one extrinsic carries.
	items: u64,
	weight: Weight,
	call: RuntimeCall,
}

/// The encoded length of `call` as a signed, mortal extrinsic.
fn signed_length(call: RuntimeCall) -> u64 {
	let signer = AccountId32::new([1; 32]);
	let signature = MultiSignature::Sr25519(sp_core::sr25519::Signature::from_raw([0; 64]));
	let (era, _) = medchain_runtime::transaction::mortal_era(1_000_000);
	let unsigned = medchain_runtime::transaction::UnsignedTransaction::new(
		call,
		u32::MAX,
		era,
		Default::default(),
		Default::default(),
		(0, 0),
	);
	unsigned.signed(signer, signature).encoded_size() as u64
}

fn operations() -> Vec<Operation> {
	let patient = AccountId32::new([2; 32]);
	let anchor = pallet_records::AnchorRequest {
		request_id: [3; 32],
		patient: patient.clone(),
		record_type: RecordType::LabResult,
		field_root: [4; 32],
		ciphertext_digest: [5; 32],
		prescription: None,
	};
	let batch = MaxAnchorBatch::get();
	let terms = GrantTerms {
		records: BoundedVec::truncate_from(vec![[6; 32]]),
		fields: FieldSelection::AllButNotes,
		grantee: Some(1),
		duration: 1200,
		max_uses: Some(3),
		purpose: PurposeOfUse::Treatment,
		token_key: TokenKey::from_raw([7; 32]),
	};
	vec![
		Operation {
			name: "anchor (one per extrinsic)",
			by_operators: true,
			items: 1,
			weight: RecordsWeights::anchor(),
			call: RuntimeCall::Records(pallet_records::Call::anchor {
				request_id: anchor.request_id,
				patient: anchor.patient.clone(),
				record_type: anchor.record_type,
				field_root: anchor.field_root,
				ciphertext_digest: anchor.ciphertext_digest,
			}),
		},
		Operation {
			name: "anchor_batch (256 per extrinsic)",
			by_operators: true,
			items: u64::from(batch),
			weight: RecordsWeights::anchor_batch(batch),
			call: RuntimeCall::Records(pallet_records::Call::anchor_batch {
				items: BoundedVec::truncate_from(vec![anchor; batch as usize]),
			}),
		},
		Operation {
			name: "create_grant (patient, one record)",
			by_operators: false,
			items: 1,
			weight: SharesWeights::create_grant(1),
			call: RuntimeCall::Shares(pallet_shares::Call::create_grant { terms: terms.clone() }),
		},
		Operation {
			name: "create_grant_for (custodian, one record)",
			by_operators: true,
			items: 1,
			weight: SharesWeights::create_grant_for(1),
			call: RuntimeCall::Shares(pallet_shares::Call::create_grant_for {
				patient,
				terms,
				nonce: 0,
				deadline: 1000,
				signature: MultiSignature::Sr25519(sp_core::sr25519::Signature::from_raw([0; 64])),
			}),
		},
		Operation {
			name: "access",
			by_operators: true,
			items: 1,
			weight: AccessWeights::access(),
			call: RuntimeCall::AccessLog(pallet_access_log::Call::access {
				grant: 0,
				record: [6; 32],
				purpose: PurposeOfUse::Treatment,
				uses: 0,
				valid_until: 1000,
				signature: sp_core::ed25519::Signature::from_raw([0; 64]),
			}),
		},
	]
}

/// The normal-class limits every extrinsic of a block shares.
struct BlockLimits {
	max_total: Weight,
	max_extrinsic: Weight,
	base_extrinsic: Weight,
	max_length: u64,
	per_account: u64,
}

fn block_limits() -> BlockLimits {
	let weights = RuntimeBlockWeights::get();
	let normal = weights.get(DispatchClass::Normal);
	let max_total = normal.max_total.unwrap_or(weights.max_block);
	BlockLimits {
		max_total,
		max_extrinsic: normal.max_extrinsic.unwrap_or(max_total),
		base_extrinsic: normal.base_extrinsic,
		max_length: u64::from(*RuntimeBlockLength::get().max.get(DispatchClass::Normal)),
		per_account: u64::from(
			<<Runtime as pallet_hospitals::Config>::MaxExtrinsicsPerBlock as Get<u32>>::get(),
		),
	}
}

/// What one block carries of an operation.
struct PerBlock {
	length: u64,
	by_weight: u64,
	by_length: u64,
	items: u64,
	binding: &'static str,
}

fn per_block(operation: Operation, limits: &BlockLimits) -> PerBlock {
	let length = signed_length(operation.call);
	let cost = operation.weight.saturating_add(limits.base_extrinsic);
	let by_weight = limits.max_total.ref_time() / cost.ref_time().max(1);
	let by_length = limits.max_length / length.max(1);
	let fits_one = operation.weight.all_lte(limits.max_extrinsic);
	// Each hospital signs with one operator account, limited per block; patients each
	// sign with their own.
	let by_accounts = if operation.by_operators {
		limits.per_account.saturating_mul(HOSPITALS)
	} else {
		u64::MAX
	};
	let (extrinsics, binding) = [
		(by_weight, "weight"),
		(by_length, "length"),
		(by_accounts, "per-account limit × 4 operators"),
	]
	.into_iter()
	.min_by_key(|(count, _)| *count)
	.unwrap_or((0, "none"));
	let (extrinsics, binding) =
		if fits_one { (extrinsics, binding) } else { (0, "over the per-extrinsic maximum") };
	PerBlock {
		length,
		by_weight,
		by_length,
		items: extrinsics.saturating_mul(operation.items),
		binding,
	}
}

/// Anchors one block carries in full `anchor_batch` extrinsics, and the limit that binds.
pub fn anchors_per_block() -> (u64, &'static str) {
	let limits = block_limits();
	operations()
		.into_iter()
		.find(|operation| operation.name.starts_with("anchor_batch"))
		.map(|operation| {
			let carried = per_block(operation, &limits);
			(carried.items, carried.binding)
		})
		.unwrap_or((0, "none"))
}

/// Prints the table.
pub fn run() {
	let limits = block_limits();
	let block_seconds = MILLI_SECS_PER_BLOCK as f64 / 1000.0;

	println!("# medchain block capacity");
	println!();
	println!(
		"Normal-class budget per block: {:.1} ms of compute (max per extrinsic {:.1} ms), \
		 {} bytes; base cost per extrinsic {:.1} µs; at most {} extrinsics per \
		 signing account per block; one block every {block_seconds} s; {HOSPITALS} operator \
		 accounts on the local network.",
		limits.max_total.ref_time() as f64 / 1e9,
		limits.max_extrinsic.ref_time() as f64 / 1e9,
		limits.max_length,
		limits.base_extrinsic.ref_time() as f64 / 1e6,
		limits.per_account,
	);
	println!();
	println!(
		"| operation | weight per extrinsic | bytes | extrinsics by weight | by length | \
		 items per block | binding limit | items per second |"
	);
	println!("|---|---|---|---|---|---|---|---|");
	for operation in operations() {
		let (name, weight) = (operation.name, operation.weight);
		let carried = per_block(operation, &limits);
		println!(
			"| {name} | {:.1} µs | {} | {} | {} | {} | {} | {:.0} |",
			weight.ref_time() as f64 / 1e6,
			carried.length,
			carried.by_weight,
			carried.by_length,
			carried.items,
			carried.binding,
			carried.items as f64 / block_seconds,
		);
	}
}
