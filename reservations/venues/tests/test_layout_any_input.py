"""Whatever a layout reader is given, it reads a room or refuses with a LayoutError: never
another exception. Pure: no database."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reservations.venues.layout_file import LAYOUT_FORMAT, LayoutError, parse_layout

from .documents import small_hall

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**400), max_value=10**400)
    | st.floats()
    | st.text(max_size=30)
    | st.sampled_from(["A", "Stalls", "Premium", "rect", "text", "#c0392b", "85.00", "-1"]),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "name",
                    "number",
                    "x",
                    "y",
                    "rows",
                    "seats",
                    "category",
                    "kind",
                    "label",
                    "price",
                    "colour",
                    "section",
                ]
            )
            | st.text(max_size=8),
            children,
            max_size=5,
        )
    ),
    max_leaves=25,
)


def _paths(value, path=()):
    """Every place in a document, as the keys that lead to it."""
    yield path
    if isinstance(value, dict | list):
        for key, item in value.items() if isinstance(value, dict) else enumerate(value):
            yield from _paths(item, (*path, key))


@st.composite
def damaged_halls(draw) -> dict:
    """The small hall with one of its values, anywhere, replaced by any JSON value."""
    hall = small_hall()
    path = draw(st.sampled_from(list(_paths(hall))[1:]))
    target = hall
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = draw(json_values)
    return hall


def _reads_or_refuses(data) -> None:
    try:
        parse_layout(data)
    except LayoutError as error:
        assert error.place.startswith("/")
        assert str(error) == f"{error.place}: {error.message}"


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    json_values
    | st.fixed_dictionaries({"format": st.just(LAYOUT_FORMAT)}, optional={"sections": json_values})
)
def test_any_json_is_read_or_refused_with_a_layout_error(value):
    _reads_or_refuses(json.dumps(value))


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_halls())
def test_a_file_damaged_anywhere_is_read_or_refused_with_a_layout_error(hall):
    _reads_or_refuses(json.dumps(hall))


@given(st.binary(max_size=60) | st.text(max_size=60))
def test_any_bytes_or_text_are_read_or_refused_with_a_layout_error(data):
    _reads_or_refuses(data)
