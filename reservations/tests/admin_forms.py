"""The admin's change form of an event as a browser posts it: the event's fields and its
categories' and seats' inline formsets (Django's management forms included)."""


def event_change_form(event, category, **category_fields) -> dict:
    """The form of an event with one category, `category_fields` (name, price, colour) changed
    from what it has; its seats unchanged."""
    seat_ids = list(event.seats.order_by("id").values_list("id", flat=True))
    fields = {
        "name": category.name,
        "price": f"{category.price:.2f}",
        "colour": category.colour,
        **category_fields,
    }
    return {
        "name": event.name,
        "venue": event.venue,
        "description": event.description,
        "starts_at_0": event.starts_at.strftime("%Y-%m-%d"),
        "starts_at_1": event.starts_at.strftime("%H:%M:%S"),
        "layout": "",
        "orphan_mode": "off",
        "categories-TOTAL_FORMS": "1",
        "categories-INITIAL_FORMS": "1",
        "categories-MIN_NUM_FORMS": "0",
        "categories-MAX_NUM_FORMS": "1000",
        "categories-0-id": category.pk,
        "categories-0-event": event.pk,
        **{f"categories-0-{name}": value for name, value in fields.items()},
        "categories-0-position": "0",
        "staff-TOTAL_FORMS": "0",
        "staff-INITIAL_FORMS": "0",
        "staff-MIN_NUM_FORMS": "0",
        "staff-MAX_NUM_FORMS": "1000",
        "seats-TOTAL_FORMS": str(len(seat_ids)),
        "seats-INITIAL_FORMS": str(len(seat_ids)),
        "seats-MIN_NUM_FORMS": "0",
        "seats-MAX_NUM_FORMS": "0",
        **{f"seats-{i}-id": seat for i, seat in enumerate(seat_ids)},
        **{f"seats-{i}-event": event.pk for i in range(len(seat_ids))},
    }


def admin_action(client, model: str, action: str, ids, **fields) -> list[str]:
    """Run an action of the change list of `model` (e.g. "seat") on the objects with these ids,
    as its form posts it (a delete confirmed on its page); the messages the admin then shows."""
    form = {"action": action, "_selected_action": list(ids), "index": "0", **fields}
    if action == "delete_selected":
        form["post"] = "yes"
    page = client.post(f"/admin/{_app(model)}/{model}/", form, follow=True)
    assert page.status_code == 200, page.content.decode()[:2000]
    return [str(message) for message in page.context["messages"]]


def admin_delete(client, model: str, pk):
    """The delete page of one object, confirmed: a redirect when it went, the page when not."""
    return client.post(f"/admin/{_app(model)}/{model}/{pk}/delete/", {"post": "yes"})


def _app(model: str) -> str:
    return "auth" if model in ("group", "user") else "reservations"
