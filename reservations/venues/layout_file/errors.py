"""The one error a layout file can cause, and how its messages show the values they name."""

import json


class LayoutError(ValueError):
    """What is wrong with a layout file, and where: `place` is a JSON pointer into the file
    ("/" for the file as a whole), `message` what to change there."""

    def __init__(self, place: str, message: str):
        super().__init__(f"{place}: {message}")
        self.place = place
        self.message = message

    def __reduce__(self):
        return (type(self), (self.place, self.message))


def kind_of(value: object) -> str:
    """A JSON value's type as an error message says it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def shown(value: object) -> str:
    """A value for a message, cut short; an array or object only by its kind (it may be
    nested as deep as JSON allows, too deep to print)."""
    if isinstance(value, list | dict):
        return kind_of(value)
    text = json.dumps(value) if isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def names_shown(names: list[str]) -> str:
    """Names for a message: the first ten, and how many there are beyond them."""
    listed = ", ".join(json.dumps(name) for name in names[:10])
    return listed if len(names) <= 10 else f"{listed} and {len(names) - 10} more"


def pointer(path: tuple[str | int, ...]) -> str:
    """The JSON pointer of a place, "/" for the whole file."""
    if not path:
        return "/"
    return "".join("/" + str(step).replace("~", "~0").replace("/", "~1") for step in path)
