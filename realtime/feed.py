"""One event's feed on this process: its frames merged over a window, then written to every
local watcher in slices.

* Merged (coalesce.py): deliveries grow with watchers × frames a second, not watchers × clicks.
  The first change after a quiet moment goes out at once; the changes that follow within the
  window go out together at its end: at most about one frame per window. The window is what
  keeps the event's deliveries within `WS_FANOUT_DELIVERIES_PER_SECOND` (local watchers / that
  budget), at most `WS_COALESCE_SECONDS`: a few watchers get every change at once, thousands
  get ten frames a second.
* Encoded once (frames.py): one JSON text and one WebSocket frame per merged frame, whatever
  the number of watchers.
* In slices: a fan-out to thousands of sockets is a few milliseconds of work per frame, and a
  click answered on the same loop (the fast path, reservations/api/fast.py) must not wait for
  all of it. After every FANOUT_SLICE sockets the fan-out yields to the loop, so a click that
  is ready runs between two slices. Frames of one event still reach each socket in order: one
  fan-out at a time per event, the next frame waits for the last slice of the one before.
* Measured (reservations/metrics.py): frames, deliveries, and the push lag from the oldest
  commit in a frame (its `ts`) to the frame's hand-over to the last socket of its fan-out.
"""

import asyncio
from collections import deque
from collections.abc import Callable, Collection

from django.conf import settings

from .coalesce import Coalescer, SeatsRun
from .frames import Encoded, encoded
from .socket_metrics import SEATS, seats_pushed

# Sockets written between two yields to the loop: ~1 ms of work at ~4 µs a delivery.
FANOUT_SLICE = 256
# Frames kept for sockets that resume (PROTOCOL.md "Resuming"): ~6 s at 10 frames a second.
RESUME_FRAMES = 64


class EventFeed:
    def __init__(
        self,
        event_id: int,
        watchers: Callable[[], Collection],
        too_slow: Callable[[object], None],
        window: Callable[[], float],
    ):
        self.event_id = event_id
        self._watchers = watchers  # this event's local watchers, as they are now
        self._too_slow = too_slow  # a watcher whose `deliver` said it cannot keep up
        self._window = window  # seconds to gather changes after a frame, asked at each frame
        self._coalescer = Coalescer()
        self._flush_timer: asyncio.TimerHandle | None = None
        self._frames: deque[tuple[Encoded, int, str, int]] = deque()  # + the frame's ts
        self._fanning_out: asyncio.Task | None = None
        self.sent_seq: tuple[str, int] | None = None  # the last frame handed to the fan-out
        # (frame, first_seq, seq, epoch) of the last frames sent, for sockets that resume
        self.history: deque[tuple[Encoded, int, int, str]] = deque(maxlen=RESUME_FRAMES)

    def add(self, seq: int, epoch: str, ts: int, changes: list[dict]) -> None:
        """One committed transaction's frame, in `seq` order as far as the relay could.

        A change after a quiet moment goes out at once; what follows within the window is
        gathered and goes out as one frame when the window ends (a throttle, leading and
        trailing edge): a watcher waits for the window only while the event is busy."""
        finished = self._coalescer.add(seq, epoch, ts, changes)
        if finished is not None:
            self._send(finished)
        if self._flush_timer is None:
            self._flush_now()

    def _flush_now(self) -> None:
        run = self._coalescer.take()
        if run is not None:
            self._send(run)
            window = self._window()
            if window > 0:
                self._flush_timer = asyncio.get_running_loop().call_later(
                    window, self._window_ended
                )

    def _window_ended(self) -> None:
        self._flush_timer = None
        self._flush_now()  # what gathered in the window, and a new window after it

    def close(self) -> None:
        if self._flush_timer is not None:
            self._flush_timer.cancel()
        if self._fanning_out is not None:
            self._fanning_out.cancel()

    def since(self, epoch: str, seq: int) -> list[tuple[Encoded, int, str]] | None:
        """The frames a socket that has everything up to `(epoch, seq)` still needs: those
        sent after it (the pending run follows by itself). None if they are no longer all
        here. A feed that has sent nothing yet cannot tell: None."""
        covered_from = None
        if self.history:
            covered_from = self.history[0][1]
        elif self._coalescer.run is not None:
            covered_from = self._coalescer.run.first_seq
        if covered_from is None or seq + 1 < covered_from:
            return None
        if any(frame_epoch != epoch for *_, frame_epoch in self.history):
            return None
        return [(frame, last, e) for frame, _, last, e in self.history if last > seq]

    def _send(self, run: SeatsRun) -> None:
        frame = encoded(run.message(self.event_id))
        SEATS.encoded()
        self._frames.append((frame, run.seq, run.epoch, run.ts))
        self.history.append((frame, run.first_seq, run.seq, run.epoch))
        self.sent_seq = (run.epoch, run.seq)
        if self._fanning_out is None:
            self._fanning_out = asyncio.ensure_future(self._fan_out())

    async def _fan_out(self) -> None:
        try:
            while self._frames:
                frame, seq, epoch, ts = self._frames.popleft()
                watchers = list(self._watchers())
                for start in range(0, len(watchers), FANOUT_SLICE):
                    if start:
                        await asyncio.sleep(0)
                    # The hot loop of a fan-out: one call a socket (BENCHMARK-FANOUT.md).
                    for watcher in watchers[start : start + FANOUT_SLICE]:
                        if not watcher.deliver(frame, seq, epoch):
                            self._too_slow(watcher)
                if watchers:
                    SEATS.delivered(len(watchers))
                    seats_pushed(ts)
        finally:
            self._fanning_out = None


def coalescing_window(watchers: int) -> float:
    """How long an event's changes are gathered after a frame (feed.py): long enough that its
    deliveries stay within the budget, never longer than WS_COALESCE_SECONDS."""
    budget = settings.WS_FANOUT_DELIVERIES_PER_SECOND
    ceiling = settings.WS_COALESCE_SECONDS
    return ceiling if budget <= 0 else min(ceiling, watchers / budget)
