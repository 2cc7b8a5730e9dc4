"""What a sale took, defined once: for the console, the exports, the metrics and the inventory
check (docs/API.md "The organiser's console", docs/LEDGER.md "The money").

A reservation records what its buyer paid (`amount_taken`: online the total as sold, or what
its payment provider confirmed, at the box office what staff took, a comp's nothing; an order
awaiting payment took nothing yet) and what was given back since (`refunded`, never
more than was paid). A reseat changes which seats a booking holds and its `total_price`, not what
was paid; a refund adds to `refunded`; a buyer's own cancel gives back everything. So the
takings are what was paid less what was given back, each counted once, whatever happened to
the seats.
"""

from decimal import Decimal

from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce

from .models import Reservation

ZERO = Decimal("0.00")

# A sum over reservations: what they took.
TAKEN = Coalesce(Sum(F("amount_taken") - F("refunded")), ZERO)
REFUNDED = Coalesce(Sum("refunded"), ZERO)
# What orders awaiting payment will take if they are paid (payments/), counted apart.
AWAITING = Coalesce(Sum("total_price", filter=Q(status=Reservation.Status.AWAITING_PAYMENT)), ZERO)


def refundable(reservation: Reservation) -> Decimal:
    """What may still be given back: what the booking took, less what it gave back already."""
    return reservation.amount_taken - reservation.refunded
