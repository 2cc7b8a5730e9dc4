"""The pay window (docs/API.md "Paying"): where an event takes payment online, Reserve makes an
order awaiting payment, its seats `paying` (neither free nor sold), that ends in exactly one of
paid (sold), expired (back on sale) or cancelled by its buyer; a payment that lands after its
order ended is recorded and given back. Real PostgreSQL, real threads; Stripe through the
official library against a local stand-in of its API (harness/stripe_standin.py).

Negative controls (run once, not committed):
- `paid` selling whatever the order's state: the race with the window's end sold seats the
  sweeper had put back on sale (`available` before `reserved` in the ledger; the inventory
  check failed too).
- The retried notification's `PAID` replay taken out: one session took its money three times.
- `pay_now` reading the order without its row lock: the double submit answered a 500 (two
  attempts started, the second refused by the database's one-started constraint).
- `refunds_send` not counting the refunds already sent: the same late payment given back twice.
"""

import json
from datetime import timedelta
from decimal import Decimal
from functools import partial

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from harness.servers import free_port
from harness.stripe_standin import WEBHOOK_SECRET, StripeStandIn, signed
from harness.waiting import eventually
from reservations.confirmations.models import ConfirmationEmail
from reservations.confirmations.sending import confirmations_queue
from reservations.exports import SALES_HEADER, rows_of
from reservations.ledger.models import SeatChange
from reservations.models import Event, Reservation, Seat, WebhookEndpoint, WebhookMessage
from reservations.payments.models import Payment
from reservations.payments.providers import Stripe
from reservations.payments.settling import attempts_close, paid, refunds_send, windows_close

from .conftest import bearer_client
from .console_staff import staff_api, staff_in
from .factories import VerifiedUserFactory, event_with_seats
from .fast_calls import JSON, bearer, call, on_one_loop
from .races import code_of, inventory_checked_after, run_together, users  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

WINDOW = 900


def paid_online(provider: str = "venue") -> Event:
    event = event_with_seats(rows=1, seats_per_row=6, price="40.00")
    Event.objects.filter(pk=event.pk).update(paid_with=provider, pay_window_seconds=WINDOW)
    return event


def seat_ids(event) -> list[int]:
    return list(event.seats.order_by("id").values_list("id", flat=True))


def order_of(client, event, ids) -> dict:
    held = client.post(f"/api/events/{event.id}/lock/", {"seat_ids": ids}, format="json")
    assert held.status_code == 200, held.json()
    answer = client.post(f"/api/events/{event.id}/reserve/", {"seat_ids": ids}, format="json")
    assert answer.status_code == 201, answer.json()
    return answer.json()["reservation"]


def test_an_order_with_nothing_to_pay_is_sold_at_once(alice):
    """Free seats on an event paid through Stripe: no payment page for nothing (Stripe would
    refuse one), the booking is confirmed and its tickets are out."""
    event = event_with_seats(rows=1, seats_per_row=2, price="0.00")
    Event.objects.filter(pk=event.pk).update(paid_with="stripe", pay_window_seconds=WINDOW)
    buyer = bearer_client(alice)

    order = order_of(buyer, event, seat_ids(event)[:1])

    assert (order["status"], order["pay_by"]) == ("confirmed", None)
    assert statuses(seat_ids(event)[:1]) == ["reserved"]
    assert len(buyer.get(f"/api/reservations/{order['id']}/tickets/").json()["tickets"]) == 1


def statuses(ids) -> list[str]:
    return list(Seat.objects.filter(id__in=ids).order_by("id").values_list("status", flat=True))


@pytest.mark.parametrize("path", ["django", "fast"], indirect=True)
def test_reserve_on_an_event_paid_online_makes_an_order_awaiting_payment(path):
    event = paid_online()
    ids = seat_ids(event)[:2]
    (buyer,) = users(1, prefix="payer")
    post = path.poster(buyer)
    assert code_of(post(f"/api/events/{event.id}/lock/", {"seat_ids": ids})) == "ok"
    held_until = Seat.objects.get(pk=ids[0]).held_until

    answer = post(f"/api/events/{event.id}/reserve/", {"seat_ids": ids})

    assert answer.status_code == 201
    order = answer.json()["reservation"]
    assert order["status"] == "awaiting_payment"
    assert order["pay_by"] == (held_until + timedelta(seconds=WINDOW)).isoformat().replace(
        "+00:00", "Z"
    )
    assert statuses(ids) == ["paying", "paying"]
    stored = Reservation.objects.get(pk=order["id"])
    assert (stored.amount_taken, stored.total_price) == (Decimal("0.00"), Decimal("80.00"))
    assert set(Seat.objects.filter(id__in=ids).values_list("reserved_by", flat=True)) == {buyer.pk}


def test_an_event_that_takes_no_payment_still_sells_at_once(alice):
    event = event_with_seats(rows=1, seats_per_row=2)
    order = order_of(bearer_client(alice), event, seat_ids(event))
    assert (order["status"], order["pay_by"]) == ("confirmed", None)


