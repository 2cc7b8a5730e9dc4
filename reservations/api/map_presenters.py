"""The documents of an event's drawing and seats as an arriving buyer's page loads them whole
(map_document.py builds and keeps them): `layout/`, the room's drawing, and `map/`, the seats'
static columns (API.md, LAYOUT.md), with their shapes for the OpenAPI schema."""

from rest_framework import serializers

from reservations.selectors import EventLayout, SeatPlan
from reservations.wire_values import money


class LayoutSeatOutput(serializers.Serializer):
    id = serializers.IntegerField()
    x = serializers.FloatField()
    y = serializers.FloatField()
    rotation = serializers.FloatField(help_text="Degrees clockwise.")


class LayoutOutput(serializers.Serializer):
    event_id = serializers.IntegerField()
    width = serializers.FloatField()
    height = serializers.FloatField()
    seats = LayoutSeatOutput(many=True)
    shapes = serializers.ListField(
        child=serializers.DictField(), help_text="Stage, section names: docs/LAYOUT.md."
    )


class SeatPlanOutput(serializers.Serializer):
    """GET /api/events/{id}/map/, for the OpenAPI schema; written by `seat_plan_json`."""

    class Category(serializers.Serializer):
        id = serializers.IntegerField()
        name = serializers.CharField()
        price = serializers.CharField(help_text="A decimal string with two places.")
        colour = serializers.CharField(help_text="#rrggbb")

    class Plan(serializers.Serializer):
        width = serializers.FloatField()
        height = serializers.FloatField()
        shapes = serializers.ListField(child=serializers.DictField())

    class Columns(serializers.Serializer):
        id = serializers.ListField(child=serializers.IntegerField())
        label = serializers.ListField(child=serializers.CharField())
        section = serializers.ListField(
            child=serializers.IntegerField(), help_text="Indexes into `sections`."
        )
        row = serializers.ListField(child=serializers.CharField())
        number = serializers.ListField(child=serializers.IntegerField())
        category = serializers.ListField(
            child=serializers.IntegerField(), help_text="Indexes into `categories`."
        )
        flags = serializers.ListField(
            child=serializers.IntegerField(),
            help_text="1 accessible, 2 companion, 4 restricted view, 8 blocked.",
        )
        x = serializers.ListField(child=serializers.FloatField(), required=False)
        y = serializers.ListField(child=serializers.FloatField(), required=False)
        rotation = serializers.ListField(child=serializers.FloatField(), required=False)

    event_id = serializers.IntegerField()
    version = serializers.IntegerField()
    seats_total = serializers.IntegerField()
    plan = Plan(allow_null=True)
    categories = Category(many=True)
    sections = serializers.ListField(child=serializers.CharField())
    seats = Columns()


def layout_json(layout: EventLayout) -> dict:
    """GET /api/events/{id}/layout/: the drawing, without any seat's state."""
    return {
        "event_id": layout.event_id,
        "width": layout.width,
        "height": layout.height,
        "seats": [
            {"id": seat_id, "x": x, "y": y, "rotation": rotation}
            for seat_id, x, y, rotation in layout.seats
        ],
        "shapes": layout.shapes,
    }


def _plan_number(value: float) -> float | int:
    """A plan coordinate as written in map/: 40 rather than 40.0 (three columns of 20,000)."""
    return int(value) if value.is_integer() else value


def seat_plan_json(plan: SeatPlan) -> dict:
    """GET /api/events/{id}/map/: the seats' static columns, index i the i-th seat in layout
    order; sections and categories written once and referred to by index."""
    categories = {row[0]: index for index, row in enumerate(plan.categories)}
    sections: dict[str, int] = {}
    columns: dict[str, list] = {
        name: [] for name in ("id", "label", "section", "row", "number", "category", "flags")
    }
    ids, labels, section_of, rows, numbers, category_of, flags = columns.values()
    xs, ys, rotations = [], [], []
    for seat in plan.seats:
        ids.append(seat.id)
        labels.append(seat.label)
        section_of.append(sections.setdefault(seat.section, len(sections)))
        rows.append(seat.row)
        numbers.append(seat.number)
        category_of.append(categories[seat.category_id])
        # One bit each: 1 accessible, 2 companion, 4 restricted view, 8 blocked (API.md).
        flags.append(
            seat.accessible | seat.companion << 1 | seat.restricted_view << 2 | seat.blocked << 3
        )
        xs.append(_plan_number(seat.x))
        ys.append(_plan_number(seat.y))
        rotations.append(_plan_number(seat.rotation))
    drawing = None
    if plan.plan is not None:
        width, height, shapes = plan.plan
        drawing = {"width": width, "height": height, "shapes": shapes}
        columns.update(x=xs, y=ys, rotation=rotations)
    return {
        "event_id": plan.version.event_id,
        "version": plan.version.version,
        "seats_total": len(ids),
        "plan": drawing,
        "categories": [
            {"id": category_id, "name": name, "price": money(price), "colour": colour}
            for category_id, name, price, colour in plan.categories
        ],
        "sections": list(sections),
        "seats": columns,
    }
