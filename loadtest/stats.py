"""What a run records, and the figures made of it."""

import math
import os
import resource
import time
from collections import Counter

_TICK = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")
# The requests that take seats (the clickers' ops): what "holds a second" counts.
HOLD_OPS = frozenset({"lock", "lock_many", "best"})
# The server's refusals of a hold by a limit (API.md "Errors"), not by the seat being taken: a
# run whose holds mostly meet them measures the limits, not the load.
LIMIT_CODES = frozenset(
    {
        "purchase_limit",
        "hold_limit",
        "hold_cap_reached",
        "address_hold_limit",
        "seat_pass_refused",
        "throttled",
    }
)


def hold_refusals(requests: list[tuple]) -> tuple[int, Counter]:
    """The holds asked (HOLD_OPS) among a recorder's `requests`, and those refused by a limit,
    by code."""
    codes = [code for op, _, code, *_ in requests if op in HOLD_OPS]
    return len(codes), Counter(code for code in codes if code in LIMIT_CODES)


def quantiles(values, scale: float = 1.0, points: tuple[float, ...] = (0.50, 0.95, 0.99)) -> dict:
    """p50/p95/p99/max/mean of `values` times `scale` (ns -> ms: 1e-6), or None each if empty;
    `points`: other quantiles instead of p50/p95/p99 (0.9 is `p90`).

    The project's one quantile rule (nearest rank: the value of rank ceil(q * n), from 1, of
    the sorted values), for every figure the load client and `python -m loadtest latency` print.
    """
    names = [f"p{round(q * 100)}" for q in points]
    if not values:
        return {"n": 0, **dict.fromkeys(names), "max": None, "mean": None}
    ordered = sorted(values)
    n = len(ordered)

    def at(q: float) -> float:
        return round(ordered[max(0, math.ceil(round(q * n, 6)) - 1)] * scale, 3)

    return {
        "n": n,
        **{name: at(q) for name, q in zip(names, points, strict=True)},
        "max": round(ordered[-1] * scale, 3),
        "mean": round(sum(ordered) / n * scale, 3),
    }


class TimedCounter(Counter):
    """A Counter that notes when each count went up: (monotonic s, key, by how much), for the
    report's errors over time. `+=` and `update` of a non-empty counter go through here."""

    def __init__(self):
        super().__init__()
        self.times: list[tuple[float, str, int]] = []

    def __setitem__(self, key, value):
        gained = value - self.get(key, 0)
        if gained > 0:
            self.times.append((time.monotonic(), key, gained))
        super().__setitem__(key, value)


class Recorder:
    def __init__(self):
        self.connected = 0
        self.refused = 0
        self.dropped = 0
        self.presence = 0
        self.duplicates = 0
        self.polls = 0
        self.errors: TimedCounter = TimedCounter()
        self.resyncs: Counter = Counter()
        self.closed_by_server: Counter = Counter()  # close code -> sockets
        self.started_ns = time.time_ns()
        self.started_s = time.monotonic()  # the same instant on the requests' clock
        self.first_snapshot_ns: dict[int, int] = {}
        self.measure_from_ns = 0
        self.push_latency_ns: list[int] = []
        self.push_received_ns: list[int] = []  # when each of this process's was received
        # (epoch, seq) -> [ts, receivers, last receive ns]
        self.messages: dict[tuple[str, int], list] = {}
        self.version_ts: dict[tuple[int, int], int] = {}
        self.staleness_ns: list[int] = []
        self.poll_latency: list[float] = []
        self.requests: list[tuple[str, int, str, float, float]] = []  # op, status, code, s, t
        self.fast: Counter = Counter()  # op -> answers of the server's fast path
        self.auth: Counter = Counter()  # "PATH STATUS" of logins and refreshes, renewals
        self.journeys: list[tuple[float, int]] = []  # first click -> booked (s), seats
        self.journey_notes: Counter = Counter()  # what else happened on the way

    # --- watchers ---------------------------------------------------------------------------

    def snapshot_at(self, index: int) -> None:
        self.first_snapshot_ns.setdefault(index, time.time_ns())

    def push(self, seq: int, epoch: str, ts: int | None, now: int, changes: list) -> None:
        if ts is None:
            self.errors["push_without_ts"] += 1
            return
        key = (epoch, seq)
        entry = self.messages.get(key)
        if entry is None:
            entry = self.messages[key] = [ts, 0, now]
            for change in changes:
                self.version_ts[(change["id"], change["version"])] = ts
        entry[1] += 1
        entry[2] = now
        self.timed(ts, now)

    def timed(self, ts: int, now: int) -> None:
        """One push received `now`, committed at `ts`: timed if it falls in the measurement."""
        if ts >= self.measure_from_ns:
            self.push_latency_ns.append(now - ts)
            self.push_received_ns.append(now)

    def closed(self, code: int | None) -> None:
        """The server closed a socket with this close code."""
        self.closed_by_server[code] += 1

    def poll_seen(self, seat_id: int, old_version: int, new_version: int, now: int) -> None:
        """A poller saw a seat change: stale since the commit of the first version it missed."""
        stamps = [
            self.version_ts[(seat_id, v)]
            for v in range(max(old_version + 1, new_version - 50), new_version + 1)
            if (seat_id, v) in self.version_ts
        ]
        if stamps:
            self.staleness_ns.append(now - min(stamps))

    # --- clickers ---------------------------------------------------------------------------

    def request(
        self, op: str, status: int, code: str, seconds: float, *, fast: bool = False
    ) -> None:
        self.requests.append((op, status, code, seconds, time.monotonic()))
        if fast:
            self.fast[op] += 1


def proc_sample(pids: list[int]) -> dict:
    """CPU seconds (user+system) and RSS bytes of these processes, from /proc."""
    cpu = 0.0
    rss = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            cpu += (int(fields[11]) + int(fields[12])) / _TICK
            with open(f"/proc/{pid}/statm") as f:
                rss += int(f.read().split()[1]) * _PAGE
        except (FileNotFoundError, ProcessLookupError, IndexError):
            pass
    return {"cpu_s": cpu, "rss_bytes": rss, "at": time.monotonic()}


def self_sample() -> dict:
    return proc_sample([os.getpid()])


def raise_nofile() -> int:
    """The soft limit of open files raised to the hard one (thousands of sockets): the limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]
