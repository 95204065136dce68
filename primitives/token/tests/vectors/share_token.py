# Independent computation of the share-token test vectors in tests/token.rs (Python + pyca/cryptography).
import base64, hashlib, struct
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization
def vec(secret):
    token = "VIC_" + base64.urlsafe_b64encode(secret).decode().rstrip("=")
    seed = hashlib.sha256(b"medchain/share/v1" + token.encode()).digest()
    sk = Ed25519PrivateKey.from_private_bytes(seed)
    pk = sk.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return token, seed, sk, pk
for secret in [bytes(range(32)), bytes([0xff]*32)]:
    token, seed, sk, pk = vec(secret)
    print(token); print(seed.hex()); print(pk.hex())
token, seed, sk, pk = vec(bytes(range(32)))
# access request: genesis 0x11*32, grant 7, record 0x22*32, accessor 1, purpose Treatment(0), uses 2, valid_until 1000
msg = b"<Bytes>" + b"medchain/access-request/v1" + b"\x11"*32 + struct.pack("<Q",7) + b"\x22"*32 + struct.pack("<I",1) + bytes([0]) + struct.pack("<I",2) + struct.pack("<I",1000) + b"</Bytes>"
print(msg.hex()); print(sk.sign(msg).hex())
