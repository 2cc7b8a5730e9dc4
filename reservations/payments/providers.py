"""The payment providers behind one seam (pretix's shape, a few calls): start an order's
payment, read a signed notification of its outcome, refund, cancel an unpaid one. An event's
`paid_with` names its provider; settling.py calls them, never a view.

* ``Venue``: paid at the venue or by invoice. Nothing online: staff settle it in the console
  (API.md "Paying"), and give money back by hand.
* ``Stripe``: Stripe Checkout on the official library. A session per order that expires with
  its window (Stripe wants it at least 30 minutes ahead and at most a day), the order's id and
  the session's end as the idempotency key (with the attempt's number after the first: a
  session that ended unpaid lets another start), the webhook verified by the library
  (`Stripe-Signature`).
"""

from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.utils import timezone

from ..exceptions import PaymentRefused, ProviderAway
from ..models import Event, Reservation
from .models import Payment

if TYPE_CHECKING:
    import stripe

CENTS = Decimal("100")
# Stripe counts these currencies in whole units or in thousandths, the rest in hundredths
# (docs.stripe.com/currencies): its amounts are in the currency's smallest unit.
WHOLE = "BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF"
THOUSANDTHS = "BHD JOD KWD OMR TND"


def units(currency: str) -> Decimal:
    """How many of Stripe's amount make one of the currency."""
    if currency.upper() in WHOLE.split():
        return Decimal(1)
    return Decimal(1000) if currency.upper() in THOUSANDTHS.split() else CENTS


@dataclass(frozen=True)
class Checkout:
    """An attempt started: the provider's name of it, and its page (none: `instructions`)."""

    reference: str
    url: str = ""


@dataclass(frozen=True)
class Outcome:
    """What a signed notification says of an attempt: paid (`amount`), or ended unpaid."""

    reservation_id: int
    reference: str
    amount: Decimal | None  # None: it ended unpaid (the session expired)
    settled_reference: str = ""


class NotificationRefused(Exception):
    """A notification that is not the provider's (bad signature) or not understood."""


class Provider(Protocol):
    name: str

    def start(self, order: Reservation, *, return_url: str) -> Checkout: ...

    def instructions(self, order: Reservation) -> str: ...

    def notified(self, body: bytes, signature: str) -> Outcome | None: ...

    def refund(self, payment: Payment, amount: Decimal) -> str: ...

    def cancel(self, payment: Payment) -> None: ...


class Venue:
    name = Event.PaidWith.VENUE.value

    def start(self, order: Reservation, *, return_url: str) -> Checkout:
        return Checkout(reference=self.reference(order.id))

    @staticmethod
    def reference(order_id: int) -> str:
        """The one attempt of an order paid at the venue: staff's settling names it too."""
        return f"order-{order_id}"

    def instructions(self, order: Reservation) -> str:
        return (
            f"Pay {order.total_price} {order.event.currency} at the box office or by invoice, "
            f"quoting order {order.id}, by {order.pay_by:%H:%M} UTC."
        )

    def notified(self, body: bytes, signature: str) -> Outcome | None:
        raise NotificationRefused("Payments at the venue are settled in the console.")

    def refund(self, payment: Payment, amount: Decimal) -> str:
        return ""  # given back by hand, as it was taken

    def cancel(self, payment: Payment) -> None:
        pass


