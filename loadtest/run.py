"""One load run: connect watchers in bursts, click, settle, check the verdict, report."""

import argparse
import asyncio
import math
import platform
import random
import time
from collections import Counter

import aiohttp

from .api import fetch_map_ids, fetch_own_holds, fetch_seats, http_session, ws_url
from .browser import Browser
from .clickers import TRANSPORT_ERRORS, Clicker, first_users, log_in_all
from .commands import read_json
from .onsale import Arrival
from .procs import Child, merge_receipts
from .profiles import REGISTRY, Profile
from .progress import Progress
from .run_result import finish
from .stats import Recorder, proc_sample, quantiles, raise_nofile, self_sample
from .verdict import Verdict, check
from .watchers import Poller, Watcher, open_watchers


class Run:
    """One load run in phases: connect, idle, warm the clickers, click and settle, verdict.

    The options stay as parsed; everything the run learns on the way is kept here. The connect
    and idle figures go into `result` as those phases end, the others in `finish`.
    """

    def __init__(self, options: argparse.Namespace):
        self.options = options
        self.pids: list[int] = options.server_pid
        self.rec = Recorder()
        self.progress = Progress(self.rec, options.quiet)
        self.result: dict = {}
        self.initial_versions: dict[int, int] = {}
        self.seat_ids: list[int] = []
        self.available: list[int] = []  # seats available when the run began
        self.watchers: list = []
        self.ready: list = []  # this process's watchers with a snapshot after connecting
        self.ready_all = 0  # the same, with the child processes' (--procs)
        self.tasks: list[asyncio.Future] = []
        self.children: list[Child] = []
        self.child_results: list[dict] = []
        self.clickers: list[Clicker] = []
        self.arrivals: list[Arrival] = []  # the pages opened as the client does (onsale)
        self.profile: Profile | None = None  # loadtest/profiles/'s, once the seats are read
        self.connect_started = 0
        self.click_seconds = self.settle_seconds = 0.0
        self.server_cpu = self.client_cpu = 0.0  # CPU seconds in the measured window
        self.server_rss = self.client_rss = 0
        self.admin = self.sockets = self.pollers_client = self.click_client = None
        self.users = read_json(options.users, "a users file") if options.users else []

    async def execute(self) -> dict:
        options = self.options
        if options.seed is not None:
            random.seed(options.seed)
        self.admin = http_session()
        self.sockets = Browser(options.url[0], deflate=options.deflate)  # the watchers' sockets
        self.pollers_client = http_session() if options.poll else None
        self.result.update(config=dict(vars(options)), versions=versions())
        self.progress.start(asyncio.current_task().cancel)
        try:
            try:
                nofile = raise_nofile()
                seats = await fetch_seats(self.admin, options.url[0], options.event)
                self.seat_ids = [s["id"] for s in seats]
                self.available = [s["id"] for s in seats if s["status"] == "available"]
                self.initial_versions = {s["id"]: s["version"] for s in seats}
                self.profile = REGISTRY[options.profile](options, self.seat_ids)
                self.result.update(seats=len(seats), nofile_limit=nofile)
                await self.profile.arrive(self, seats)
                await self.click()
                verdict = await self.verdict()
            except asyncio.CancelledError:
                if self.progress.stopped is None:
                    raise
                asyncio.current_task().uncancel()
                if "connect" not in self.result:  # stopped before its watchers were opened
                    self.result["connect"] = self.connect_figures(0, options.connect_burst, None)
                verdict = Verdict()
                verdict.fail(self.progress.stopped_early("the verdict was not checked"))
        finally:
            self.progress.end()
            for child in self.children:
                if child.process.returncode is None:
                    child.process.kill()
            # An on-sale stopped while arriving: its sockets are not among the tasks yet.
            self.tasks += [a.watch_task for a in self.arrivals if a.watch_task is not None]
            for t in self.tasks:
                t.cancel()
            await asyncio.gather(*self.tasks, return_exceptions=True)
            for session in (self.admin, self.click_client, self.pollers_client):
                if session is not None:
                    await session.close()
            for browser in (self.sockets, *(arrival.browser for arrival in self.arrivals)):
                browser.close()
        self.progress.done()
        finish(self, verdict)
        return self.result

    async def connect(self) -> None:
        """Open the watchers in bursts (and start the child processes' share), then idle:
        time to the snapshots, and memory per watcher."""
        options, rec, pids = self.options, self.rec, self.pids
        self.progress.phase = "connect"
        seat_ids = await fetch_map_ids(self.admin, options.url[0], options.event)

        def watcher(i: int, base: str) -> Watcher:
            url = ws_url(base, options.event)
            return Watcher(i, url, base, rec, session=self.sockets, seat_ids=seat_ids)

        before = proc_sample(pids)
        client_before = self_sample()
        if options.poll:
            self.watchers.append(watcher(-1, options.url[0]))  # the reference
        for i in range(0, options.watchers, options.procs):  # the others: child processes'
            base = options.url[i % len(options.url)]
            if options.poll:
                seats_url = f"{base}/api/events/{options.event}/seats/"
                self.watchers.append(Poller(i, seats_url, self.pollers_client, rec, options.poll))
            else:
                self.watchers.append(watcher(i, base))
        self.children = [await Child.start(options.argv, k) for k in range(1, options.procs)]
        self.connect_started = time.time_ns()
        self.tasks, opened_at = await open_watchers(self.watchers, options)
        self.ready = [
            w for w in self.watchers if w.ready.is_set() and not w.closed and w.failed is None
        ]
        children_ready = [await child.read() for child in self.children]
        for k, payload in enumerate(children_ready, start=1):
            rec.refused += payload["refused"]
            rec.errors["watcher_not_ready_in_time"] += payload["not_ready"]
            for n, at in enumerate(payload["first_snapshot_ns"]):
                rec.first_snapshot_ns[f"child{k}-{n}"] = at
        if not rec.errors["watcher_not_ready_in_time"]:
            del rec.errors["watcher_not_ready_in_time"]
        self.ready_all = len(self.ready) + sum(p["ready"] for p in children_ready)
        bursts = max(1, math.ceil(options.watchers / options.connect_burst))
        self.result["connect"] = self.connect_figures(
            bursts, options.connect_burst, opened_at, children_ready
        )
        await self.idle(before, client_before)

    def connect_figures(self, bursts: int, burst: int, opened_at: int | None, children=()) -> dict:
        """The connect phase's figures (the result's `connect`), once the sockets are up (or
        `opened_at` None: none were); `children`: what each child process (--procs) said."""
        options, rec = self.options, self.rec
        refusals = Counter(w.failed.split(":")[0] for w in self.watchers if w.failed)
        for payload in children:
            refusals.update(payload["refusal_reasons"])
        snap_times = [t - self.connect_started for t in rec.first_snapshot_ns.values()]
        return {
            "watchers": options.watchers,
            "bursts": bursts,
            "burst": burst,
            "client_processes": options.procs,
            "opened_in_s": round((opened_at - self.connect_started) / 1e9, 3)
            if opened_at
            else None,
            "ready": self.ready_all,
            "ready_by_process": [len(self.ready)] + [p["ready"] for p in children],
            "refused": rec.refused,
            "refusal_reasons": dict(refusals),
            "time_to_all_snapshots_s": round(max(snap_times) / 1e9, 3) if snap_times else None,
            "time_to_snapshot": quantiles(snap_times, 1e-6),
        }

    async def idle(self, before: dict, client_before: dict) -> None:
        """Idle after the sockets are up: memory per watcher."""
        options, pids = self.options, self.pids
        self.progress.phase = "idle"
        await asyncio.sleep(options.idle)
        idle = proc_sample(pids)
        client_idle = self_sample()
        self.result["idle_memory"] = {
            "server_rss_before_bytes": before["rss_bytes"],
            "server_rss_idle_bytes": idle["rss_bytes"],
            "server_bytes_per_watcher": round(
                (idle["rss_bytes"] - before["rss_bytes"]) / max(1, self.ready_all)
            )
            if pids
            else None,
            "client_bytes_per_watcher": round(  # this process's own watchers
                (client_idle["rss_bytes"] - client_before["rss_bytes"]) / max(1, len(self.ready))
            ),
            "server_cpu_connect_s": round(idle["cpu_s"] - before["cpu_s"], 3) if pids else None,
        }

    async def warm(self, holds: bool = True) -> None:
        """The clickers logged in, each with its connection open and (`holds`) knowing what it
        already holds."""
        options, rec = self.options, self.rec
        users = first_users(self.users, options.clickers, "--clickers")
        client = self.click_client = http_session(options.http_connections or max(1, len(users)))
        self.clickers = Clicker.each(users, options, client, rec)
        if not self.clickers:
            return
        self.progress.phase = "warm"
        await log_in_all(self.clickers, client, options.auth)
        if not holds:
            return
        sem = asyncio.Semaphore(200)

        async def warm(c: Clicker):
            async with sem:
                try:  # opens its connection, and learns what it already holds
                    c.held = await fetch_own_holds(client, c.base, options.event, c.auth.headers)
                    await self.profile.warm(c)
                except TRANSPORT_ERRORS as exc:
                    rec.errors[f"warmup:{type(exc).__name__}"] += 1

        await asyncio.gather(*(warm(c) for c in self.clickers))

    async def click(self) -> None:
        """Click for --duration, then settle: the measured window (CPU, pushes, requests)."""
        options, rec, pids, clickers = self.options, self.rec, self.pids, self.clickers
        free = list(self.available)  # the seats on sale, each clicker's share its own
        random.shuffle(free)
        shares = [free[i :: max(1, len(clickers))] for i in range(len(clickers))]
        stop, start = asyncio.Event(), asyncio.Event()
        click_tasks = [
            asyncio.ensure_future(self.profile_click(c, shares[i], stop, start))
            for i, c in enumerate(clickers)
        ]
        self.tasks += click_tasks  # cancelled with the watchers if the run is stopped
        self.progress.phase = "click"
        measure = proc_sample(pids)
        client_measure = self_sample()
        rec.measure_from_ns = time.time_ns()
        children_cpu_before = sum(child.cpu_s() for child in self.children)
        for child in self.children:
            child.measure(rec.measure_from_ns)
        click_started = time.monotonic()
        start.set()
        if click_tasks:
            done, pending = await asyncio.wait(click_tasks, timeout=options.duration)
            stop.set()
            if pending:
                await asyncio.wait(pending, timeout=60)
        else:
            await asyncio.sleep(options.duration)
        self.click_seconds = time.monotonic() - click_started
        self.progress.phase = "settle"
        self.settle_seconds = max(options.settle, options.poll + 1 if options.poll else 0)
        await asyncio.sleep(self.settle_seconds)
        measured = proc_sample(pids)
        client_measured = self_sample()
        children_cpu = sum(child.cpu_s() for child in self.children) - children_cpu_before
        self.server_cpu = measured["cpu_s"] - measure["cpu_s"]
        self.server_rss = measured["rss_bytes"]
        self.client_cpu = client_measured["cpu_s"] - client_measure["cpu_s"] + children_cpu
        self.client_rss = client_measured["rss_bytes"]
        self.child_results = [await child.stop() for child in self.children]
        for payload in self.child_results:
            merge_receipts(rec, payload)

    async def profile_click(self, c: Clicker, share: list[int], stop, start) -> None:
        await start.wait()
        await self.profile.click(c, share, stop)

    async def verdict(self) -> Verdict:
        self.progress.phase = "verdict"
        verdict = Verdict()
        if not self.options.no_verdict:
            try:
                await check(self, verdict)
            except (*TRANSPORT_ERRORS, ValueError, KeyError) as exc:
                verdict.fail(f"the API did not answer the verdict's reads: {exc!r}")
        return verdict


async def main_async(options: argparse.Namespace) -> dict:
    return await Run(options).execute()


def versions() -> dict:
    """What ran this client; a server's commit is the result's if whoever ran it added one."""
    return {"python": platform.python_version(), "aiohttp": aiohttp.__version__}
