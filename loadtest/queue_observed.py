"""What the queue profile observes of each buyer (`Observed`), and the frames it read: plain
data, so that the verdict and the figures (queue_verdict.py, queue_figures.py) are pure
functions of it and can be tested on crafted observations.

Every time is wall-clock nanoseconds (`time.time_ns()`), the clock the server's `at` is
written in: on one machine they compare directly; against a remote server the run measures the
offset once (queue_run.py) and says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

import orjson


class QueueFrame(NamedTuple):
    """One `queue` frame (PROTOCOL.md "Waiting room"), the fields the profile reads."""

    at_ns: int  # when the server built the state
    state: str
    serving: int
    rate: int  # numbers called in the last minute
    show_share: float
    drawn: bool
    seats_left: int


def iso_ns(text: str) -> int:
    """An RFC 3339 time of the API (`...Z`, microseconds or none) in ns since the epoch."""
    return int(datetime.fromisoformat(text).timestamp() * 1_000_000) * 1000


def frame_of(message: dict) -> QueueFrame:
    """The message's fields by the names QueueFrame gives them, `at` in ns."""
    return QueueFrame(iso_ns(message["at"]), *(message[name] for name in QueueFrame._fields[1:]))


# Frame text -> its parsed frame: the server sends every waiting socket the same text, so a
# thousand sockets parse it once.
_queue_frames: dict[str, tuple[dict, QueueFrame | None]] = {}


def parsed(text: str) -> tuple[dict, QueueFrame | None]:
    """A frame's message, and its QueueFrame if it is a `queue` frame (shared by every socket
    that receives the same text: read only)."""
    known = _queue_frames.get(text)
    if known is not None:
        return known
    message = orjson.loads(text)
    if message.get("type") != "queue":
        return message, None
    known = (message, frame_of(message))
    if len(_queue_frames) > 256:
        _queue_frames.clear()
    _queue_frames[text] = known
    return known


@dataclass
class Observed:
    """One buyer as the load tester saw it: its place, every queue frame its socket read, its
    claim and what it booked."""

    index: int
    no_show: bool = False
    entry_id: str | None = None
    number: int | None = None
    late: bool | None = None
    join_code: str | None = None  # "ok", or why the join was refused
    joined_ns: int | None = None  # the join's answer (ok)
    number_ns: int | None = None  # when the buyer first knew its number
    frames: list[tuple[int, QueueFrame]] = field(default_factory=list)  # (received, frame)
    opened_ns: list[int] = field(default_factory=list)  # each time its socket (re)opened
    claim_sent_ns: int | None = None
    claim_answered_ns: int | None = None
    claim_code: str | None = None  # "ok", or the refusal's code
    claim_attempts: int = 0
    turn_shown_ns: int | None = None  # the snapshot after its turn frame
    seats_booked: int = 0
    places_told: list[tuple[str, int | None]] = field(default_factory=list)  # place frames
    open_at_end: bool = False  # its socket was open when the run ended

    @property
    def claimed(self) -> bool:
        return self.claim_code == "ok"


class Call(NamedTuple):
    """When a buyer's socket saw its number called: the first frame with `serving` at or past
    it. `certain`: its socket was open since the frame before (a reconnect between the two
    could have hidden an earlier call)."""

    received_ns: int
    at_ns: int
    certain: bool


def call_of(seen: Observed) -> Call | None:
    if seen.number is None:
        return None
    previous_ns = None
    for received_ns, frame in seen.frames:
        if frame.serving >= seen.number:
            certain = previous_ns is not None and not any(
                previous_ns < opened <= received_ns for opened in seen.opened_ns[1:]
            )
            return Call(received_ns, frame.at_ns, certain)
        previous_ns = received_ns
    return None


def first_sold_out(seen: Observed) -> tuple[int, QueueFrame] | None:
    """The first `sold_out` frame this buyer's socket read."""
    return next(((ns, f) for ns, f in seen.frames if f.state == "sold_out"), None)


def frames_read(observed: list[Observed]) -> list[QueueFrame]:
    """Every distinct frame any socket read, by the server's `at`."""
    frames = {frame.at_ns: frame for seen in observed for _, frame in seen.frames}
    return [frames[at] for at in sorted(frames)]