def test_staff_settle_an_order_paid_at_the_venue_and_its_seats_are_sold(alice):
    event = paid_online()
    ids = seat_ids(event)[:2]
    buyer = bearer_client(alice)
    order = order_of(buyer, event, ids)

    told = buyer.post(f"/api/reservations/{order['id']}/pay/").json()
    assert told["provider"] == "venue" and told["url"] is None
    assert f"quoting order {order['id']}" in told["instructions"]

    box_office = staff_api("Box office")
    settled = box_office.post(
        f"/api/staff/reservations/{order['id']}/paid/",
        {"amount": "80.00", "reference": "till 3, receipt 118"},
        format="json",
    )

    assert settled.status_code == 200, settled.json()
    assert (settled.json()["status"], settled.json()["amount_taken"]) == ("confirmed", "80.00")
    assert statuses(ids) == ["reserved", "reserved"]
    payment = Payment.objects.get(reservation_id=order["id"])
    assert (payment.state, payment.settled_reference) == ("paid", "till 3, receipt 118")
    change = SeatChange.objects.filter(seat_id=ids[0]).latest("id")
    assert (change.via, change.status_after, change.reservation_id) == (
        "venue",
        "reserved",
        order["id"],
    )
    sale = box_office.get(f"/api/staff/events/{event.id}/sale/").json()
    assert (sale["money_taken"], sale["money_awaiting"]) == ("80.00", "0.00")


def test_a_settle_sends_each_statement_once_and_answers_from_what_it_read(alice):
    """Issue 58: the box office's settle costs a checkout as little as Django's path allows.
    Before the transaction, the caller's account; in it, its settings once, the order's row
    lock with the caller's roles on its event (both that the route needs), its payment with
    its seats as sold, then one statement of every write: the seats' lock in id order and
    their write, the payment's, the order's. The answer is shaped from those: nothing is read
    after the commit."""
    event = paid_online()
    order = order_of(bearer_client(alice), event, seat_ids(event)[:2])
    box_office = staff_api("Box office")
    url = f"/api/staff/reservations/{order['id']}/paid/"

    with CaptureQueriesContext(connection) as seen:
        settled = box_office.post(url, {"amount": "80.00"}, format="json")

    assert settled.status_code == 200
    assert (settled.json()["status"], [s["id"] for s in settled.json()["seats"]]) == (
        "confirmed",
        [s["id"] for s in order["seats"]],
    )
    sent = [query["sql"] for query in seen.captured_queries]
    assert sum(statement.startswith("SELECT set_config(") for statement in sent) == 1
    assert sent[-1] == "COMMIT"
    assert len(sent) == 1 + 6


def test_a_settled_order_is_confirmed_to_its_buyer_and_to_the_organisers_webhooks():
    """Not before: an order awaiting payment is neither e-mailed nor announced confirmed."""
    event = paid_online()
    WebhookEndpoint.objects.create(
        url="https://example.org/in", event_types=["reservation.confirmed"]
    )
    buyer = VerifiedUserFactory(username="payer")
    order = order_of(bearer_client(buyer), event, seat_ids(event)[:2])
    confirmed = WebhookMessage.objects.filter(
        reservation_id=order["id"], type="reservation.confirmed"
    )
    assert confirmations_queue(now=timezone.now()) == 0 and not confirmed.exists()

    staff_api("Box office").post(
        f"/api/staff/reservations/{order['id']}/paid/", {"amount": "80.00"}, format="json"
    )

    assert confirmations_queue(now=timezone.now()) == 1
    assert ConfirmationEmail.objects.get().reservation_id == order["id"]
    assert confirmed.count() == 1


def test_the_console_counts_money_awaiting_payment_apart(alice):
    event = paid_online()
    order_of(bearer_client(alice), event, seat_ids(event)[:3])
    sale = staff_api("Box office").get(f"/api/staff/events/{event.id}/sale/").json()
    assert (sale["money_taken"], sale["money_awaiting"]) == ("0.00", "120.00")
    assert sale["categories"][0]["paying"] == 3


def test_an_order_unpaid_at_its_window_end_goes_back_on_sale(alice):
    event = paid_online()
    ids = seat_ids(event)[:2]
    buyer = bearer_client(alice)
    order = order_of(buyer, event, ids)
    pay_by = Reservation.objects.get(pk=order["id"]).pay_by

    assert windows_close(now=pay_by - timedelta(seconds=1)) == []
    assert windows_close(now=pay_by) == [order["id"]]

    assert statuses(ids) == ["available", "available"]
    mine = buyer.get(f"/api/reservations/{order['id']}/").json()
    assert mine["status"] == "expired" and len(mine["seats"]) == 2
    late = buyer.post(f"/api/reservations/{order['id']}/pay/")
    assert (late.status_code, late.json()["code"]) == (409, "not_awaiting_payment")
    assert SeatChange.objects.filter(seat_id=ids[0]).latest("id").via == "sweeper"


