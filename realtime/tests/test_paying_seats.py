"""An order awaiting payment on the live map (API.md "Paying", PROTOCOL.md): every watcher sees
its seats `paying` the moment Reserve commits, then `reserved` once it is paid, or `available`
once its window ends; its buyer's own frame counts them as theirs. Real Redis and PostgreSQL."""

from decimal import Decimal

import pytest
from channels.db import database_sync_to_async

from reservations.models import Event, Reservation, Seat
from reservations.payments.settling import paid, windows_close
from reservations.tests import booking_calls
from reservations.tests.factories import UserFactory, event_with_seats

from .test_consumer import connected, next_of_type
from .test_own_seats import as_account

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("relay")]

call = database_sync_to_async


@call
def paid_online_event() -> Event:
    event = event_with_seats(rows=1, seats_per_row=4)
    Event.objects.filter(pk=event.pk).update(paid_with="venue")
    return event


@call
def order_of(user, event) -> tuple[int, list[int]]:
    ids = list(Seat.objects.filter(event=event).order_by("id").values_list("id", flat=True))[:2]
    booking_calls.lock_several(user=user, event_id=event.id, seat_ids=ids)
    booking = booking_calls.reserve(user=user, event_id=event.id, seat_ids=ids)
    return booking.reservation.id, ids


async def statuses_pushed(socket, ids) -> list[str]:
    frame = await next_of_type(socket, "seats")
    changes = {change["id"]: change["status"] for change in frame["changes"]}
    return [changes.get(seat_id) for seat_id in ids]


async def test_watchers_see_an_orders_seats_paying_then_sold():
    event = await paid_online_event()
    buyer = await call(UserFactory)(username="payer")
    watcher, _ = await connected(event.id)
    order, ids = await order_of(buyer, event)
    while (await statuses_pushed(watcher, ids)) != ["paying", "paying"]:
        pass  # the holds' frame comes first

    own_socket, own = await as_account(event, buyer)
    assert own["booked"] == ids

    await call(paid)(
        reservation_id=order, provider="venue", reference=f"order-{order}", amount=Decimal(100)
    )
    assert await statuses_pushed(watcher, ids) == ["reserved", "reserved"]
    await watcher.disconnect()
    await own_socket.disconnect()


async def test_watchers_see_an_unpaid_orders_seats_back_on_sale():
    event = await paid_online_event()
    buyer = await call(UserFactory)(username="late")
    watcher, _ = await connected(event.id)
    order, ids = await order_of(buyer, event)
    while (await statuses_pushed(watcher, ids)) != ["paying", "paying"]:
        pass
    pay_by = await call(lambda: Reservation.objects.get(pk=order).pay_by)()

    await call(windows_close)(now=pay_by)

    assert await statuses_pushed(watcher, ids) == ["available", "available"]
    await watcher.disconnect()
