"""Putting an event's messages back in `seq` order before they reach the sockets."""

from typing import Any

Entry = tuple[Any, int, str]  # (the frame, its seq, its epoch)

REORDER_WAIT_SECONDS = 0.05


class SeqReorder:
    """Puts an event's messages back in `seq` order before they reach the sockets.

    Publishers on several threads and processes take `seq` and send in two steps, so message
    63 can overtake 62 on the way. Passed on as they come, every watcher would see a gap at
    once and ask for a snapshot. Here a message that comes early waits (at most
    REORDER_WAIT_SECONDS) for the ones before it; if they never come, the waiting ones go out
    and the clients resync on the gap, as PROTOCOL.md has them.
    """

    def __init__(self, start_timer):
        self._start_timer = start_timer
        self._timer = None
        self.epoch: str | None = None
        self.expected: int | None = None
        self.waiting: dict[int, Entry] = {}

    def admit(self, frame: Any, seq: int, epoch: str) -> list[Entry]:
        entry = (frame, seq, epoch)
        if epoch != self.epoch or self.expected is None:
            released = self.release_all()
            self.epoch, self.expected = epoch, seq + 1
            return [*released, entry]
        if seq < self.expected:
            return [entry]  # late or repeated: clients drop it by seq, or it fills their gap
        self.waiting[seq] = entry
        released = []
        while self.expected in self.waiting:
            released.append(self.waiting.pop(self.expected))
            self.expected += 1
        if self.waiting and self._timer is None:
            self._timer = self._start_timer()
        elif not self.waiting and self._timer is not None:
            self._timer.cancel()
            self._timer = None
        return released

    def timer_fired(self) -> list[Entry]:
        self._timer = None  # the timer is the caller: release without cancelling it
        return self.release_all()

    def release_all(self) -> list[Entry]:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        released = [self.waiting[seq] for seq in sorted(self.waiting)]
        self.waiting.clear()
        if released:
            self.expected = max(self.expected or 0, released[-1][1] + 1)
        return released
