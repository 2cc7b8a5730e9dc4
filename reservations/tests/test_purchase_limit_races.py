"""One account's tabs racing past its purchase limit, run for real (races.py): threads released
together by a barrier, each its own request and transaction, on Django's path (a browser's
session per tab) and on the fast path (a server process of this module's own). Whatever they
race with, the account never owns more than the limit afterwards: the caller's row lock
(booking/locking.py, rule 2) puts one account's calls in a line, and each counts what the
one before it committed.

Negative controls (run once, not committed): with the purchase limit taken out of the
one-statement hold (then `sql.hold_if_free`, its held-and-booked count), ten of twelve tabs win
on both paths, in both click races (owned 10 of a limit of 4); with its booked count alone taken
out, the race after a booking fails on both paths. With the caller's row read without
`FOR UPDATE`, six to eight tabs of twelve win (each counts before the others commit). With the
buyer's state read before the caller's lock rather than in a statement after it
(`holds.buyer_state_steps`: a snapshot older than the wait), the first race fails on both paths
and the race after a booking on Django's.
"""

from collections import Counter
from functools import partial

import pytest
from django.db.models import F
from django.utils import timezone

from reservations.models import Event, Seat

from .factories import event_with_seats, hall
from .races import code_of, inventory_checked_after, run_together, users  # noqa: F401

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.parametrize("path", ["django-session", "fast"], indirect=True),
]

LIMIT = 4


def owned(event, user) -> int:
    seats = Seat.objects.filter(event=event)
    held = seats.filter(status="locked", held_by=user, held_until__gt=timezone.now()).count()
    return held + seats.filter(status="reserved", reserved_by=user).count()


def limited(event: Event) -> Event:
    Event.objects.filter(pk=event.pk).update(purchase_limit=LIMIT)
    return event


def free_every_hold(event) -> None:
    Seat.objects.filter(event=event, status="locked").update(
        status="available", held_by=None, held_until=None, version=F("version") + 1
    )


def test_tabs_of_one_account_clicking_at_once_never_own_more_than_the_limit(path):
    event = limited(event_with_seats(rows=2, seats_per_row=10))
    ids = list(event.seats.order_by("id").values_list("id", flat=True))
    (buyer,) = users(1, prefix="tabs")
    tabs = [path.poster(buyer) for _ in range(12)]
    clicks = [f"/api/events/{event.id}/seats/{seat_id}/lock/" for seat_id in ids[:12]]

    for _ in range(3):
        results = run_together(
            [partial(tab, url, {}) for tab, url in zip(tabs, clicks, strict=True)]
        )

        assert Counter(code_of(r) for r in results) == {"ok": LIMIT, "purchase_limit": 8}
        assert owned(event, buyer) == LIMIT
        free_every_hold(event)


def test_tabs_racing_after_a_booking_count_it(path):
    """Two seats booked, then twelve tabs click at once: two more win, the rest are refused."""
    event = limited(event_with_seats(rows=2, seats_per_row=10))
    ids = list(event.seats.order_by("id").values_list("id", flat=True))
    (buyer,) = users(1, prefix="booker")
    post = path.poster(buyer)
    assert code_of(post(f"/api/events/{event.id}/lock/", {"seat_ids": ids[:2]})) == "ok"
    assert code_of(post(f"/api/events/{event.id}/reserve/", {"seat_ids": ids[:2]})) == "ok"
    tabs = [path.poster(buyer) for _ in range(12)]
    clicks = [f"/api/events/{event.id}/seats/{seat_id}/lock/" for seat_id in ids[2:14]]

    results = run_together([partial(tab, url, {}) for tab, url in zip(tabs, clicks, strict=True)])

    assert Counter(code_of(r) for r in results) == {"ok": 2, "purchase_limit": 10}
    assert owned(event, buyer) == LIMIT
    refused = next(r for r in results if code_of(r) == "purchase_limit").json()
    assert (refused["limit"], refused["booked"]) == (LIMIT, 2)


def test_every_way_of_taking_seats_at_once_stays_within_the_limit(path):
    """Single clicks, lock several, best available and reserves of what the tabs hold, all at
    once from one account's tabs: each refusal says purchase_limit, and no more than the limit
    is ever held and booked together."""
    event = limited(hall(rows={"A": "." * 12, "B": "." * 12, "C": "." * 12}))
    ids = list(event.seats.order_by("id").values_list("id", flat=True))
    (buyer,) = users(1, prefix="mixed")
    post = path.poster(buyer)
    assert code_of(post(f"/api/events/{event.id}/lock/", {"seat_ids": ids[:2]})) == "ok"
    calls = [
        (f"/api/events/{event.id}/reserve/", {"seat_ids": ids[:2]}),
        *((f"/api/events/{event.id}/seats/{i}/lock/", {}) for i in ids[12:16]),
        *((f"/api/events/{event.id}/lock/", {"seat_ids": [i, i + 1]}) for i in ids[24:32:2]),
        *((f"/api/events/{event.id}/best/", {"count": 2}) for _ in range(3)),
    ]
    tabs = [path.poster(buyer) for _ in calls]

    results = run_together([partial(tab, *c) for tab, c in zip(tabs, calls, strict=True)])

    assert code_of(results[0]) == "ok"  # the booking itself, whenever it came
    assert set(Counter(code_of(r) for r in results)) <= {"ok", "purchase_limit"}
    assert owned(event, buyer) <= LIMIT
    granted = sum(
        1 if "seat" in r.json() else len(r.json()["seats"])
        for r in results[1:]
        if code_of(r) == "ok"
    )
    assert 2 + granted == owned(event, buyer) >= LIMIT - 1  # full, but for a pair that did not fit
