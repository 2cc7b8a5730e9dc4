"""Who changes seats, through what and why: the context the ledger's trigger reads.

The entry points that know it say it once, around their work: the booking calls
(`Via.ONLINE`, either path), the sweeper, the admin (with the staff member), a command. A
change made with none set is still recorded, as `unknown`.

The trigger reads it from the transaction. On PostgreSQL, the settings `seatmap.via`,
`seatmap.actor` and `seatmap.reason`, set transaction-locally in the statement a transaction
sends before its first lock (booking/locking.py `transaction_settings`): no round trip of its
own. The loop's connections straight to PostgreSQL say a buyer's own call (`ONLINE`) once, as
their session's (locking.py `session_options`), so a booking call there sends none. On SQLite
(the embedded default), the function `seatmap_change(name)`, which each connection has
(registered below), reads it from the thread that runs the statement.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace

from .models import Via


@dataclass(frozen=True)
class ChangeContext:
    via: str = Via.UNKNOWN.value
    actor_id: int | None = None  # the staff member; None: the account itself, or the system
    reason: str = ""


NONE_SAID = ChangeContext()
ONLINE = ChangeContext(via=Via.ONLINE.value)  # a buyer's own booking call
_current: ContextVar[ChangeContext] = ContextVar("seat_change_context", default=NONE_SAID)


@contextmanager
def seat_changes(via: Via, *, actor_id: int | None = None) -> Iterator[None]:
    """The seats changed within are changed through `via`, by `actor_id` (staff) if given."""
    token = _current.set(ChangeContext(via=via.value, actor_id=actor_id))
    try:
        yield
    finally:
        _current.reset(token)


@contextmanager
def seat_changes_because(reason: str) -> Iterator[None]:
    """The reason a person gave for the changes within (by whom and how: as set around it)."""
    token = _current.set(replace(_current.get(), reason=reason))
    try:
        yield
    finally:
        _current.reset(token)


def context_is_online() -> bool:
    """Whether the changes now are a buyer's own booking call (`ONLINE`)."""
    return _current.get() == ONLINE


def context_settings() -> dict[str, str]:
    """The context as the PostgreSQL settings' values ("" for none)."""
    context = _current.get()
    actor = "" if context.actor_id is None else str(context.actor_id)
    return {"via": context.via, "actor": actor, "reason": context.reason}


def _context_value(name: str):
    """`seatmap_change(name)` on SQLite: the context's via, actor or reason."""
    context = _current.get()
    return {"via": context.via, "actor": context.actor_id, "reason": context.reason}.get(name)


def context_function_register(sender, connection, **kwargs) -> None:
    """On `connection_created`: give a SQLite connection the function its trigger calls."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("seatmap_change", 1, _context_value)
