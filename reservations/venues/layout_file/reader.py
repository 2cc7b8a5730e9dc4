"""Reading a layout file's JSON into a document whose shape layout.schema.json accepts.

Reading is strict. A key given twice is an error rather than the last one kept (json.loads
keeps the last silently, and a second "category" would win unseen); anything the schema
refuses is an error (`shape.py` says which, in the words of docs/LAYOUT.md).
"""

import json

from .errors import LayoutError, kind_of
from .shape import first_shape_fault


class _Object(dict):
    """A JSON object as read, remembering the first key it had twice."""

    __slots__ = ("repeated",)


def read_document(data: object) -> dict:
    """The layout file `data` (JSON text) as a dict of the schema's shape, or a `LayoutError`
    naming the first fault in it."""
    repeating: list[_Object] = []

    def object_of(pairs: list[tuple[str, object]]) -> _Object:
        obj = _Object(pairs)
        obj.repeated = _first_repeated(pairs) if len(obj) < len(pairs) else None
        if obj.repeated is not None:
            repeating.append(obj)
        return obj

    document = _json_load(data, object_of)
    if not isinstance(document, dict):
        raise LayoutError("/", f"a layout file is a JSON object, not {kind_of(document)}")
    repeated = _repeated_keys(document, repeating) if repeating else []
    fault = first_shape_fault(document, repeated=repeated)
    if fault is not None:
        raise fault
    return document


def _first_repeated(pairs: list[tuple[str, object]]) -> str:
    seen = set()
    for key, _ in pairs:
        if key in seen:
            return key
        seen.add(key)
    raise AssertionError("called only when a key repeats")


def _json_load(data: object, object_of) -> object:
    if not isinstance(data, str | bytes | bytearray):
        raise LayoutError("/", f"a layout file is JSON text, not {type(data).__name__}")
    try:
        return json.loads(data, object_pairs_hook=object_of)
    except json.JSONDecodeError as exc:
        raise LayoutError(
            "/", f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    except UnicodeDecodeError as exc:
        raise LayoutError(
            "/", f"not text (JSON is UTF-8): {exc.reason} at byte {exc.start}"
        ) from None
    except RecursionError:
        raise LayoutError("/", "nested too deeply to be a layout") from None
    except ValueError as exc:  # e.g. an integer of more digits than Python will read
        raise LayoutError("/", f"not JSON that can be read: {exc}") from None


def _repeated_keys(
    document: dict, repeating: list[_Object]
) -> list[tuple[tuple[str | int, ...], str]]:
    """Where each object that had a key twice is in the document, and that key. A loop, not
    recursion: a document may be nested as deep as json.loads reads, deeper than Python
    recurses."""
    wanted = {id(obj) for obj in repeating}
    found = []
    stack: list[tuple[tuple[str | int, ...], object]] = [((), document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            if id(value) in wanted:
                found.append((path, value.repeated))
            stack.extend(((*path, key), item) for key, item in value.items())
        elif isinstance(value, list):
            stack.extend(((*path, index), item) for index, item in enumerate(value))
    return found
