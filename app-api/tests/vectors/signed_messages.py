# Independent computation of the signed-message vectors in app-api/tests/signed_messages.rs.
import struct
def compact(n):
    assert n < 64
    return bytes([n << 2])
wrap = lambda m: b"<Bytes>" + m + b"</Bytes>"
genesis, record, challenge = b"\x07"*32, b"\x22"*32, b"\x33"*32
read = wrap(compact(22) + b"medchain/get-record/v1" + genesis + record + challenge)
erase = wrap(compact(24) + b"medchain/erase-record/v1" + genesis + record + challenge)
patient, token_key = b"\x11"*32, b"\x44"*32
terms = (compact(1) + record            # records
    + b"\x01" + struct.pack("<I", 1 << 1)  # fields: Only(mask of icd10_code, field 1)
    + b"\x01" + struct.pack("<I", 2)       # grantee: Some(2)
    + struct.pack("<I", 2400)              # duration: 2 h at 3 s blocks
    + b"\x01" + struct.pack("<I", 3)       # max_uses: Some(3)
    + b"\x00"                              # purpose: Treatment
    + token_key)
consent = wrap(b"medchain/grant-consent/v1" + genesis + patient + terms + struct.pack("<Q", 0) + struct.pack("<I", 100))
for name, m in [("read", read), ("erase", erase), ("consent", consent)]:
    print(name, m.hex())
