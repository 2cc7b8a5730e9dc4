"""The organiser's roles: who may do what in the console (docs/API.md "The organiser's
console"). Each is a Django group of the event permissions it needs; staff put in the group in
the admin have the role on every event (one organiser's instance), staff named on an event's
page (`EventStaff`) on that event only. A superuser may do everything."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from .booking.sql import Statement
from .exceptions import RoleRefused
from .models import EventStaff, Reservation

ROLES = {
    "Box office": ["view_console", "sell_at_box_office", "change_bookings"],
    "Manager": [
        "view_console",
        "sell_at_box_office",
        "change_bookings",
        "keep_seats",
        "export_event",
        "change_event",  # the event's limits
        "scan_tickets",  # an organiser can run the door too
    ],
    "Door": ["scan_tickets"],  # scans tickets at the door (docs/API.md "Tickets"), nothing else
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


def may(user, codename: str, *, event_id: int | None) -> bool:
    """Whether `user` may do `codename` in the console of the event: by a role on every event,
    or on this one."""
    if not user.is_authenticated:
        return False
    statement = may_statement(user_id=user.pk, codenames=(codename,), event_id=event_id)
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, statement.params)
        return bool(cursor.fetchone()[0])


def may_statement(
    *,
    user_id: int,
    codenames: tuple[str, ...],
    event_id: int | None = None,
    reservation_id: int | None = None,
) -> Statement:
    """`may` of each codename, as one statement whose one row says yes or no to each: an active
    account that is a superuser, holds the permission (as Django's ModelBackend, our one
    backend, answers `has_perm`: its own or a group's), or is staff of the event (or of the
    booking's event) in a role that has it. Django's own reads of every permission an account
    has cost a door scan 1.4 ms of CPU against 0.1; the loop's steps send it in their first
    round trip (tickets/door.py), or as the first columns of it (payments/settling.py)."""
    columns, params = may_columns(
        user_id=user_id, codenames=codenames, event_id=event_id, reservation_id=reservation_id
    )
    return Statement(f"SELECT {columns}", params)


def may_columns(
    *,
    user_id: int,
    codenames: tuple[str, ...],
    event_id: int | None = None,
    reservation_id: int | None = None,
) -> tuple[str, dict]:
    """`may_statement`'s columns and their parameters, for a statement that reads them with
    its own."""
    user = get_user_model()
    held = user.user_permissions.through._meta.db_table
    members, given = user.groups.through._meta.db_table, Group.permissions.through._meta.db_table
    event = "%(event_id)s"
    if reservation_id is not None:
        event = f"(SELECT event_id FROM {Reservation._meta.db_table} WHERE id = %(reservation_id)s)"
    params: dict = {"user_id": user_id, "event_id": event_id, "reservation_id": reservation_id}
    columns = []
    for n, codename in enumerate(codenames):
        roles = [name for name, codenames in ROLES.items() if codename in codenames] or [""]
        named = {f"role_{n}_{k}": role for k, role in enumerate(roles)}
        params |= {f"codename_{n}": codename, **named}
        columns.append(f"""EXISTS (SELECT 1 FROM {user._meta.db_table} u WHERE u.id = %(user_id)s
            AND u.is_active AND (u.is_superuser
            OR EXISTS (SELECT 1 FROM {Permission._meta.db_table} p
                JOIN {ContentType._meta.db_table} t ON t.id = p.content_type_id
                WHERE t.app_label = 'reservations' AND p.codename = %(codename_{n})s AND (
                    p.id IN (SELECT permission_id FROM {held} WHERE user_id = u.id)
                    OR p.id IN (SELECT g.permission_id FROM {given} g
                        JOIN {members} m ON m.group_id = g.group_id WHERE m.user_id = u.id)))
            OR EXISTS (SELECT 1 FROM {EventStaff._meta.db_table} s WHERE s.user_id = u.id
                AND s.event_id = {event}
                AND s.role IN ({", ".join(f"%({name})s" for name in named)}))))""")
    return ", ".join(columns), params


def refused_role(allowed: tuple, codenames: tuple[str, ...]) -> None:
    """Raise for the first codename `may_statement`'s row says no to."""
    for codename, yes in zip(codenames, allowed, strict=True):
        if not yes:
            raise RoleRefused(codename)


def event_permissions(user) -> dict[int, list[str]]:
    """What the account may do on each event it is staff of, by its roles there (`me/`'s
    `console_events`)."""
    mays: dict[int, set[str]] = {}
    if user.is_authenticated:
        for event_id, role in EventStaff.objects.filter(user=user).values_list("event_id", "role"):
            mays.setdefault(event_id, set()).update(ROLES[role])
    return {event_id: sorted(codenames) for event_id, codenames in mays.items()}


def may_watch_the_sale(user_id: int, event_id: int, codename: str = "view_console") -> bool:
    """Whether the account may watch the event's sale in the console: its seats during a
    waiting room too, without a turn (PROTOCOL.md "Waiting room"); or, asked of
    `scan_tickets`, follow its door from a scanner."""
    user = get_user_model()(pk=user_id)  # `may` reads the account itself
    return may(user, codename, event_id=event_id)
