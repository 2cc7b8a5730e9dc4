"""The organiser's roles: who may do what in the console (docs/API.md "The organiser's
console"). Each is a Django group of the event permissions it needs; staff are put in them in
the admin. A superuser may do everything."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

ROLES = {
    "Box office": ["view_console", "sell_at_box_office", "change_bookings"],
    "Manager": [
        "view_console",
        "sell_at_box_office",
        "change_bookings",
        "keep_seats",
        "export_event",
        "change_event",  # the event's limits
    ],
}


def role_group(name: str, *, group_model=Group, permission_model=Permission):
    """The role's group, made with its permissions if it is not there (migration 0019 makes
    both; a test database flushed between tests needs them again)."""
    group, _ = group_model.objects.get_or_create(name=name)
    group.permissions.add(
        *permission_model.objects.filter(
            content_type__app_label="reservations", codename__in=ROLES[name]
        )
    )
    return group


def may_watch_the_sale(user_id: int) -> bool:
    """Whether the account may watch a sale in the console: its seats during a waiting room
    too, without a turn (PROTOCOL.md "Waiting room")."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    return user is not None and user.has_perm("reservations.view_console")
