"""From a committed change to every watcher's process: one route, whatever committed it.

Reservations announces committed changes with its ``seats_changed`` signal (sent after commit;
see reservations/signals.py); ``RealtimeConfig.ready`` connects ``on_seats_changed`` to it.
Every announcement, from a request thread, the fast path on the event loop, the sweeper, a
command or a test, takes the same route: ``seats_publish`` hands it to the publisher of an
event loop (``publisher_loop`` says which), and that ``_Publisher`` sends it to Redis in
batches. In a server every commit reaches the server's loop (config/asgi.py binds it); a
process without one (a command) gets a loop on a thread of its own.

A failure to send (Redis away) is logged, never raised: the booking has committed and its
answer must not turn into an error. Watchers resync by seq/epoch.
"""

import asyncio
import atexit
import logging
import threading
import time
import weakref

from reservations.redis_primary import SIGN_OUTS_GROUP, event_group
from reservations.signals import SeatChange

from .cancellation import raise_if_cancelled
from .hub import hub_if_running
from .protocol import seat_change
from .redis_clients import async_client, group_send
from .sequence import counters

logger = logging.getLogger("realtime.broadcast")


def on_seats_changed(sender, *, event_id: int, changes: list[SeatChange], **kwargs) -> None:
    """The receiver of reservations' `seats_changed` (connected in RealtimeConfig.ready)."""
    seats_publish(
        event_id,
        [seat_change(c.id, c.status, c.version, c.held_until) for c in changes],
        [c.owner for c in changes],
    )


def on_queue_changed(sender, *, event_id: int, state: dict, **kwargs) -> None:
    """The receiver of reservations' `queue_changed`: the waiting room's state to every process
    that has sockets of the event (the hub sends it to them, PROTOCOL.md "Waiting room"). Redis
    away: the tick pauses admission and sends again."""
    message = {"type": "queue.message", "event_id": event_id, "state": state}
    _on_publisher_loop(_send_in_background, event_group(event_id), message)


def on_door_changed(sender, *, event_id: int, gates: dict, revoked: list[int], **kwargs) -> None:
    """The receiver of reservations' `door_changed`: revoked tickets, or a gate's counts, to
    every process with sockets of the event (the hub sends them to its consoles and scanners).
    A gate's counts are gathered for DOOR_GATHER_SECONDS and go out as one message: at a
    venue's opening a process answers hundreds of scans a second, and a publish of each took
    a tenth of its CPU and held the console's frames back behind them (BENCHMARKS.md, the door)."""
    if revoked:
        message = {"type": "door.message", "event_id": event_id, "gates": {}, "revoked": revoked}
        _on_publisher_loop(_send_in_background, event_group(event_id), message)
    if gates:
        _on_publisher_loop(_gates_gathered, event_id, gates)


# How long a gate's counts wait for others' before they are published: a console's counts lag
# the door by at most this (PROTOCOL.md "The door").
DOOR_GATHER_SECONDS = 0.05
# Each publisher loop's gathered counts, by event (a test's loop may close before its timer
# fires: what it gathered goes with it, and never stops another loop's).
_gates_pending: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, dict]]" = (
    weakref.WeakKeyDictionary()
)


def _gates_gathered(event_id: int, gates: dict) -> None:
    loop = asyncio.get_running_loop()
    waiting = _gates_pending.setdefault(loop, {})
    pending = waiting.get(event_id)
    if pending is None:
        pending = waiting[event_id] = {}
        loop.call_later(DOOR_GATHER_SECONDS, _gates_sent, waiting, event_id)
    for gate, counts in gates.items():  # totals only grow: the largest is the latest
        kept = pending.setdefault(gate, counts)
        pending[gate] = {name: max(value, kept[name]) for name, value in counts.items()}


def _gates_sent(waiting: dict, event_id: int) -> None:
    gates = waiting.pop(event_id)
    message = {"type": "door.message", "event_id": event_id, "gates": gates, "revoked": []}
    _send_in_background(event_group(event_id), message)


def on_family_revoked(sender, *, family: str, **kwargs) -> None:
    """The receiver of reservations' `family_revoked`: every process ends the identity of its
    sockets of that login (hub.family_revoked). Redis away: those sockets are closed anyway
    (relay.py), and reconnect anonymous or with a fresh token."""
    message = {"type": "family.revoked", "family": family}
    _on_publisher_loop(_send_in_background, SIGN_OUTS_GROUP, message)


def account_group(account: int) -> str:
    """The group of an account's sockets (accounts.py)."""
    return f"account.{account}"


def on_bookings_changed(sender, *, accounts: list[int], **kwargs) -> None:
    """The receiver of reservations' `bookings_changed`: each account's sockets are told
    (accounts.py). Redis away: a page reads its bookings again when its socket reconnects."""
    for account in accounts:
        message = {"type": "bookings.changed"}
        _on_publisher_loop(_send_in_background, account_group(account), message)


def _on_publisher_loop(callback, *args) -> None:
    """Call `callback(*args)` on the publisher's loop without waiting for it: at once when the
    caller runs on that loop, else soon."""
    loop = publisher_loop()
    if loop is _running_loop():
        callback(*args)
    else:
        loop.call_soon_threadsafe(callback, *args)


def _send_in_background(group: str, message: dict) -> None:
    task = asyncio.ensure_future(_group_send_logged(group, message))
    _background_sends.add(task)
    task.add_done_callback(_background_sends.discard)


_background_sends: set[asyncio.Task] = set()