def test_a_payment_and_the_window_end_at_the_same_instant_one_wins(alice):
    """Twenty rounds: the payment and the sweeper released together. Exactly one ends each
    order: sold and kept, or back on sale with the payment given back."""
    event = event_with_seats(rows=4, seats_per_row=10, price="40.00")
    Event.objects.filter(pk=event.pk).update(
        paid_with="venue", pay_window_seconds=WINDOW, purchase_limit=40
    )
    buyer = bearer_client(alice)
    outcomes = set()
    for ids in zip(*[iter(seat_ids(event))] * 2, strict=True):
        order = order_of(buyer, event, list(ids))
        pay_by = Reservation.objects.get(pk=order["id"]).pay_by
        run_together(
            [
                partial(windows_close, now=pay_by),
                partial(
                    paid,
                    reservation_id=order["id"],
                    provider="venue",
                    reference=f"order-{order['id']}",
                    amount=Decimal("80.00"),
                ),
            ]
        )
        stored = Reservation.objects.get(pk=order["id"])
        payment = Payment.objects.get(reservation=stored, kind="payment")
        story = SeatChange.objects.filter(seat_id__in=ids).order_by("id")
        if stored.status == "confirmed":  # sold straight from `paying`, never back on sale
            assert statuses(ids) == ["reserved", "reserved"] and not payment.late
            assert [c.status_before for c in story][-2:] == ["paying", "paying"]
            assert (stored.amount_taken, stored.refunded) == (Decimal("80.00"), 0)
        else:
            assert stored.status == "expired" and statuses(ids) == ["available", "available"]
            assert payment.late and (stored.amount_taken, stored.refunded) == (80, 80)
        outcomes.add(stored.status)
    assert outcomes <= {"confirmed", "expired"}


def test_staff_may_not_reseat_or_refund_an_order_awaiting_payment(alice):
    event = paid_online()
    ids = seat_ids(event)
    order = order_of(bearer_client(alice), event, ids[:2])
    manager = staff_api("Manager")

    refund = manager.post(
        f"/api/staff/reservations/{order['id']}/refund/",
        {"refunded": "0.00", "reason": "asked"},
        format="json",
    )
    reseat = manager.post(
        f"/api/staff/reservations/{order['id']}/reseat/",
        {"moves": [[ids[0], ids[4]]], "reason": "asked"},
        format="json",
    )

    assert (refund.status_code, refund.json()["code"]) == (409, "awaiting_payment")
    assert (reseat.status_code, reseat.json()["code"]) == (409, "awaiting_payment")
    assert statuses(ids[:2]) == ["paying", "paying"] and statuses([ids[4]]) == ["available"]


def test_staff_told_no_for_a_seat_awaiting_payment_are_told_so(alice):
    event = paid_online()
    ids = seat_ids(event)
    order_of(bearer_client(alice), event, ids[:1])

    kept = staff_api("Manager").post(
        f"/api/staff/events/{event.id}/off-sale/take/",
        {"seat_ids": ids[:1], "kind": "kept"},
        format="json",
    )

    assert (kept.status_code, kept.json()["code"]) == (409, "seat_unavailable")
    label = Seat.objects.get(pk=ids[0]).label
    assert kept.json()["error"] == (
        f"Only free seats can be taken off sale; {label} is awaiting its buyer's payment."
    )


def test_staff_may_not_mark_paid_a_booking_sold_at_once(alice):
    event = event_with_seats(rows=1, seats_per_row=2)
    order = order_of(bearer_client(alice), event, seat_ids(event)[:1])
    answer = staff_api("Box office").post(
        f"/api/staff/reservations/{order['id']}/paid/", {"amount": "50.00"}, format="json"
    )
    assert (answer.status_code, answer.json()["code"]) == (409, "not_awaiting_payment")
    stored = Reservation.objects.get(pk=order["id"])
    assert (stored.amount_taken, stored.refunded) == (50, 0) and not Payment.objects.exists()


def test_staff_may_not_record_more_than_an_order_costs(alice):
    event = paid_online()
    order = order_of(bearer_client(alice), event, seat_ids(event)[:1])
    box_office = staff_api("Box office")
    url = f"/api/staff/reservations/{order['id']}/paid/"

    too_much = box_office.post(url, {"amount": "40.01"}, format="json")
    negative = box_office.post(url, {"amount": "-1"}, format="json")

    assert (too_much.status_code, too_much.json()["code"]) == (403, "amount_above_total")
    assert (negative.status_code, negative.json()["code"]) == (400, "invalid")
    assert not Payment.objects.exists()
    assert Reservation.objects.get(pk=order["id"]).status == "awaiting_payment"


def test_a_buyer_cancels_their_unpaid_order(alice):
    event = paid_online()
    ids = seat_ids(event)[:2]
    buyer = bearer_client(alice)
    order = order_of(buyer, event, ids)

    cancelled = buyer.post(f"/api/reservations/{order['id']}/cancel/", {}, format="json")

    assert cancelled.json()["reservation"]["status"] == "cancelled"
    assert statuses(ids) == ["available", "available"]


