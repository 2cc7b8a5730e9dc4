"""One socket's rules (PROTOCOL.md "Client to server"), apart from the socket: the flood limit,
the snapshot ration, the frames held while a snapshot is read, and which relayed frames a
snapshot already holds. Pure: the caller passes the clock, so it is tested without ASGI; the
consumer (consumers.py) only adapts it to Channels.
"""

from dataclasses import dataclass, field
from enum import Enum, auto
from typing import Generic, TypeVar

import orjson

from .protocol import MAX_TOKEN_CHARS

# Token bucket per socket: a burst of FLOOD_BURST frames, refilled at FLOOD_RATE per second.
FLOOD_RATE = 10.0
FLOOD_BURST = 30.0
# After the snapshot sent on connecting, a socket gets at most one per this many seconds.
SNAPSHOT_INTERVAL = 2.0

Frame = TypeVar("Frame")


class Answer(Enum):
    """What a client's frame gets."""

    PONG = auto()
    SNAPSHOT = auto()
    AUTH = auto()  # the socket says whose it is: `offered_token` (None: nobody's)
    TURN = auto()  # the socket shows a turn of the waiting room: `offered_token`
    INVALID = auto()  # `{"type": "error", "code": "invalid"}`, the socket stays open
    CLOSE_TOO_MANY = auto()  # a flood: the socket is closed with CloseCode.TOO_MANY
    CLOSE_TOO_BIG = auto()  # a frame over the limit: closed with CloseCode.TOO_BIG (1009)


@dataclass(slots=True)
class FloodBucket:
    rate: float
    burst: float
    refilled: float
    tokens: float = 0.0

    def __post_init__(self):
        self.tokens = self.burst

    def take(self, now: float) -> bool:
        """One frame's token; False once the bucket is empty (a flood)."""
        self.tokens = min(self.burst, self.tokens + (now - self.refilled) * self.rate)
        self.refilled = now
        self.tokens -= 1
        return self.tokens >= 0


@dataclass(slots=True)
class WatcherSession(Generic[Frame]):
    connected_at: float
    max_frame_bytes: int
    bucket: FloodBucket = field(init=False)
    # Relayed frames that came while a snapshot is read, as (frame, seq, epoch); None: not
    # reading one. A new socket reads its first snapshot (or resumes) before anything else.
    pending: list[tuple[Frame, int, str]] | None = field(default_factory=list)
    # Where the last snapshot (or resume) left the socket: a relayed frame at or below it is
    # in the snapshot already.
    position: tuple[str, int] = ("", 0)
    next_snapshot_at: float = 0.0
    snapshot_due: bool = False  # one is scheduled for the end of the ration's window
    offered_token: str | None = None  # the token of the last `auth` or `turn` frame

    def __post_init__(self):
        self.bucket = FloodBucket(FLOOD_RATE, FLOOD_BURST, self.connected_at)

    def frame_in(self, frame: str | bytes | None, now: float) -> Answer:
        """The answer to a client's frame."""
        if not self.bucket.take(now):
            return Answer.CLOSE_TOO_MANY
        # The shipped server (config/server.py) refuses a frame over the limit unread (1009);
        # this is the same close for servers without a frame limit of their own (daphne).
        if frame is not None and len(frame) > self.max_frame_bytes:
            return Answer.CLOSE_TOO_BIG
        try:
            parsed = orjson.loads(frame)
            kind = parsed.get("type") if parsed is not None else None
        except (orjson.JSONDecodeError, AttributeError, TypeError):
            kind = None
        if kind == "ping":
            return Answer.PONG
        if kind == "snapshot":
            return Answer.SNAPSHOT
        if kind == "auth":
            token = parsed.get("token")
            if token is None or (isinstance(token, str) and 0 < len(token) <= MAX_TOKEN_CHARS):
                self.offered_token = token
                return Answer.AUTH
        if kind == "turn":
            token = parsed.get("token")
            if isinstance(token, str) and 0 < len(token) <= MAX_TOKEN_CHARS:
                self.offered_token = token
                return Answer.TURN
        return Answer.INVALID

    def snapshot_wait(self, now: float) -> float | None:
        """How long an asked-for snapshot waits for the ration (0: send it now); None when one
        is on its way already, which answers this request too. A wait schedules it."""
        if self.snapshot_due or self.pending is not None:
            return None
        wait = max(0.0, self.next_snapshot_at - now)
        self.snapshot_due = wait > 0
        return wait

    def snapshot_reading(self, now: float) -> None:
        """A snapshot is being read: relayed frames wait for it, and the ration starts."""
        self.snapshot_due = False
        if self.pending is None:
            self.pending = []
        self.next_snapshot_at = now + SNAPSHOT_INTERVAL

    def snapshot_read(self, epoch: str, seq: int) -> list[tuple[Frame, int, str]]:
        """The snapshot at (epoch, seq) is sent: the frames that waited, to deliver now."""
        self.position = (epoch, seq)
        pending, self.pending = self.pending or [], None
        return pending

    def resumed(
        self, epoch: str, seq: int, frames: list[tuple[Frame, int, str]]
    ) -> tuple[list[Frame], list[tuple[Frame, int, str]]]:
        """Going on from (epoch, seq) (PROTOCOL.md "Resuming"): the frames sent since, to put
        after `resumed`, and those that came while joining, to deliver."""
        for _, frame_seq, _ in frames:
            seq = max(seq, frame_seq)
        return [frame for frame, _, _ in frames], self.snapshot_read(epoch, seq)

    def relayed(self, frame: Frame, seq: int, epoch: str) -> bool:
        """Whether a relayed frame goes out now: not while a snapshot is read (it waits), not
        when the snapshot holds its last transaction already."""
        if self.pending is not None:
            self.pending.append((frame, seq, epoch))
            return False
        snapshot_epoch, snapshot_seq = self.position
        return not (epoch == snapshot_epoch and seq <= snapshot_seq)

    def presence_now(self) -> bool:
        """Presence goes out only while no snapshot is read; it is not held (the next one
        tells the count again)."""
        return self.pending is None
