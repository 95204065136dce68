//! How a transaction is built for signing: its extension (`crate::tx_extension`), its mortality,
//! and the payload its key signs. The node's custodian and the client library build theirs here.

use alloc::vec::Vec;
use codec::Encode;
use sp_runtime::generic::Era;

use crate::{
	AccountId, Address, BlockNumber, Hash, Nonce, RuntimeCall, Signature, SignedPayload,
	TxExtension, UncheckedExtrinsic,
};

/// How many blocks a transaction stays valid: every signer's transactions are mortal.
pub const MORTALITY: u64 = 64;

/// The era of a transaction signed while block `finalized` is the finalized head, and its birth
/// block: mortal from the finalized head, since a birth block on the best chain could be
/// reorganized away ("ancient birth block").
pub fn mortal_era(finalized: BlockNumber) -> (Era, BlockNumber) {
	let era = Era::mortal(MORTALITY, u64::from(finalized));
	let birth = BlockNumber::try_from(era.birth(u64::from(finalized))).unwrap_or(finalized);
	(era, birth)
}

/// A call ready to be signed: its extension, and the payload its signer signs.
pub struct UnsignedTransaction {
	call: RuntimeCall,
	extension: TxExtension,
	payload: SignedPayload,
}

impl UnsignedTransaction {
	/// `call` with `nonce`, valid in `era` from its birth block `birth_hash`, on the chain
	/// `genesis_hash` at runtime `(spec_version, transaction_version)`.
	pub fn new(
		call: RuntimeCall,
		nonce: Nonce,
		era: Era,
		birth_hash: Hash,
		genesis_hash: Hash,
		(spec_version, transaction_version): (u32, u32),
	) -> Self {
		let extension = crate::tx_extension(era, nonce);
		let implicit =
			((), spec_version, transaction_version, genesis_hash, birth_hash, (), (), (), ());
		let payload = SignedPayload::from_raw(call.clone(), extension.clone(), implicit);
		Self { call, extension, payload }
	}

	/// The bytes the signer's key signs: the payload, hashed if it is longer than 256 bytes.
	pub fn signing_bytes(&self) -> Vec<u8> {
		self.payload.using_encoded(|bytes| bytes.to_vec())
	}

	/// The transaction signed by `signer` with `signature` of [`Self::signing_bytes`].
	pub fn signed(self, signer: AccountId, signature: Signature) -> UncheckedExtrinsic {
		UncheckedExtrinsic::new_signed(self.call, Address::Id(signer), signature, self.extension)
	}
}
