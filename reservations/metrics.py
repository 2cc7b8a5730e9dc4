"""What an operator sees: every Prometheus metric of the server, named and described here once
(docs/METRICS.md lists them with the queries an operator reads them by).

prometheus-client keeps the numbers and writes the exposition. Two ways, chosen by the
library's own environment variable:

* ``PROMETHEUS_MULTIPROC_DIR`` set (before the process starts: the library reads it when it is
  imported): every server process writes its numbers to files of its own in that directory,
  and a scrape of any one process adds up all of them (`MultiProcessCollector`), so one scrape
  through the proxy sees the whole machine. Each gauge says how processes add up
  (`multiprocess_mode`): sockets and pool sizes are summed over the live processes; a waiting
  room's counts are the last tick's, whichever process ticked it.
* unset: each process reports its own numbers (and the library's process and Python metrics).

Cheap on the hot paths: one increment or observation per call, frame or socket change, with
the labelled child looked up once where it is fixed. Labels are few and bounded: an event's id
on the per-event gauges only, never a user's.
"""

import glob
import os
import re

import orjson
from prometheus_client import Counter, Gauge, Histogram
from prometheus_client.multiprocess import mark_process_dead

sockets_open = Gauge(
    "seatmap_sockets_open",
    "Open WebSockets of an event on the server processes: watching the seat map, or waiting"
    " in its waiting room.",
    ["event", "state"],
    multiprocess_mode="livesum",
)
live_events = Gauge(
    "seatmap_live_events",
    "Events a server process keeps (a live map, its channel-layer group, their work): those a"
    " socket here watches or that were read lately (LIVE_EVENT_IDLE_SECONDS).",
    multiprocess_mode="livesum",
)
live_map_seat_rows = Counter(
    "seatmap_live_map_seat_rows_read",
    "Seat rows read from the database into the live maps (first use, a gap or a new epoch,"
    " and the periodic re-read of each kept event).",
)
frames = Counter(
    "seatmap_frames",
    "Frames encoded for an event's sockets (each once per process, whatever the number of"
    " sockets), by type: seats, queue, presence, own.",
    ["type"],
)
deliveries = Counter(
    "seatmap_deliveries",
    "Frames handed to sockets: a frame times the sockets it went to, by type (and snapshot:"
    " each sent to a socket, on its connect, a resync or its request).",
    ["type"],
)
push_lag = Histogram(
    "seatmap_push_lag_seconds",
    "From the commit of the oldest change in a seats frame (its ts) to the frame's hand-over"
    " to the last of the process's sockets of the event.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
booking_calls = Counter(
    "seatmap_booking_calls",
    "Booking calls answered, by operation, path (fast: on the loop; django), HTTP status and"
    " the API's error code (ok for a success).",
    ["operation", "path", "status", "code"],
)
booking_call_seconds = Histogram(
    "seatmap_booking_call_seconds",
    "How long a booking call took to answer, in the server, by operation and path.",
    ["operation", "path"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
pool_requests = Counter(
    "seatmap_db_pool_requests",
    "Connections asked of a database pool (django: the request threads'; loop: the fast"
    " path's and the loop's reads).",
    ["pool"],
)
pool_waits = Counter(
    "seatmap_db_pool_waits",
    "Connections asked of a pool that had to wait for one.",
    ["pool"],
)
pool_wait_seconds = Counter(
    "seatmap_db_pool_wait_seconds",
    "Time spent waiting for a pooled connection, all requests together.",
    ["pool"],
)
pool_timeouts = Counter(
    "seatmap_db_pool_timeouts",
    "Connections asked of a pool that got none (DB_POOL_TIMEOUT went by, or the pool"
    " refused): each is answered 503 unavailable.",
    ["pool"],
)
pool_connections = Gauge(
    "seatmap_db_pool_connections",
    "A pool's connections now: open, idle (open and free), and requests waiting for one.",
    ["pool", "state"],
    multiprocess_mode="livesum",
)
queue_people = Gauge(
    "seatmap_queue_people",
    "An event's waiting room at its last tick: joined (everyone with a place), called"
    " (numbers called so far), waiting (places not called yet).",
    ["event", "stage"],
    multiprocess_mode="livemostrecent",
)
queue_seats_left = Gauge(
    "seatmap_queue_seats_left",
    "Free seats of an event with a waiting room, at its last tick.",
    ["event"],
    multiprocess_mode="livemostrecent",
)


def answer_code(status: int, body: bytes) -> str:
    """The API's code of an answer (API.md "Errors"): `ok` for a success."""
    if status < 400:
        return "ok"
    try:
        return str(orjson.loads(body).get("code", "")) or "none"
    except (orjson.JSONDecodeError, AttributeError):
        return "none"


def operation_label(view_name: str) -> str:
    """A booking call's name in the metrics: SeatLockApi -> seat_lock."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", view_name.removesuffix("Api")).lower()


def booking_answered(*, operation: str, path: str, status: int, body: bytes, seconds: float):
    """One booking call's answer, on either path."""
    booking_calls.labels(operation, path, str(status), answer_code(status, body)).inc()
    booking_call_seconds.labels(operation, path).observe(seconds)


def pool_sampled(pool: str, stats: dict[str, int]) -> None:
    """What psycopg's pool counted since the last sample (`pop_stats()`), and its size now."""
    pool_requests.labels(pool).inc(stats.get("requests_num", 0))
    pool_waits.labels(pool).inc(stats.get("requests_queued", 0))
    pool_wait_seconds.labels(pool).inc(stats.get("requests_wait_ms", 0) / 1000)
    pool_timeouts.labels(pool).inc(stats.get("requests_errors", 0))
    pool_connections.labels(pool, "open").set(stats.get("pool_size", 0))
    pool_connections.labels(pool, "idle").set(stats.get("pool_available", 0))
    pool_connections.labels(pool, "waiting").set(stats.get("requests_waiting", 0))


def queue_observed(state: dict) -> None:
    """A waiting room's public state as its tick published it (waiting_room/public_state.py)."""
    event = str(state["event_id"])
    queue_people.labels(event, "joined").set(state["joined"])
    queue_people.labels(event, "called").set(state["serving"])
    queue_people.labels(event, "waiting").set(max(state["joined"] - state["serving"], 0))
    queue_seats_left.labels(event).set(state["seats_left"])


# --- the processes' files, in multiprocess mode ----------------------------------------------


def multiprocess_dir() -> str | None:
    """The directory every process writes to, if the operator set one (the library reads the
    same variable)."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def process_stopped() -> None:
    """This process's live gauges leave the sums (its counters stay: they only ever grow)."""
    if (directory := multiprocess_dir()) is not None:
        mark_process_dead(os.getpid(), directory)


# The live gauges' files: gauge_livesum_1234.db, gauge_livemostrecent_1234.db ...
_LIVE_FILE = re.compile(r"gauge_live\w+?_(\d+)\.db$")


def gone_processes_forgotten() -> None:
    """A process that died without stopping (killed) left its live gauges in the directory:
    mark it dead, so that its sockets no longer count. Processes sharing the directory share
    this machine's process ids (one host, one pid namespace: README)."""
    directory = multiprocess_dir()
    if directory is None:
        return
    pids = {
        int(m[1]) for f in glob.glob(f"{directory}/gauge_live*.db") if (m := _LIVE_FILE.search(f))
    }
    for pid in pids - {0}:  # kill(0) would mean this process group
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            mark_process_dead(pid, directory)
        except PermissionError:
            pass  # alive, another user's


def multiprocess_dir_ok() -> bool:
    """The health check of the directory (registered only when one is set)."""
    directory = multiprocess_dir()
    return directory is not None and os.path.isdir(directory) and os.access(directory, os.W_OK)
