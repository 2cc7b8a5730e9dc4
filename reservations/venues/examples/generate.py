"""Writes the example layouts: `python -m reservations.venues.examples.generate`.

A room of curved rows is geometry, not typing, so the examples are made here rather than by
hand. Nothing is random and every number is rounded to one decimal, so a run writes the same
bytes each time, and a test (tests/test_examples.py) checks that the committed files are what
this writes.

* theatre.json, about 2,000 seats: curved stalls split by a centre aisle, a dress circle and an
  upper circle split by two aisles, four boxes; wheelchair spaces with a companion seat beside
  each, restricted-view seats at the sides, three price categories painted at every level the
  format has (section, assignment, row, seat). Written one seat to a line, to be read.
* arena.json, about 20,000 seats: a lower and an upper bowl of sections around a floor with a
  stage at one end, three categories. Written compact (no spaces, no indentation): it is
  there to be loaded, as big rooms are.
"""

import json
from pathlib import Path

from ..layout_file import parse_layout
from .arena import arena_document
from .theatre import theatre_document

HERE = Path(__file__).resolve().parent


def readable_json(value: object, *, indent: str = "", room: int = 100) -> str:
    """JSON a person can read and diff: an object or array on one line when it holds no other
    (a seat, a shape) or fits in `room`, else one item to a line."""
    flat = json.dumps(value, ensure_ascii=False)
    if not isinstance(value, dict | list) or len(indent) + len(flat) <= room:
        return flat
    items = value.values() if isinstance(value, dict) else value
    if not any(isinstance(item, dict | list) for item in items):
        return flat
    inner = indent + "  "
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            lead = f"{json.dumps(key, ensure_ascii=False)}: "
            items.append(inner + lead + readable_json(item, indent=inner, room=room - len(lead)))
    else:
        items = [inner + readable_json(item, indent=inner, room=room) for item in value]
    opening, closing = ("{", "}") if isinstance(value, dict) else ("[", "]")
    return opening + "\n" + ",\n".join(items) + "\n" + indent + closing


def theatre_text() -> str:
    return readable_json(theatre_document()) + "\n"


def arena_text() -> str:
    return json.dumps(arena_document(), separators=(",", ":"), ensure_ascii=False) + "\n"


EXAMPLES = {"theatre.json": theatre_text, "arena.json": arena_text}


def main() -> None:
    for file_name, text_of in EXAMPLES.items():
        text = text_of()
        spec = parse_layout(text)  # never write an example that does not read
        (HERE / file_name).write_text(text, encoding="utf-8")
        print(f"{file_name}: {len(spec.seats):,} seats, {len(text.encode()):,} bytes")


if __name__ == "__main__":
    main()