async def _group_send_logged(group: str, message: dict) -> None:
    try:
        await group_send(group, message)
    except Exception as exc:
        logger.warning("%s to %s not sent: %s", message["type"], group, exc)


def seats_publish(event_id: int, changes: list[dict], owners: list[int | None] = ()) -> None:
    """Send one `seats` frame to every watcher of the event, on every server process.

    `owners`, beside `changes`, says whose each seat is, the holder of a hold or the buyer of
    a booking: the processes' live maps keep it (live_map.py), the sockets never see it.

    Returns at once, from any thread or loop: it hands the frame to the publisher of
    `publisher_loop()`, which sends it.
    """
    committed_ns = time.time_ns()
    item = (changes, list(owners) or [None] * len(changes), committed_ns)
    _on_publisher_loop(_enqueue, event_id, item)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


# --- the publisher loop ------------------------------------------------------------------------

_server_loop: asyncio.AbstractEventLoop | None = None
_own_loop: asyncio.AbstractEventLoop | None = None
_own_loop_lock = threading.Lock()


def bind_server_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Publish on the server's loop (config/asgi.py calls this once the server runs)."""
    global _server_loop
    _server_loop = loop


def publisher_loop() -> asyncio.AbstractEventLoop:
    """Where a commit's frame is sent from: the loop the caller runs on (the fast path, a
    test), else the server's loop while it runs (request threads, the embedded sweeper), else
    a loop on a daemon thread of this process (commands, tests without a loop)."""
    global _own_loop
    running = _running_loop()
    if running is not None:
        return running
    if _server_loop is not None and _server_loop.is_running():
        return _server_loop
    with _own_loop_lock:
        if _own_loop is None:
            _own_loop = asyncio.new_event_loop()
            threading.Thread(
                target=_own_loop.run_forever, name="seat-publisher", daemon=True
            ).start()
            # A command that exits right after its commit still gets its broadcast out.
            atexit.register(_drain_own_loop, _own_loop)
        return _own_loop


def _drain_own_loop(loop: asyncio.AbstractEventLoop, timeout: float = 5.0) -> None:
    try:
        asyncio.run_coroutine_threadsafe(_idle(loop), loop).result(timeout)
    except Exception as exc:
        logger.warning("broadcasts still pending at exit: %s", exc)


async def publishes_sent() -> None:
    """Wait until everything handed over so far, on this loop or from threads, has gone out
    (tests, shutdown)."""
    await _idle(asyncio.get_running_loop())
    if _own_loop is not None:
        await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(_idle(_own_loop), _own_loop))


async def _idle(loop: asyncio.AbstractEventLoop) -> None:
    publisher = _publishers.get(loop)
    if publisher is not None and not publisher.task.done():
        await publisher.idle.wait()


# --- the publisher -----------------------------------------------------------------------------


class _Publisher:
    """Sends what the commits hand it, in batches ("group commit"). Lives on one loop.

    A send is two Redis round trips (take seq, publish), and the layer publishes one message
    at a time on one connection: sent one by one, ~700 commits a second queued up for seconds.
    Here whatever committed while the previous batch was on its way goes out together, one
    `seq` range and one publish per event, each transaction still its own `seats` frame.
    """

    def __init__(self):
        self.pending: list[tuple[int, tuple]] = []  # (event_id, (changes, owners, ts))
        self.wake = asyncio.Event()
        self.idle = asyncio.Event()  # nothing pending, nothing on its way
        self.counters = counters(async_client())
        self.task = asyncio.ensure_future(self._run())

    def put(self, event_id: int, item: tuple) -> None:
        self.pending.append((event_id, item))
        self.idle.clear()
        self.wake.set()

    async def _run(self) -> None:
        while True:
            raise_if_cancelled()
            if not self.pending:
                self.idle.set()
            await self.wake.wait()
            self.wake.clear()
            batch, self.pending = self.pending, []
            by_event: dict[int, list[tuple]] = {}
            for event_id, item in batch:
                by_event.setdefault(event_id, []).append(item)
            for event_id, items in by_event.items():
                try:
                    epoch, last_seq = await self.counters.next(event_id, len(items))
                    message = _seats_frames(event_id, items, epoch, last_seq)
                    await group_send(event_group(event_id), message)
                except Exception as exc:
                    raise_if_cancelled(exc)
                    logger.exception(
                        "broadcast of event %s failed; watchers will resync by seq/epoch",
                        event_id,
                    )


_publishers: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Publisher]" = (
    weakref.WeakKeyDictionary()
)


def _enqueue(event_id: int, item: tuple) -> None:
    if (local := hub_if_running()) is not None:
        changes, owners, _ = item
        local.committed_here(event_id, changes, owners)
    loop = asyncio.get_running_loop()
    publisher = _publishers.get(loop)
    if publisher is None or publisher.task.done():
        publisher = _publishers[loop] = _Publisher()
    publisher.put(event_id, item)


def _seats_frames(event_id: int, batch: list[tuple], epoch: str, last_seq: int) -> dict:
    """One layer message carrying each committed transaction of `batch` as `[seq, ts,
    changes, owners]`: every process keeps its live map with them, merges them over its
    window and encodes the merged frame once for its sockets (feed.py)."""
    first_seq = last_seq - len(batch) + 1
    frames = [
        # ts: the commit time, epoch ns: watchers on the same host measure push latency.
        [seq, committed_ns, changes, owners]
        for seq, (changes, owners, committed_ns) in enumerate(batch, start=first_seq)
    ]
    return {"type": "seats.message", "event_id": event_id, "epoch": epoch, "frames": frames}
