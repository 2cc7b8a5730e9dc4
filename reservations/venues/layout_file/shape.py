"""The shape of a layout file, as layout.schema.json states it and jsonschema checks it, and
each fault the schema finds said in docs/LAYOUT.md's words at its JSON pointer.

jsonschema finds every fault at once; the reader reports one, the first in the order a person
reads the file: the places in the order the schema lists each object's keys (a file's
categories before its sections, a seat's number before its label and position) and the items
of an array in order. At one place the object's own faults come before those of its keys (it
is not an object, a key given twice, a key missing, a key unknown), and a value's type before
its pattern, its pattern before its length.
"""

import functools
import json
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from .errors import LayoutError, kind_of, pointer, shown
from .spec import LAYOUT_FORMAT

if TYPE_CHECKING:
    from jsonschema import ValidationError

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "layout.schema.json"
SCHEMA = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))

_PRICE_PARTS = re.compile(r"(-?)([0-9]+)(?:\.([0-9]+))?")
MAX_SHAPES = SCHEMA["properties"]["shapes"]["maxItems"]
PRICE_DIGITS_MAX = 8  # before the point: DecimalField(max_digits=10, decimal_places=2)

# The deepest place the schema reads is a seat's "x", 7 steps down; a value cut below this depth
# shows the same kind at every place the schema reads.
_DEPTH_READ = 16


class Fault(NamedTuple):
    """A fault and where it comes in reading order (`order` sorts as the file reads)."""

    order: tuple[tuple[int, ...], int]
    error: LayoutError


def first_shape_fault(
    document: dict, *, repeated: list[tuple[tuple[str | int, ...], str]]
) -> LayoutError | None:
    """The first fault of `document`'s shape, counting each key `repeated` names (the place of
    an object and the key it had twice), or None when the schema accepts it."""
    faults = [
        Fault(
            (_reading_order(path), _KEYWORD_ORDER["repeated"]),
            LayoutError(
                pointer((*path, key)), "given twice in one object (JSON would keep the last)"
            ),
        )
        for path, key in repeated
    ]
    try:
        errors = list(_validator().iter_errors(document))
    except RecursionError:  # jsonschema's messages repr the value, which recurses
        errors = list(_validator().iter_errors(_cut(document, _DEPTH_READ)))
    faults.extend(fault for error in errors for fault in _faults(error))
    return min(faults, key=lambda fault: fault.order).error if faults else None


def _cut(value: object, depth: int) -> object:
    if depth == 0 and isinstance(value, list | dict):
        return type(value)()
    if isinstance(value, list):
        return [_cut(item, depth - 1) for item in value]
    if isinstance(value, dict):
        return {key: _cut(item, depth - 1) for key, item in value.items()}
    return value


# The validator.


