"""The sockets of an event on this process that follow its door (PROTOCOL.md "The door"): the
organisers' consoles and the door's scanners. Each gets a `door` frame when a check-in moves a
gate's counts or tickets are revoked, encoded once for all of them."""

from .frames import encoded


class Doors:
    def __init__(self):
        self.sockets: dict[int, set] = {}

    def watch(self, watcher) -> None:
        self.sockets.setdefault(watcher.event_id, set()).add(watcher)

    def stop(self, watcher) -> None:
        doors = self.sockets.get(watcher.event_id)
        if doors is not None:
            doors.discard(watcher)
            if not doors:
                del self.sockets[watcher.event_id]

    def changed(self, event_id: int, gates: dict, revoked: list[int]) -> None:
        doors = self.sockets.get(event_id)
        if not doors:
            return
        frame = encoded({"type": "door", "gates": gates, "revoked": revoked})
        for watcher in doors:
            watcher.deliver_door(frame)

    def close(self) -> None:
        self.sockets.clear()
