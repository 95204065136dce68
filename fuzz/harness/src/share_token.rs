//! Share tokens and the access-request signature. The input is read twice: as token text, which
//! either parses to a token that prints exactly as it was read or is refused; and as a SCALE
//! `(secret, request, token key, signature)`, whose signature check must not panic, while the
//! token of `secret` must verify its own signature of the request and of no other request.

use codec::Decode;
use medchain_primitives::shares::{AccessRequest, TokenKey, TokenSignature};
use medchain_token::ShareToken;

/// Block numbers as the runtime's.
type Request = AccessRequest<medchain_runtime::BlockNumber>;

/// Runs both checks on `data`.
pub fn run(data: &[u8]) {
	if let Ok(text) = std::str::from_utf8(data) {
		if let Ok(token) = ShareToken::parse(text) {
			assert_eq!(token.as_str(), text, "a token reads back as another text");
		}
	}
	let Ok((secret, request, key, signature)) =
		<([u8; 32], Request, TokenKey, TokenSignature)>::decode(&mut &data[..])
	else {
		return;
	};
	let _ = request.is_signed_by(&key, &signature);
	let token = ShareToken::from_secret(&secret);
	let signed = token.sign(&request);
	assert!(request.is_signed_by(&token.public_key(), &signed), "a token's own signature fails");
	let other = Request { uses: request.uses.wrapping_add(1), ..request.clone() };
	assert!(
		!other.is_signed_by(&token.public_key(), &signed),
		"a signature verifies another request"
	);
	assert_eq!(ShareToken::parse(token.as_str()).ok(), Some(token), "a token's text reads back");
}
