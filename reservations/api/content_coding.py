"""Content-codings of a document that is encoded once and sent many times (api/map_document.py).

A body is compressed once with each coding the server offers, deterministically (gzip without
a timestamp, brotli at fixed settings), so every process that builds the same document sends
the same bytes under the same tag. A request gets the coding its Accept-Encoding takes, by its
q-values, br before gzip before identity where they tie.

ETags are strong and differ per coding: the identity body's tag is its content hash (as
layout/ has always sent it, so the tags clients hold still match), and each coded body's is that
hash with the coding appended (`"<hash>-br"`). A strong tag names one sequence of bytes, so one
tag for every coding would be wrong (RFC 9110 8.8.1), and caches and CDNs that store each coding
apart (Vary: Accept-Encoding) then revalidate each with its own tag. A weak tag shared by the
codings would do for If-None-Match too, but proxies and CDNs that compress themselves turn
strong tags weak and treat weak ones as they like; a strong tag per coding passes through them
as it is.
"""

import gzip
import hashlib
import zlib
from typing import NamedTuple

import brotli

IDENTITY = "identity"
# Offered in this order where the client's q-values tie.
CODINGS = ("br", "gzip", IDENTITY)
# Measured on the arena's map (929 KB): brotli 9 makes 130 KB in 70 ms; 11 makes 123 KB but
# takes 1.3 s, which the first buyers after a reprice would wait for. gzip 9 saves 1% over 6 at
# three times the time.
_BROTLI_QUALITY = 9
_GZIP_LEVEL = 6
# A body compressed per answer, not once per document (the live state changes ten times a second
# in an on-sale): brotli's fast settings. Measured on the arena's state (~120 KB): brotli 5 ~2 ms,
# 13 KB; gzip 6 ~2 ms.
_LIVE_BROTLI_QUALITY = 5


class Encoded(NamedTuple):
    """One document: its body in each coding, and each body's ETag."""

    bodies: dict[str, bytes]
    etags: dict[str, str]


def encode(body: bytes) -> Encoded:
    digest = hashlib.sha256(body).hexdigest()[:32]
    bodies = {
        "br": brotli.compress(body, mode=brotli.MODE_TEXT, quality=_BROTLI_QUALITY),
        "gzip": gzip.compress(body, compresslevel=_GZIP_LEVEL, mtime=0),
        IDENTITY: body,
    }
    etags = {
        coding: f'"{digest}"' if coding == IDENTITY else f'"{digest}-{coding}"' for coding in bodies
    }
    return Encoded(bodies, etags)


def compressed(body: bytes, coding: str) -> bytes:
    """`body` in one of the seat list's codings (live_seats.SEAT_LIST_CODINGS), compressed
    whole: the seat list's database path (views.SeatListApi) and the live state (live_reads.py)."""
    if coding == "deflate":
        return zlib.compress(body, _GZIP_LEVEL)
    if coding == "gzip":
        return gzip.compress(body, compresslevel=_GZIP_LEVEL, mtime=0)
    if coding == "br":
        return brotli.compress(body, mode=brotli.MODE_TEXT, quality=_LIVE_BROTLI_QUALITY)
    return body


def coding_for(accept_encoding: str, codings: tuple[str, ...] = CODINGS) -> str:
    """The coding to send for an Accept-Encoding header (RFC 9110 12.5.3): the highest q the
    client gives among `codings` (by their order where q ties); identity unless refused;
    identity too when all are refused."""
    weights: dict[str, float] = {}
    for item in accept_encoding.split(","):
        name, *params = (part.strip() for part in item.split(";"))
        name = {"x-gzip": "gzip"}.get(name.lower(), name.lower())
        if not name:
            continue
        weight = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        weights[name] = weight
    wildcard = weights.get("*")

    def weight_of(coding: str) -> float:
        if coding in weights:
            return weights[coding]
        if wildcard is not None:
            return wildcard
        return 0.001 if coding == IDENTITY else 0.0  # identity: acceptable unless refused

    best = max(codings, key=lambda coding: (weight_of(coding), -codings.index(coding)))
    return best if weight_of(best) > 0 else IDENTITY
