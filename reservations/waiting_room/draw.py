"""The draw anyone can check (API.md "Waiting room"): stdlib only, shared by the server that
draws and the verifier a stranger runs.

The server commits to a secret seed before anyone joins (`commitment`), freezes the entrants at
the on-sale (`entrants_digest`), then reveals the seed. Each entrant's key is an HMAC of its
entry id under a key made of the seed and the organiser's public randomness; the entrants are
numbered in the order of their keys. Neither the time of joining nor the entry id's own value
orders anyone: the seed does, and it was fixed before the list was.
"""

import hashlib
import hmac
import re
import secrets

# A drand signature in its one written form: the compressed point, 48 bytes in lowercase hex.
# beacon.py also checks that the point re-encodes to it and lies in the signature group.
SIGNATURE = re.compile(r"[0-9a-f]{96}")


def commitment_of(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()


def new_entry_id() -> str:
    """A public name for one place: random, so it tells nothing of when or who."""
    return secrets.token_hex(8)


def entrants_digest(entry_ids: list[str]) -> str:
    """The digest of the frozen list: its ids sorted, one per line."""
    return hashlib.sha256("\n".join(sorted(entry_ids)).encode()).hexdigest()


def draw_key(seed: str, signature: str) -> bytes:
    """Keyed by drand's randomness for the round (the sha256 of the signature's bytes), never by
    the text typed, so that nobody who knows the seed can choose an order among spellings of one
    round. No round: the seed alone."""
    randomness = hashlib.sha256(bytes.fromhex(signature)).hexdigest() if signature else ""
    return hashlib.sha256(f"{seed}:{randomness}".encode()).digest()


def entry_key(key: bytes, entry_id: str) -> str:
    return hmac.new(key, entry_id.encode(), hashlib.sha256).hexdigest()


def drawn_order(seed: str, signature: str, entry_ids: list[str]) -> list[str]:
    """The entrants by number: the first is No. 1."""
    key = draw_key(seed, signature)
    return sorted(entry_ids, key=lambda entry_id: (entry_key(key, entry_id), entry_id))


def proof_problems(proof: dict) -> list[str]:
    """What does not hold in a published proof (empty: every number recomputed and equal)."""
    problems = []
    seed, entrants, order = proof.get("seed"), proof.get("entrants"), proof.get("order")
    if seed is None or entrants is None or order is None:
        return ["the draw has not happened: no seed or order yet"]
    if commitment_of(seed) != proof.get("commitment"):
        problems.append("the seed does not match the commitment published before the queue")
    if entrants != sorted(entrants) or len(set(entrants)) != len(entrants):
        problems.append("the entrants are not a sorted list of distinct ids")
    if entrants_digest(entrants) != proof.get("entrants_digest"):
        problems.append("the entrants do not match the digest published at the on-sale")
    signature = proof.get("public_randomness") or ""
    if signature and not SIGNATURE.fullmatch(signature):
        problems.append(
            "the public randomness is not a drand signature in its one form: "
            "96 lowercase hexadecimal digits"
        )
    elif order != (expected := drawn_order(seed, signature, entrants)):
        wrong = sum(1 for a, b in zip(order, expected, strict=False) if a != b)
        wrong += abs(len(order) - len(expected))
        problems.append(f"{wrong} of {len(expected)} numbers differ from the recomputed draw")
    late = proof.get("late") or []
    if set(late) & set(entrants):
        problems.append("an entrant is also listed as a late arrival")
    return problems
