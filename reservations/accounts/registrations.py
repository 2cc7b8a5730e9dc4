"""Bursts of registrations: how many accounts one client address (an IPv6 client's /64, as
every per-address limit counts it: reservations/client_address.py) made within the hour around
an account's own registration. Many accounts from one address at once is how one person gets
many places in a waiting room; the admin's user list shows the count and filters on it."""

from datetime import timedelta

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from .models import Account

# Half the window on each side of an account's own registration.
BURST_HALF_WINDOW = timedelta(minutes=30)


def with_registered_near(users: QuerySet) -> QuerySet:
    """`users` (of the user model) annotated with `registered_near`: accounts registered from
    the same address within BURST_HALF_WINDOW of each (itself included); 0 for an account whose
    address is unknown (made by the admin or a command)."""
    near = (
        Account.objects.exclude(registered_from="")
        .filter(
            registered_from=OuterRef("account__registered_from"),
            user__date_joined__gte=OuterRef("date_joined") - BURST_HALF_WINDOW,
            user__date_joined__lte=OuterRef("date_joined") + BURST_HALF_WINDOW,
        )
        .order_by()
        .values("registered_from")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return users.annotate(registered_near=Coalesce(Subquery(near), 0))
