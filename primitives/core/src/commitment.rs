//! Field-level commitments to a medical record, with single-field proofs.
//!
//! A record of type `T` with fields `0..n` (`n = T::field_count()`) commits to `n` leaves:
//!
//! ```text
//! leaf_i = SHA-256(LEAF_DOMAIN ‖ record id ‖ i (one byte) ‖ salt_i ‖ SCALE(value_i))
//! ```
//!
//! where `value_i` is an `Option<Vec<u8>>`: an absent field is `None`, so every record of a
//! type has the same number of leaves and, with its own random salt, an absent field's leaf
//! looks like any other. The anchor holds the binary Merkle root of the leaves
//! (`binary-merkle-tree`, SHA-256 inner nodes); a disclosed field travels with its salt, value
//! and a single-leaf proof. Leaf preimages are longer than 64 bytes, so a leaf can't pose as an
//! inner node.
//!
//! This code runs in the runtime (`verify_field`), in the node, in tests and in clients.

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode};
use scale_info::TypeInfo;
use sha2::{Digest, Sha256};

use crate::fields::{FieldMask, RecordType};

/// Domain separation for field leaves; a new commitment scheme gets a new tag.
pub const LEAF_DOMAIN: &[u8] = b"medchain/record-field/v1";

/// A 32-byte hash: leaves, roots, record ids.
pub type Hash256 = [u8; 32];

/// A record's id (the runtime derives it from the custodian and its request id).
pub type RecordId = Hash256;

/// Domain tag of a new record's id ([`record_id`]).
pub const RECORD_ID_DOMAIN: &[u8] = b"medchain/record-id/v1";

/// The id of the record `custodian` anchors with `request_id`: what the runtime assigns, so a
/// custodian (or its node) knows the id, and commits to it, before anchoring.
pub fn record_id(custodian: crate::HospitalId, request_id: &Hash256) -> RecordId {
	use sp_runtime::traits::{BlakeTwo256, Hash};
	BlakeTwo256::hash(&(RECORD_ID_DOMAIN, custodian, request_id).encode()).0
}

/// A field's random salt.
pub type Salt = [u8; 32];

/// A field's value: `None` when the record does not have it.
pub type FieldValue = Option<Vec<u8>>;

/// SHA-256 as `binary-merkle-tree` wants its hasher.
pub struct Sha256Hasher;

impl hash_db::Hasher for Sha256Hasher {
	type Out = Hash256;
	type StdHasher = hash256_std_hasher::Hash256StdHasher;
	const LENGTH: usize = 32;

	fn hash(data: &[u8]) -> Hash256 {
		Sha256::digest(data).into()
	}
}

/// Why a record's fields can't be committed to or disclosed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommitmentError {
	/// `values` or `salts` does not have exactly one entry per field of the type.
	WrongFieldCount {
		/// The type's field count.
		expected: u32,
		/// How many values were given.
		values: usize,
		/// How many salts were given.
		salts: usize,
	},
	/// The mask names a field the type does not have.
	MaskOutsideType,
}

/// The leaf of field `index`.
pub fn leaf_hash(record_id: &RecordId, index: u8, salt: &Salt, value: &FieldValue) -> Hash256 {
	let mut hasher = Sha256::new();
	hasher.update(LEAF_DOMAIN);
	hasher.update(record_id);
	hasher.update([index]);
	hasher.update(salt);
	value.encode_to(&mut HashInput(&mut hasher));
	hasher.finalize().into()
}

/// Hashes a SCALE encoding as it is written, without a buffer for it.
struct HashInput<'a>(&'a mut Sha256);

impl codec::Output for HashInput<'_> {
	fn write(&mut self, bytes: &[u8]) {
		self.0.update(bytes);
	}
}

/// A record's fields as committed: one value and one salt per field of its type, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommittedRecord {
	/// The record's type.
	pub record_type: RecordType,
	/// The field values, in the type's field order.
	pub values: Vec<FieldValue>,
	/// The field salts, in the same order.
	pub salts: Vec<Salt>,
}

impl CommittedRecord {
	/// Checks that there is exactly one value and one salt per field of `record_type`.
	pub fn new(
		record_type: RecordType,
		values: Vec<FieldValue>,
		salts: Vec<Salt>,
	) -> Result<Self, CommitmentError> {
		let expected = record_type.field_count();
		let fits = |len: usize| u32::try_from(len).is_ok_and(|len| len == expected);
		if !fits(values.len()) || !fits(salts.len()) {
			return Err(CommitmentError::WrongFieldCount {
				expected,
				values: values.len(),
				salts: salts.len(),
			});
		}
		Ok(Self { record_type, values, salts })
	}

	/// With a fresh random salt per field (clients; needs `std`).
	#[cfg(feature = "std")]
	pub fn with_random_salts(
		record_type: RecordType,
		values: Vec<FieldValue>,
	) -> Result<Self, CommitmentError> {
		use rand::RngCore;
		let salts = values
			.iter()
			.map(|_| {
				let mut salt = [0u8; 32];
				rand::rngs::OsRng.fill_bytes(&mut salt);
				salt
			})
			.collect();
		Self::new(record_type, values, salts)
	}

	/// The field leaves of the record `record_id`, in field order.
	pub fn leaves(&self, record_id: &RecordId) -> Vec<Hash256> {
		(0u8..)
			.zip(self.values.iter().zip(&self.salts))
			.map(|(index, (value, salt))| leaf_hash(record_id, index, salt, value))
			.collect()
	}

	/// The field root an anchor holds.
	pub fn root(&self, record_id: &RecordId) -> Hash256 {
		binary_merkle_tree::merkle_root_raw::<Sha256Hasher, _>(self.leaves(record_id))
	}

	/// The fields in `mask`, each with its salt, value and single-leaf proof.
	pub fn disclose(
		&self,
		record_id: &RecordId,
		mask: FieldMask,
	) -> Result<Vec<DisclosedField>, CommitmentError> {
		if !mask.fits(self.record_type) {
			return Err(CommitmentError::MaskOutsideType);
		}
		let leaves = self.leaves(record_id);
		Ok(mask
			.indices()
			.filter_map(|index| {
				let position = usize::from(index);
				let proof = binary_merkle_tree::merkle_proof_raw::<Sha256Hasher, _>(
					leaves.clone(),
					u32::from(index),
				);
				Some(DisclosedField {
					index,
					salt: *self.salts.get(position)?,
					value: self.values.get(position)?.clone(),
					proof: proof.proof,
				})
			})
			.collect())
	}
}

/// One disclosed field: what a verifier needs to check it against a record's root.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct DisclosedField {
	/// The field's index in its record type.
	pub index: u8,
	/// The field's salt.
	pub salt: Salt,
	/// The field's value (`None` if the record does not have it).
	pub value: FieldValue,
	/// Sibling hashes from the leaf up to (not including) the root.
	pub proof: Vec<Hash256>,
}

/// Whether `field` is field `field.index` of the record `record_id` of type `record_type` whose
/// root is `root`.
pub fn verify_field(
	root: &Hash256,
	record_id: &RecordId,
	record_type: RecordType,
	field: &DisclosedField,
) -> bool {
	let leaves = record_type.field_count();
	if u32::from(field.index) >= leaves {
		return false;
	}
	let leaf = leaf_hash(record_id, field.index, &field.salt, &field.value);
	binary_merkle_tree::verify_proof::<Sha256Hasher, _, _>(
		root,
		field.proof.iter().copied(),
		leaves,
		u32::from(field.index),
		binary_merkle_tree::Leaf::Hash(leaf),
	)
}