# --- Stripe Checkout, through the official library ------------------------------------------


@pytest.fixture
def stripe_api(settings):
    standin = StripeStandIn()
    settings.STRIPE_API_BASE = standin.url
    settings.STRIPE_SECRET_KEY = "sk_test_standin"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    yield standin
    standin.close()


def one_seat_ordered_through_stripe(buyer_account):
    """A buyer's client and their order of one seat, awaiting payment through Stripe."""
    event = paid_online("stripe")
    buyer = bearer_client(buyer_account)
    return buyer, order_of(buyer, event, seat_ids(event)[:1])


def notify(client, event: dict, secret: str = WEBHOOK_SECRET):
    body, signature = signed(event, secret)
    return client.post(
        "/api/payments/stripe/",
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature,
    )


def test_a_stripe_order_is_paid_once_however_often_its_notification_comes(alice, stripe_api):
    event = paid_online("stripe")
    ids = seat_ids(event)[:2]
    buyer = bearer_client(alice)
    order = order_of(buyer, event, ids)

    first = buyer.post(f"/api/reservations/{order['id']}/pay/").json()
    again = buyer.post(f"/api/reservations/{order['id']}/pay/").json()
    (session_id,) = stripe_api.sessions
    assert first["url"] == again["url"] == stripe_api.sessions[session_id]["url"]
    (create,) = [c for c in stripe_api.calls if c[1] == "/v1/checkout/sessions"]
    assert create[3] == f"reservation-{order['id']}-{create[2]['expires_at']}"
    assert create[2]["expires_at"] >= str(int(timezone.now().timestamp()) + 1800)

    completed = stripe_api.completed(session_id)
    answers = run_together([partial(notify, bearer_client(alice), completed) for _ in range(3)])

    assert [a.status_code for a in answers] == [200, 200, 200]
    stored = Reservation.objects.get(pk=order["id"])
    assert (stored.status, stored.amount_taken) == ("confirmed", Decimal("80.00"))
    assert statuses(ids) == ["reserved", "reserved"]
    assert Payment.objects.filter(reservation=stored, state="paid").count() == 1
    assert SeatChange.objects.filter(seat_id=ids[0]).latest("id").via == "stripe"


def test_a_stripe_order_with_a_window_over_a_day_pays_and_pays_again_after_its_session_ended(
    alice, stripe_api, client
):
    """Stripe takes a session that lasts a day at most: a longer window pays through one that
    ends first, and once it has ended unpaid, pay now starts another."""
    event = paid_online("stripe")
    Event.objects.filter(pk=event.pk).update(pay_window_seconds=3 * 24 * 3600)
    buyer = bearer_client(alice)
    order = order_of(buyer, event, seat_ids(event)[:1])
    url = f"/api/reservations/{order['id']}/pay/"

    first = buyer.post(url)
    assert first.status_code == 200, first.content
    (session_id,) = stripe_api.sessions
    assert notify(client, stripe_api.expired(session_id)).status_code == 200
    second = buyer.post(url)

    assert second.status_code == 200, second.content
    assert second.json()["url"] != first.json()["url"]
    (_, fresh) = stripe_api.sessions
    assert stripe_api.sessions[fresh]["status"] == "open"
    assert notify(client, stripe_api.completed(fresh)).status_code == 200
    assert Reservation.objects.get(pk=order["id"]).status == "confirmed"


def test_pay_now_while_stripe_is_out_of_reach_is_503_and_starts_nothing(
    alice, stripe_api, settings
):
    buyer, order = one_seat_ordered_through_stripe(alice)
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{free_port()}"  # nothing listens there

    answer = buyer.post(f"/api/reservations/{order['id']}/pay/")

    assert answer.status_code == 503, answer.content
    assert answer.json()["code"] == "unavailable"
    assert not Payment.objects.filter(reservation_id=order["id"]).exists()
    assert Reservation.objects.get(pk=order["id"]).status == "awaiting_payment"


def test_pay_now_that_stripe_refuses_is_409_with_its_words_and_starts_nothing(alice, stripe_api):
    """Stripe refuses a session under its least charge (0.50 in euros): the buyer is told so,
    and pointed to the box office, not shown a server error."""
    event = event_with_seats(rows=1, seats_per_row=2, price="0.40")
    Event.objects.filter(pk=event.pk).update(paid_with="stripe", pay_window_seconds=WINDOW)
    buyer = bearer_client(alice)
    order = order_of(buyer, event, seat_ids(event)[:1])

    answer = buyer.post(f"/api/reservations/{order['id']}/pay/")

    assert (answer.status_code, answer.json()["code"]) == (409, "payment_refused"), answer.content
    assert "at least" in answer.json()["error"] and "box office" in answer.json()["error"]
    assert not Payment.objects.filter(reservation_id=order["id"]).exists()
    assert Reservation.objects.get(pk=order["id"]).status == "awaiting_payment"


