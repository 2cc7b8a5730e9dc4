"""The public randomness a draw may wait for: a round of drand's quicknet, the League of
Entropy's beacon (https://drand.love), checked, never taken on the organiser's word.

An organiser who wants a draw that not even the operator can steer names a round in advance,
`randomness_source = "drand quicknet round N"`, before the queue opens; the round must come out
at or after the on-sale, when the entrants are frozen, so nobody knows it while the list can
still change. Once the round is out, its signature (96 hex digits, from
`https://api.drand.sh/v2/beacons/quicknet/rounds/N`) is the room's `public_randomness`; it is
taken only if it is that round's: a BLS signature (on G1, RFC 9380 hashing) of the round's
number under the beacon's public key, written in its one form (lowercase, the point's own
compressed encoding, the point in the signature group), so one round has one accepted text.
The draw is keyed by drand's own randomness for the round, the signature's sha256 (draw.py).

The check is py-ecc's pairing (~1 s of CPU, once per room); `python -m
reservations.waiting_room.verify` runs the same check when py-ecc is installed.
"""

import hashlib
import re
import sys
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import NamedTuple

from .draw import SIGNATURE

_SOURCE = re.compile(r"drand quicknet round (\d{1,12})")
_DST = b"BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_"


class Chain(NamedTuple):
    """A drand chain of the bls-unchained-g1-rfc9380 scheme."""

    public_key: str  # hex, a compressed G2 point
    genesis: int  # Unix time of round 1
    period: int  # seconds between rounds


# https://api.drand.sh/v2/beacons/quicknet/info (read when checking: a test sets a chain of its own)
QUICKNET = Chain(
    "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776"
    "a2d1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76"
    "eae8991ef5ece45a",
    1692803367,
    3,
)


def bls12_381() -> SimpleNamespace:
    """py-ecc's BLS12-381 functions, imported without its side effect: on import it raises the
    process's recursion limit to 100,000, which turns a RecursionError (a deeply nested JSON
    body, answered 400) into a crash of the C stack. Its pairing needs no such depth."""
    limit = sys.getrecursionlimit()
    try:
        from py_ecc import optimized_bls12_381
        from py_ecc.bls import hash_to_curve, point_compression
        from py_ecc.bls.g2_primitives import subgroup_check
    finally:
        sys.setrecursionlimit(limit)
    return SimpleNamespace(
        G2=optimized_bls12_381.G2,
        multiply=optimized_bls12_381.multiply,
        pairing=optimized_bls12_381.pairing,
        hash_to_G1=hash_to_curve.hash_to_G1,
        compress_G1=point_compression.compress_G1,
        compress_G2=point_compression.compress_G2,
        decompress_G1=point_compression.decompress_G1,
        decompress_G2=point_compression.decompress_G2,
        subgroup_check=subgroup_check,
    )


def named_round(source: str) -> int | None:
    """The round a source names, or None when it names none in the one form understood."""
    match = _SOURCE.fullmatch(source.strip())
    return int(match[1]) if match else None


def round_time(round_number: int) -> datetime:
    return datetime.fromtimestamp(QUICKNET.genesis + (round_number - 1) * QUICKNET.period, UTC)


def source_problem(source: str, on_sale_at: datetime) -> str | None:
    """What is wrong with naming `source` for a draw at `on_sale_at`, if anything."""
    if not source:
        return None
    round_number = named_round(source)
    if round_number is None or round_number < 1:
        return 'Name a drand round as "drand quicknet round N", or leave it empty.'
    if (out := round_time(round_number)) < on_sale_at:
        return (
            f"Round {round_number} comes out at {out:%Y-%m-%d %H:%M:%S} UTC, before the "
            "on-sale: name one that comes out at or after it."
        )
    return None


def signature_problem(source: str, signature: str) -> str | None:
    """Whether `signature` is the round's that `source` names (None: it is). Only its one form is
    taken: the pairing alone also passes it in capitals, spaced, or plus a point of small order."""
    round_number = named_round(source)
    if round_number is None:
        return "The room names no drand round to check this against."
    if not SIGNATURE.fullmatch(signature):
        return "That is not a drand signature: 96 lowercase hexadecimal digits."
    curve = bls12_381()
    encoded = int(signature, 16)
    try:
        point = curve.decompress_G1(encoded)
    except ValueError:
        return "That is not a drand signature: not a point of its curve."
    if curve.compress_G1(point) != encoded or not curve.subgroup_check(point):
        return "That is not a drand signature: not a point of its signature group."
    key = bytes.fromhex(QUICKNET.public_key)
    public = curve.decompress_G2((int.from_bytes(key[:48], "big"), int.from_bytes(key[48:], "big")))
    message = hashlib.sha256(round_number.to_bytes(8, "big")).digest()
    hashed = curve.hash_to_G1(message, _DST, hashlib.sha256)
    if curve.pairing(curve.G2, point) != curve.pairing(public, hashed):
        return f"That is not the signature of drand quicknet round {round_number}."
    return None