def _inlined(node: object, defs: dict) -> object:
    """`node` with every "$ref" replaced by what it names: jsonschema resolves a reference on
    every value it checks, which doubles the time a large room takes. Annotations go, and each
    number is also "finite" (`_finite`)."""
    if isinstance(node, list):
        return [_inlined(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    merged = {}
    if "$ref" in node:
        merged.update(_inlined(defs[node["$ref"].removeprefix("#/$defs/")], defs))
    for key, value in node.items():
        if key in ("$ref", "$defs", "$comment", "title", "description", "examples"):
            continue
        if key in merged:
            raise ValueError(f"layout.schema.json: {key!r} both beside and in a $ref")
        merged[key] = _inlined(value, defs)
    if merged.get("type") == "number":
        merged["finite"] = True
    return merged


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_finite(value: int | float) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an int of more digits than a float holds
        return False


def _finite(validator, enabled, instance, schema) -> "Iterator[ValidationError]":
    """JSON has no NaN or Infinity, but Python's json reads them, and an integer of 400 digits,
    as numbers: every "number" of the schema is also finite, in the reader's copy."""
    if enabled and _is_number(instance) and not _is_finite(instance):
        from jsonschema import ValidationError

        yield ValidationError("not a finite number")


@functools.cache
def _validator():
    """Made at the first layout read: importing jsonschema was 40 ms of every process's start
    (each server, each manage.py command), and few read a layout."""
    from jsonschema import Draft202012Validator, validators

    extended = validators.extend(Draft202012Validator, validators={"finite": _finite})
    return extended(_inlined(SCHEMA, SCHEMA["$defs"]))


# Reading order.

_ELEMENT = {
    "categories": "category",
    "shapes": "shape",
    "sections": "section",
    "rows": "row",
    "seats": "seat",
    "assignments": "assignment",
}
_DEFS = SCHEMA["$defs"]
_KEYS_IN_ORDER = {
    "layout": tuple(SCHEMA["properties"]),
    "shape": tuple(dict.fromkeys((*_DEFS["rect"]["properties"], *_DEFS["text"]["properties"]))),
    **{
        kind: tuple(_DEFS[kind]["properties"])
        for kind in ("category", "section", "row", "seat", "assignment")
    },
}
_KEYWORD_ORDER = {
    "type": 0,
    "finite": 0,
    "repeated": 1,
    "const": 1,
    "enum": 1,
    "required": 2,
    "pattern": 2,
    "additionalProperties": 3,
    "maxLength": 3,
}
_BOUNDS = 4  # minimum, maximum, minItems and the rest: after a value's type and pattern
# The format is read first, as what the rest of the file means depends on it.
_FORMAT_FIRST = ((), -1)


def _reading_order(path: tuple[str | int, ...]) -> tuple[int, ...]:
    """Where a place comes as the file reads: a key by the schema's order of its object's keys,
    an item by its index."""
    order = []
    kind: str | None = "layout"
    key: str | None = None
    for step in path:
        if isinstance(step, int):
            order.append(step)
            kind = _ELEMENT.get(key)
        else:
            keys = _KEYS_IN_ORDER.get(kind, ())
            order.append(keys.index(step) if step in keys else len(keys))
            key, kind = step, None
    return tuple(order)


# What each fault says.


def _faults(error: "ValidationError") -> Iterator[Fault]:
    path = tuple(error.absolute_path)
    keyword = error.validator
    if keyword == "oneOf":
        yield from _shape_faults(error, path)
        return
    if keyword == "required" and not path and "format" not in error.instance:
        message = f'missing: a layout file begins "format": "{LAYOUT_FORMAT}"'
        yield Fault(_FORMAT_FIRST, LayoutError("/format", message))
        return
    if path == ("format",):
        message = f'must be "{LAYOUT_FORMAT}" (the format this reads), not {shown(error.instance)}'
        yield Fault(_FORMAT_FIRST, LayoutError("/format", message))
        return
    order = (_reading_order(path), _KEYWORD_ORDER.get(keyword, _BOUNDS))
    if keyword == "required":
        key = next(key for key in error.validator_value if key not in error.instance)
        message = f'missing: {_what(path, error.instance)} needs "{key}"'
        yield Fault(order, LayoutError(pointer((*path, key)), message))
    elif keyword == "additionalProperties":
        allowed = error.schema["properties"]
        key = next(key for key in error.instance if key not in allowed)
        message = (
            f"not a key of {_what(path, error.instance)} (it has {', '.join(sorted(allowed))})"
        )
        yield Fault(order, LayoutError(pointer((*path, key)), message))
    else:
        yield Fault(order, LayoutError(pointer(path), _value_message(error, path)))


def _shape_faults(error: "ValidationError", path: tuple[str | int, ...]) -> Iterator[Fault]:
    """A shape is a rect or a text, as its "kind" says: the faults of that one, not of both."""
    shape = error.instance
    order = (_reading_order(path), _KEYWORD_ORDER["type"])
    if not isinstance(shape, dict):
        yield Fault(
            order, LayoutError(pointer(path), f"a shape is an object, not {kind_of(shape)}")
        )
        return
    if "kind" not in shape:
        message = 'missing: a shape needs "kind", "rect" or "text"'
        yield Fault(order, LayoutError(pointer((*path, "kind")), message))
        return
    kinds = [branch["properties"]["kind"]["const"] for branch in error.schema["oneOf"]]
    if shape["kind"] not in kinds:
        message = f'must be "rect" or "text", not {shown(shape["kind"])}'
        yield Fault(order, LayoutError(pointer((*path, "kind")), message))
        return
    branch = kinds.index(shape["kind"])
    for each in error.context:
        if each.relative_schema_path[0] == branch:
            yield from _faults(each)


def _what(path: tuple[str | int, ...], value: object) -> str:
    """The object at `path` as a message names it: "a seat", "a rect"."""
    if not path:
        return "a layout"
    if isinstance(path[-1], str):
        return path[-1]  # an array, by its key: "rows"
    element = _ELEMENT[path[-2]]
    if element == "shape":
        element = value.get("kind") if isinstance(value, dict) else element
    return f"an {element}" if element[0] in "aeiou" else f"a {element}"


def _value_message(error: "ValidationError", path: tuple[str | int, ...]) -> str:
    keyword, value = error.validator, error.instance
    key = path[-1]
    if keyword == "type":
        return _type_message(error.validator_value, key, path, value)
    if keyword == "finite":
        return f"must be a finite number, not {shown(value)}"
    if keyword in ("const", "enum"):  # a shape's role: the kind of a shape is _shape_faults'
        return f"must be {_either(error.validator_value)}, not {shown(value)}"
    if keyword == "pattern":
        return _pattern_message(key, value)
    if keyword == "maxLength":
        return f"at most {error.validator_value} characters, and {shown(value)} has {len(value)}"
    if keyword == "exclusiveMinimum":
        return f"must be more than 0, not {_g(value)}"
    if keyword in ("minimum", "maximum") and key == "number":
        number = int(value) if isinstance(value, float) and value.is_integer() else value
        return f"must be from 1 to {error.schema['maximum']}, not {shown(number)}"
    if keyword == "minimum":
        return f"must not be negative ({_g(value)}): the plan starts at 0"
    if keyword in ("minItems", "maxItems"):
        return _length_message(path, value)
    return error.message


def _g(value: int | float) -> str:
    """A number as the reader shows a position; one too big for a float also has a type fault
    at its place, which comes first."""
    return f"{float(value):g}" if _is_finite(value) else shown(value)


def _type_message(expected: str, key: str | int, path: tuple, value: object) -> str:
    if expected == "object":
        return f"{_what(path, value)} is an object, not {kind_of(value)}"
    if expected == "array":
        return f"{key} is an array, not {kind_of(value)}"
    if expected == "number":
        return f"must be a number, not {kind_of(value)}"
    if expected == "integer":
        return f"must be a whole number, not {shown(value)}"
    if expected == "boolean":
        return f"must be true or false, not {kind_of(value)}"
    if key == "price":
        return f'must be a string of a decimal such as "85.00", not {kind_of(value)}'
    if key == "colour":
        return f'must be a string such as "#c0392b", not {kind_of(value)}'
    if key == "text":
        return f"must be a string to show, not {shown(value)}"
    return f"must be a string, not {kind_of(value)}"


def _pattern_message(key: str | int, value: str) -> str:
    if key == "price":
        return _price_message(value)
    if key == "colour":
        return f'must be "#rrggbb" in hexadecimal, not {shown(value)}'
    if key == "text":
        return f"must be a string to show, not {shown(value)}"
    if not value:
        return "must not be empty"
    return f"must not begin or end with a space: {shown(value)}"


def _price_message(value: str) -> str:
    """Why a price is not the decimal string the schema's pattern asks for."""
    match = _PRICE_PARTS.fullmatch(value)
    if match is None:
        return f'must be a decimal such as "85.00", not {shown(value)}'
    sign, units, cents = match.groups()
    if sign:
        return f"must not be negative, and {value} is"
    if cents is not None and len(cents) > 2:
        return f"has at most two decimal places, and {value} has {len(cents)}"
    return f"must be under {10**PRICE_DIGITS_MAX}, and {value} is not"


def _length_message(path: tuple[str | int, ...], value: list) -> str:
    if path[0] == "assignments":
        return 'names one row or the first and last of a range, as ["A"] or ["A", "F"]'
    if path == ("shapes",):
        return f"at most {MAX_SHAPES:,} shapes, and there are {len(value):,}"
    return {
        "categories": "a layout needs at least one category: every seat has one",
        "sections": "the layout has no seats: it has no sections",
        "rows": "a section needs at least one row",
        "seats": "a row needs at least one seat",
    }[path[-1]]


def _either(values: object) -> str:
    """ "stage", "section" or "other" """
    quoted = [json.dumps(value) for value in (values if isinstance(values, list) else [values])]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