def test_a_stripe_payment_that_settles_later_confirms_its_order_when_it_lands(
    alice, stripe_api, client
):
    buyer, order = one_seat_ordered_through_stripe(alice)
    buyer.post(f"/api/reservations/{order['id']}/pay/")
    ((session_id, session),) = stripe_api.sessions.items()
    session.update(status="complete")  # a bank debit: complete, not paid yet

    completed = notify(client, stripe_api.event("checkout.session.completed", session))
    waiting = Reservation.objects.get(pk=order["id"]).status
    session.update(payment_status="paid", payment_intent=f"pi_{session_id}")
    landed = notify(client, stripe_api.event("checkout.session.async_payment_succeeded", session))

    assert (completed.status_code, waiting) == (200, "awaiting_payment")
    assert landed.status_code == 200
    stored = Reservation.objects.get(pk=order["id"])
    assert (stored.status, stored.amount_taken) == ("confirmed", Decimal("40.00"))


def test_a_stripe_payment_that_fails_later_lets_pay_now_start_another(alice, stripe_api, client):
    buyer, order = one_seat_ordered_through_stripe(alice)
    first = buyer.post(f"/api/reservations/{order['id']}/pay/").json()
    ((_, session),) = stripe_api.sessions.items()
    session.update(status="complete")

    failed = notify(client, stripe_api.event("checkout.session.async_payment_failed", session))
    again = buyer.post(f"/api/reservations/{order['id']}/pay/")

    assert failed.status_code == 200 and again.status_code == 200
    assert again.json()["url"] != first["url"] and len(stripe_api.sessions) == 2
    assert Reservation.objects.get(pk=order["id"]).status == "awaiting_payment"


def test_a_forged_stripe_notification_changes_nothing(alice, stripe_api, client):
    event = paid_online("stripe")
    order = order_of(bearer_client(alice), event, seat_ids(event)[:1])
    bearer_client(alice).post(f"/api/reservations/{order['id']}/pay/")
    (session_id,) = stripe_api.sessions

    answer = notify(client, stripe_api.completed(session_id), secret="whsec_someone_else")

    assert (answer.status_code, answer.json()["code"]) == (400, "invalid_signature")
    assert Reservation.objects.get(pk=order["id"]).status == "awaiting_payment"
    assert not Payment.objects.filter(state="paid").exists()


def test_a_refused_stripe_notification_says_no_exceptions_text(stripe_api, client):
    """API.md "Errors": never an exception's text, here the Stripe library's."""
    answer = notify(client, {"id": "evt_1", "type": "checkout.session.completed"}, secret="whsec_x")

    assert answer.json() == {
        "error": "Not a notification from Stripe.",
        "code": "invalid_signature",
    }


def test_a_stripe_payment_after_the_window_ended_is_refunded(alice, stripe_api, client):
    event = paid_online("stripe")
    ids = seat_ids(event)[:2]
    order = order_of(bearer_client(alice), event, ids)
    bearer_client(alice).post(f"/api/reservations/{order['id']}/pay/")
    (session_id,) = stripe_api.sessions
    windows_close(now=Reservation.objects.get(pk=order["id"]).pay_by)

    assert notify(client, stripe_api.completed(session_id)).status_code == 200

    stored = Reservation.objects.get(pk=order["id"])
    assert (stored.status, stored.amount_taken, stored.refunded) == ("expired", 80, 80)
    assert statuses(ids) == ["available", "available"]
    assert (refunds_send(), refunds_send()) == (1, 0)  # given back once, however often asked
    (refund,) = stripe_api.refunds
    assert (refund["payment_intent"], refund["amount"]) == (f"pi_{session_id}", 8000)
    header, paid_late, given_back = rows_of("payments", event.id)
    assert header[:6] == ["payment", "reservation", "kind", "provider", "state", "amount"]
    assert paid_late[2:6] + paid_late[9:10] == ["payment", "stripe", "paid", 80, True]
    assert given_back[2:6] + [given_back[7]] == ["refund", "stripe", "refunded", 80, refund["id"]]


def test_the_sweeper_expires_the_session_of_an_order_its_buyer_cancelled(alice, stripe_api):
    buyer, order = one_seat_ordered_through_stripe(alice)
    buyer.post(f"/api/reservations/{order['id']}/pay/")
    (session_id,) = stripe_api.sessions
    buyer.post(f"/api/reservations/{order['id']}/cancel/", {}, format="json")

    assert attempts_close() == 1

    assert stripe_api.sessions[session_id]["status"] == "expired"
    assert Payment.objects.get().state == "cancelled"


