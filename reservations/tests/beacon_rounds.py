"""A drand-like chain of the tests' own: its rounds signed here with a key of ours, checked by
the same code as quicknet's (waiting_room/beacon.py), since a real round after a test's on-sale
is not out yet."""

import hashlib
from datetime import datetime

from reservations.waiting_room import beacon

curve = beacon.bls12_381()  # not py_ecc's own import: it would raise the recursion limit

SECRET = 0x5EED_CAFE_F00D_1234
_DST = b"BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_"


def _hex_g2(point) -> str:
    high, low = curve.compress_G2(point)
    return high.to_bytes(48, "big").hex() + low.to_bytes(48, "big").hex()


def own_chain(round_one_at: datetime, period: int = 3) -> beacon.Chain:
    """A chain whose round 1 comes out at `round_one_at`, signed with SECRET."""
    return beacon.Chain(
        _hex_g2(curve.multiply(curve.G2, SECRET)), int(round_one_at.timestamp()), period
    )


def signature(round_number: int) -> str:
    message = hashlib.sha256(round_number.to_bytes(8, "big")).digest()
    point = curve.multiply(curve.hash_to_G1(message, _DST, hashlib.sha256), SECRET)
    return curve.compress_G1(point).to_bytes(48, "big").hex()


def plus_small_order(signature_hex: str) -> str:
    """`signature_hex` plus a point of order 3: on the curve, outside the signature group, and
    invisible to the pairing (its final exponentiation sends it to 1)."""
    from py_ecc.fields import optimized_bls12_381_FQ as FQ
    from py_ecc.optimized_bls12_381 import add, curve_order, field_modulus, is_inf

    cofactor = 0x396C8C005555E1568C00AAAB0000AAAB  # of G1; a multiple of 3
    x = 0
    while True:
        x += 1
        y = pow((x**3 + 4) % field_modulus, (field_modulus + 1) // 4, field_modulus)
        if y * y % field_modulus != (x**3 + 4) % field_modulus:
            continue
        small = curve.multiply((FQ(x), FQ(y), FQ(1)), curve_order * cofactor // 3)
        if not is_inf(small):
            break
    moved = add(curve.decompress_G1(int(signature_hex, 16)), small)
    return curve.compress_G1(moved).to_bytes(48, "big").hex()
