"""Check a waiting room's draw yourself: ``python -m reservations.waiting_room.verify PROOF``.

PROOF is the URL of ``GET /api/events/{id}/queue/proof/`` (its late arrivals are read too, page
by page) or a file saved from it (with a `late` list of its own if it has them). Every number
is recomputed from the published seed, public randomness and entrants (draw.py); the exit status
is 0 when all of them agree, 1 when anything does not. Needs nothing but Python's standard
library, except to check a drand round's signature (beacon.py): with py-ecc installed
(`pip install py-ecc`) it is checked too, otherwise it says it was not.
"""

import argparse
import json
import sys
import urllib.parse
import urllib.request

from .draw import proof_problems


def load(source: str) -> dict:
    """The proof, with its late arrivals as `late` (from its pages, for a URL)."""
    if not source.startswith(("http://", "https://")):
        with open(source, encoding="utf-8") as file:
            return json.load(file)
    proof, late = _read(source), []
    page = proof.get("late_pages")
    while page:
        read = _read(urllib.parse.urljoin(source, page))
        late += read["late"]
        page = read["next"]
    return proof | {"late": late}


def _read(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as answer:
        return json.load(answer)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reservations.waiting_room.verify")
    parser.add_argument("proof", help="the proof's URL or a file saved from it")
    parser.add_argument("--entry", help="your entry id: say where it is in the draw")
    args = parser.parse_args(argv)
    proof = load(args.proof)
    problems = proof_problems(proof) + _beacon_problems(proof)
    for problem in problems:
        print(f"FAIL: {problem}")
    if not problems:
        print(
            f"OK: {len(proof['order'])} entrants, every number recomputed from the seed "
            f"(commitment {proof['commitment'][:12]}...), {len(proof.get('late') or [])} late"
        )
    if args.entry:
        order, late = proof.get("order") or [], proof.get("late") or []
        if args.entry in order:
            print(f"{args.entry}: No. {order.index(args.entry) + 1} of the draw")
        elif args.entry in late:
            print(f"{args.entry}: No. {len(order) + late.index(args.entry) + 1}, joined late")
        else:
            print(f"{args.entry}: not in this proof")
            return 1
    return 1 if problems else 0


def _beacon_problems(proof: dict) -> list[str]:
    """The public randomness checked against the drand round the proof names, if any."""
    source, value = proof.get("randomness_source") or "", proof.get("public_randomness") or ""
    if not source:
        return []
    try:
        from .beacon import signature_problem
    except ImportError:
        print(f"NOTE: not checked that the randomness is {source}'s: pip install py-ecc")
        return []
    problem = signature_problem(source, value)
    return [f"the public randomness: {problem}"] if problem else []


if __name__ == "__main__":
    sys.exit(main())