def test_the_sweeper_closes_an_attempt_whose_session_stripe_ended_first(alice, stripe_api, client):
    """A session Stripe ended on its own (its end passed, the notification lost) cannot be
    expired: the attempt is closed all the same, not asked again at every sweep, where a
    hundred of them kept every later one from its turn. Paid after all, its notification
    still settles it (late, and given back)."""
    buyer, order = one_seat_ordered_through_stripe(alice)
    buyer.post(f"/api/reservations/{order['id']}/pay/")
    ((session_id, session),) = stripe_api.sessions.items()
    session["status"] = "expired"
    buyer.post(f"/api/reservations/{order['id']}/cancel/", {}, format="json")

    assert attempts_close() == 1

    assert Payment.objects.get().state == "cancelled"
    assert attempts_close() == 0
    assert notify(client, stripe_api.completed(session_id)).status_code == 200
    stored = Reservation.objects.get(pk=order["id"])
    assert (stored.status, stored.amount_taken, stored.refunded) == ("cancelled", 40, 40)


def test_what_is_given_back_of_a_stripe_order_goes_back_through_stripe(alice, stripe_api, client):
    """Staff refund part of a paid order, then its buyer cancels the rest: each is given back
    through the provider that took it, once, for what the order records (money.py)."""
    event = paid_online("stripe")
    ids = seat_ids(event)[:2]
    buyer = bearer_client(alice)
    order = order_of(buyer, event, ids)
    buyer.post(f"/api/reservations/{order['id']}/pay/")
    (session_id,) = stripe_api.sessions
    notify(client, stripe_api.completed(session_id))

    staff_api("Manager").post(
        f"/api/staff/reservations/{order['id']}/refund/",
        {"seat_ids": [ids[0]], "refunded": "30.00", "reason": "a broken seat"},
        format="json",
    )
    assert refunds_send() == 1
    buyer.post(f"/api/reservations/{order['id']}/cancel/", {}, format="json")
    assert refunds_send() == 1

    assert [r["amount"] for r in stripe_api.refunds] == [3000, 5000]
    assert {r["payment_intent"] for r in stripe_api.refunds} == {f"pi_{session_id}"}
    assert Reservation.objects.get(pk=order["id"]).refunded == Decimal("80.00")


def test_a_refund_whose_answer_was_lost_is_asked_again_and_made_once(alice, stripe_api, client):
    """Stripe out of reach when a refund is sent (here: it made the refund, and its answers
    were lost): the refund stays `started`, and a later round asks again with the same key,
    which Stripe answers with the refund it made. Never `failed` (the organiser would give it
    back by hand a second time), never made twice."""
    buyer, order = one_seat_ordered_through_stripe(alice)
    buyer.post(f"/api/reservations/{order['id']}/pay/")
    (session_id,) = stripe_api.sessions
    notify(client, stripe_api.completed(session_id))
    buyer.post(f"/api/reservations/{order['id']}/cancel/", {}, format="json")
    stripe_api.unanswered = 3  # the library's first try and its two retries

    refunds_send()
    (refund,) = Payment.objects.filter(kind="refund")
    assert refund.state == "started"
    assert refunds_send() == 0  # not asked again at once
    Payment.objects.filter(pk=refund.pk).update(created_at=timezone.now() - timedelta(minutes=1))
    refunds_send()

    refund.refresh_from_db()
    assert (refund.state, refund.reference) == ("refunded", stripe_api.refunds[0]["id"])
    assert [r["amount"] for r in stripe_api.refunds] == [4000]


@pytest.mark.parametrize(
    ("currency", "price", "units"), [("JPY", "5000", 5000), ("KWD", "12.50", 12500)]
)
def test_stripe_is_asked_for_the_price_in_the_currencys_own_smallest_unit(
    alice, stripe_api, client, currency, price, units
):
    """Stripe counts yen whole and dinars in thousandths, not hundredths
    (docs.stripe.com/currencies): what it charges, confirms and gives back is the price."""
    event = paid_online("stripe")
    Event.objects.filter(pk=event.pk).update(currency=currency)
    Seat.objects.filter(event=event).update(price=Decimal(price))
    buyer, ids = bearer_client(alice), seat_ids(event)[:1]
    order = order_of(buyer, event, ids)
    buyer.post(f"/api/reservations/{order['id']}/pay/")
    (session_id,) = stripe_api.sessions
    notify(client, stripe_api.completed(session_id))
    buyer.post(f"/api/reservations/{order['id']}/cancel/", {}, format="json")
    refunds_send()

    assert stripe_api.sessions[session_id]["amount_total"] == units
    assert Reservation.objects.get(pk=order["id"]).amount_taken == Decimal(price)
    assert [r["amount"] for r in stripe_api.refunds] == [units]


def test_a_double_submit_of_pay_now_starts_one_payment(alice, stripe_api):
    event = paid_online("stripe")
    order = order_of(bearer_client(alice), event, seat_ids(event)[:1])
    url = f"/api/reservations/{order['id']}/pay/"

    answers = run_together([partial(bearer_client(alice).post, url) for _ in range(4)])

    assert {a.status_code for a in answers} == {200}
    assert len({a.json()["url"] for a in answers}) == 1
    assert [c[1] for c in stripe_api.calls] == ["/v1/checkout/sessions"]
    assert Payment.objects.filter(reservation_id=order["id"]).count() == 1


