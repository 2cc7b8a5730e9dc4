"""One socket's rules for what its client sends (PROTOCOL.md "Client to server"), apart from
the socket: the flood limit and the snapshot ration. Pure: the caller passes the clock, so it
is tested without ASGI; the consumer (consumers.py) only adapts it to Channels. Which relayed
frames go out is the outbox's (outbox.py).
"""

from dataclasses import dataclass, field
from enum import Enum, auto

import orjson

from .protocol import MAX_TOKEN_CHARS

# Token bucket per socket: a burst of FLOOD_BURST frames, refilled at FLOOD_RATE per second.
FLOOD_RATE = 10.0
FLOOD_BURST = 30.0
# After the snapshot sent on connecting, a socket gets at most one per this many seconds.
SNAPSHOT_INTERVAL = 2.0


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
class WatcherSession:
    connected_at: float
    max_frame_bytes: int
    bucket: FloodBucket = field(init=False)
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

    def snapshot_wait(self, now: float, reading: bool) -> float | None:
        """How long an asked-for snapshot waits for the ration (0: send it now); None when one
        is on its way already (`reading`: one is being read), which answers this request too.
        A wait schedules it."""
        if self.snapshot_due or reading:
            return None
        wait = max(0.0, self.next_snapshot_at - now)
        self.snapshot_due = wait > 0
        return wait

    def snapshot_reading(self, now: float) -> None:
        """A snapshot is being read: the ration starts."""
        self.snapshot_due = False
        self.next_snapshot_at = now + SNAPSHOT_INTERVAL