class Stripe:
    name = Event.PaidWith.STRIPE.value
    # Stripe refuses a session that expires sooner than this from its creation, or later than
    # a day after it (a minute kept back for the clocks' difference).
    SHORTEST = timedelta(minutes=30, seconds=30)
    LONGEST = timedelta(hours=23, minutes=59)

    def _client(self) -> "stripe.StripeClient":
        import stripe  # slow to import: paid where an event sells through Stripe, not by all

        return stripe.StripeClient(
            settings.STRIPE_SECRET_KEY,
            base_addresses={"api": settings.STRIPE_API_BASE},
            max_network_retries=2,
        )

    def start(self, order: Reservation, *, return_url: str) -> Checkout:
        # Past the window, a payment is refunded (settling.paid): the sweeper expires the
        # session when the window ends first. A window over a day outlives its session: one
        # that ended unpaid lets a new "pay now" start another, its own idempotency key.
        now = timezone.now()
        expires = min(max(order.pay_by, now + self.SHORTEST), now + self.LONGEST)
        attempt = order.payments.filter(kind=Payment.Kind.PAYMENT).count()
        # With the session's end: Stripe refuses a key used again with other parameters, as a
        # "pay now" tried again after an answer was lost asks for a later end.
        ends = int(expires.timestamp())
        key = f"reservation-{order.id}" + (f"-{attempt + 1}" if attempt else "") + f"-{ends}"
        seats = order.reserved_seats.filter(is_active=True).select_related("seat")
        import stripe  # its errors; slow to import (_client)

        try:
            session = self._client().v1.checkout.sessions.create(
                {
                    "mode": "payment",
                    "client_reference_id": str(order.id),
                    "metadata": {"reservation": str(order.id)},
                    "expires_at": ends,
                    "success_url": return_url,
                    "cancel_url": return_url,
                    "line_items": [
                        {
                            "quantity": 1,
                            "price_data": {
                                "currency": order.event.currency.lower(),
                                "unit_amount": int(seat.price * units(order.event.currency)),
                                "product_data": {"name": f"{order.event.name}: {seat.seat.label}"},
                            },
                        }
                        for seat in seats
                    ],
                },
                {"idempotency_key": key},
            )
        except (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError) as away:
            raise ProviderAway from away  # out of reach or in trouble: nothing started
        except stripe.InvalidRequestError as refused:
            # Not the buyer's to mend by trying again: the organiser's price or currency.
            raise PaymentRefused(
                f"The payment service would not take this payment ({refused.user_message}). "
                "Nothing was started: the box office can take it."
            ) from refused
        return Checkout(reference=session.id, url=session.url or "")

    def instructions(self, order: Reservation) -> str:
        return ""  # Stripe's page says it all

    def notified(self, body: bytes, signature: str) -> Outcome | None:
        import stripe

        try:
            event = stripe.Webhook.construct_event(body, signature, settings.STRIPE_WEBHOOK_SECRET)
        except (ValueError, stripe.SignatureVerificationError) as error:
            raise NotificationRefused(str(error)) from error
        session = event.data.object.to_dict()
        reservation = (session.get("metadata") or {}).get("reservation")
        if reservation is None or not str(reservation).isdigit():
            return None  # not one of ours (another integration's session)
        # A payment method that settles later (a bank debit) completes the session unpaid; its
        # outcome comes after, as `async_payment_succeeded` or `async_payment_failed`.
        if event.type in _PAID and session["payment_status"] == "paid":
            return Outcome(
                reservation_id=int(reservation),
                reference=session["id"],
                amount=Decimal(session["amount_total"]) / units(session["currency"]),
                settled_reference=session.get("payment_intent") or "",
            )
        if event.type in _ENDED_UNPAID:
            return Outcome(reservation_id=int(reservation), reference=session["id"], amount=None)
        return None  # other events: nothing to settle

    def refund(self, payment: Payment, amount: Decimal) -> str:
        import stripe  # its errors; slow to import (_client)

        try:
            refund = self._client().v1.refunds.create(
                {
                    "payment_intent": payment.settled_reference,
                    "amount": int(amount * units(payment.reservation.event.currency)),
                },
                {"idempotency_key": f"refund-{payment.id}"},
            )
        except (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError) as away:
            raise ProviderAway from away  # not refused: asked again, with the same key
        return refund.id

    def cancel(self, payment: Payment) -> None:
        import stripe  # its errors; slow to import (_client)

        # Refused when not open any more: ended at Stripe, or paid (its notification settles it).
        with suppress(stripe.InvalidRequestError):
            self._client().v1.checkout.sessions.expire(payment.reference)


_PAID = ("checkout.session.completed", "checkout.session.async_payment_succeeded")
_ENDED_UNPAID = ("checkout.session.expired", "checkout.session.async_payment_failed")

PROVIDERS: dict[str, Provider] = {p.name: p for p in (Venue(), Stripe())}


def provider_of(name: str) -> Provider:
    return PROVIDERS[name]