@pytest.mark.parametrize("path", ["django", "fast"], indirect=True)
def test_a_buyer_cancelling_as_the_payment_lands_keeps_no_money_and_no_seat(path):
    """Ten rounds, the buyer's cancel and the box office's settle released together, each on
    the path under test: whichever comes first, the order ends cancelled, its seats back on
    sale, and all it took given back."""
    event = event_with_seats(rows=2, seats_per_row=10, price="40.00")
    Event.objects.filter(pk=event.pk).update(paid_with="venue", purchase_limit=20)
    (buyer,) = users(1, prefix="canceller")
    post, settle = path.poster(buyer), path.poster(staff_in("Box office"))
    for ids in zip(*[iter(seat_ids(event))] * 2, strict=True):
        assert code_of(post(f"/api/events/{event.id}/lock/", {"seat_ids": list(ids)})) == "ok"
        order = post(f"/api/events/{event.id}/reserve/", {"seat_ids": list(ids)}).json()
        order_id = order["reservation"]["id"]
        run_together(
            [
                partial(post, f"/api/reservations/{order_id}/cancel/", {}),
                partial(settle, f"/api/staff/reservations/{order_id}/paid/", {"amount": "80"}),
            ]
        )
        stored = Reservation.objects.get(pk=order_id)
        assert stored.status == "cancelled" and statuses(ids) == ["available", "available"]
        assert (stored.amount_taken, stored.refunded) == (80, 80)


def test_a_console_refund_racing_the_payment_never_refunds_an_unpaid_order(alice):
    """Ten rounds, the box office's settle and a Manager's refund released together: the refund
    either finds the order awaiting payment and is refused whole, or comes after the payment and
    gives back what it took. Never money given back that was not taken."""
    event = event_with_seats(rows=2, seats_per_row=10, price="40.00")
    Event.objects.filter(pk=event.pk).update(paid_with="venue", purchase_limit=20)
    buyer, manager = bearer_client(alice), staff_api("Manager")
    refused = 0
    for ids in zip(*[iter(seat_ids(event))] * 2, strict=True):
        order = order_of(buyer, event, list(ids))
        refund = partial(
            manager.post,
            f"/api/staff/reservations/{order['id']}/refund/",
            {"refunded": "80.00", "reason": "asked"},
            format="json",
        )
        settle = partial(
            paid,
            reservation_id=order["id"],
            provider="venue",
            reference=f"order-{order['id']}",
            amount=Decimal("80.00"),
        )
        answer, _ = run_together([refund, settle])
        stored = Reservation.objects.get(pk=order["id"])
        if answer.status_code == 409:
            refused += 1
            assert answer.json()["code"] == "awaiting_payment"
            assert stored.status == "confirmed" and statuses(ids) == ["reserved", "reserved"]
            assert (stored.amount_taken, stored.refunded) == (80, 0)
        else:
            assert stored.status == "cancelled" and statuses(ids) == ["available", "available"]
            assert (stored.amount_taken, stored.refunded) == (80, 80)


# Who settles (None: a bad token), which order ("missing": none), the body.
SETTLE_SCRIPT = [
    ("bob", "first", {"amount": "80.00"}),  # forbidden: no role
    ("box office", "first", {"amount": "80.01"}),  # amount_above_total
    ("box office", "first", {"amount": "-1"}),  # invalid
    (None, "first", {"amount": "80.00"}),  # not_authenticated
    ("box office", "missing", {"amount": "80.00"}),  # not_found
    ("box office", "first", {"amount": "80.00", "reference": "till 3"}),  # 200, sold
    ("box office", "first", {"amount": "80.00"}),  # the same payment again: its answer
    ("box office", "sold at once", {"amount": "10.00"}),  # not_awaiting_payment
]


def test_a_settle_answers_exactly_as_through_django(fast, alice, bob):
    tokens = {"box office": bearer(staff_in("Box office")), "bob": bearer(bob)}
    tokens[None] = b"Bearer not-a-token"
    buyer = bearer_client(alice)
    sides = {}
    for side in ("fast", "django"):
        event, free = paid_online(), event_with_seats(rows=1, seats_per_row=1)
        sold = order_of(buyer, free, seat_ids(free))
        sides[side] = {"first": order_of(buyer, event, seat_ids(event)[:2])["id"]}
        sides[side] |= {"sold at once": sold["id"], "missing": 999_999_999}

    def request(side: str, step):
        who, order, body = step
        path = f"/api/staff/reservations/{sides[side][order]}/paid/"
        return path, tokens[who], json.dumps(body).encode()

    async def settles_on_the_loop():
        answers = []
        for step in SETTLE_SCRIPT:
            path, token, body = request("fast", step)
            headers = [(b"authorization", token), (b"content-type", JSON)]
            answers.append(await call(fast, path, headers=headers, body=body))
        return answers

    fast_answers = on_one_loop(fast, settles_on_the_loop)
    django_answers = []
    for step in SETTLE_SCRIPT:
        path, token, body = request("django", step)
        answer = APIClient().post(
            path, body, content_type="application/json", HTTP_AUTHORIZATION=token.decode()
        )
        django_answers.append((answer.status_code, answer.json()))

    assert fast.django_app.paths == []  # the loop answered every settle
    assert [status for status, _, _ in fast_answers] == [403, 403, 400, 401, 404, 200, 200, 409]
    for step, (status, body, _), django_answer in zip(
        SETTLE_SCRIPT, fast_answers, django_answers, strict=True
    ):
        assert (status, _as_shown(body)) == (django_answer[0], _as_shown(django_answer[1])), step
    for side, orders in sides.items():
        order = Reservation.objects.get(pk=orders["first"])
        assert (order.status, order.amount_taken) == ("confirmed", Decimal("80.00")), side
        payment = Payment.objects.get(reservation=order)
        assert (payment.actor.username, payment.settled_reference) == ("box_office", "till 3")
        via = SeatChange.objects.filter(seat_id__in=order.reserved_seats.values("seat_id"))
        assert list(via.order_by("id").values_list("via", flat=True))[-2:] == ["venue"] * 2


