"""The venue layout file (docs/LAYOUT.md): read one into a `LayoutSpec`, write one back out.

A room enters the system only through this file, so everything its seat rows must be before
the database sees them is checked here, in one place and with no database. People write these
files (or their scripts do), so an error names its place in the file as a JSON pointer
("/sections/1/rows/3/seats/7/category") and says what to change. The first error found is
the one raised, and nothing but `LayoutError` ever comes out of `parse_layout`, whatever it is
given: a command or an upload can show the message as it is.

Reading is in two steps, each in its own module: `reader` reads the JSON and checks its shape
against layout.schema.json (`shape` says each fault in the words of docs/LAYOUT.md), then
`references` checks what the schema cannot say (names defined and unique, the plan's bounds,
the seat limit) and resolves the room. A file whose shape is wrong is refused for its shape,
even where a reference in it comes earlier. `writer` is the inverse.
"""

from .errors import LayoutError
from .reader import read_document
from .references import resolve_layout
from .spec import LAYOUT_FORMAT, CategorySpec, LayoutSpec, SeatSpec, default_label
from .writer import layout_document

__all__ = [
    "LAYOUT_FORMAT",
    "CategorySpec",
    "LayoutError",
    "LayoutSpec",
    "SeatSpec",
    "default_label",
    "layout_document",
    "parse_layout",
]


def parse_layout(data: str | bytes) -> LayoutSpec:
    """The layout a file describes, or a `LayoutError` naming the first thing wrong in it."""
    return resolve_layout(read_document(data))