def _as_shown(body: dict) -> dict:
    """An answer without what differs side by side: ids, times, the event's name."""
    body = json.loads(json.dumps(body))
    for name in ("id", "created_at", "pay_by", "event"):
        body.pop(name, None)
    for seat in body.get("seats", []):
        seat.pop("id")
    return body


def test_the_sales_export_says_an_unpaid_orders_seats_are_not_sold(alice):
    """LEDGER.md "Exports": the seats sold are the `confirmed` rows; an order's seats while it
    awaits payment are not, nor once its window ended unpaid. Its channel is where it was
    booked (online), however it is paid."""
    event = paid_online()
    ids = seat_ids(event)
    buyer = bearer_client(alice)
    order, settled = order_of(buyer, event, ids[:1]), order_of(buyer, event, ids[1:2])
    paid(reservation_id=settled["id"], provider="venue", reference="till", amount=Decimal(40))

    (_, awaiting, sold) = rows_of("sales", event.id)
    windows_close(now=Reservation.objects.get(pk=order["id"]).pay_by)
    (_, expired, _) = rows_of("sales", event.id)

    assert (awaiting[:2], expired[:2], sold[:2]) == (
        [order["id"], "awaiting_payment"],
        [order["id"], "expired"],
        [settled["id"], "confirmed"],
    )
    channel = SALES_HEADER.index("channel")
    assert [awaiting[channel], expired[channel], sold[channel]] == ["online"] * 3


def test_a_late_stripe_payment_goes_back_through_stripe_whatever_was_paid_after_it(
    alice, stripe_api, client
):
    """The buyer pays at the box office while their Stripe page is open, then on that page too:
    the Stripe money (late) goes back through Stripe, and a refund of the cash after it by
    hand; each payment gives back no more than it took."""
    buyer, order = one_seat_ordered_through_stripe(alice)
    buyer.post(f"/api/reservations/{order['id']}/pay/")
    (session_id,) = stripe_api.sessions
    manager = staff_api("Manager")
    cash = manager.post(
        f"/api/staff/reservations/{order['id']}/paid/", {"amount": "40.00"}, format="json"
    )
    assert cash.json()["status"] == "confirmed", cash.json()
    notify(client, stripe_api.completed(session_id))

    assert refunds_send() == 1
    assert [(r["payment_intent"], r["amount"]) for r in stripe_api.refunds] == [
        (f"pi_{session_id}", 4000)
    ], "the late Stripe payment was not given back through Stripe"
    manager.post(
        f"/api/staff/reservations/{order['id']}/refund/",
        {"refunded": "40.00", "reason": "asked"},
        format="json",
    )
    assert refunds_send() == 1
    assert len(stripe_api.refunds) == 1
    given = Payment.objects.filter(kind="refund").order_by("id")
    assert [(r.provider, r.amount, r.state) for r in given] == [
        ("stripe", 40, "refunded"),
        ("venue", 40, "refunded"),
    ]


def test_pay_now_tried_again_after_stripes_answer_was_lost_starts_the_payment(alice, stripe_api):
    """Stripe made the session but its answers never came back (the library's retries too):
    503, and the buyer tries again, as API.md says, a moment later."""
    buyer, order = one_seat_ordered_through_stripe(alice)
    stripe_api.unanswered = 3  # the call and the library's two retries
    lost = buyer.post(f"/api/reservations/{order['id']}/pay/")
    assert (lost.status_code, lost.json()["code"]) == (503, "unavailable")
    # A second on (the library's retries mostly took it): the session's end, asked again from
    # now, is a later whole second.
    first_end = int(stripe_api.calls[0][2]["expires_at"])
    eventually(lambda: int((timezone.now() + Stripe.SHORTEST).timestamp()) > first_end)

    again = buyer.post(f"/api/reservations/{order['id']}/pay/")

    assert again.status_code == 200, again.json()
    (attempt,) = Payment.objects.filter(reservation_id=order["id"])
    assert stripe_api.sessions[attempt.reference]["url"] == again.json()["url"]
