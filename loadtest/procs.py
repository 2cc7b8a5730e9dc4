"""`--procs N`: the watchers spread over N client processes.

One Python process reading 5,000 sockets can spend most of a core on their frames and the
event loop, and its own queue then shows up in every push latency. With `--procs`, the
main process keeps watchers 0, N, 2N, ... and the clickers; child k (a `python -m loadtest`
with the same options and `--child-index k`) opens watchers k, N+k, ... and talks to the main
process in JSON lines: its stdout says `ready` (after the snapshots) and, at the end, what its
sockets received; its stdin gets `measure NS` when the clicking starts and `stop` after the
settle. The main process merges the receipts into its own figures and verdict.
"""

import asyncio
import sys
from collections import Counter

import orjson

from .api import fetch_map_ids, fetch_seats, http_session, ws_url
from .browser import Browser
from .stats import Recorder, proc_sample
from .verdict import watchers_verdict
from .watchers import Watcher, open_watchers


class ChildRecorder(Recorder):
    """Keeps every receipt with its commit stamp: `measure` may arrive after the first push."""

    def __init__(self):
        super().__init__()
        self.receipts: list[tuple[int, int]] = []  # (ts, latency ns)

    def timed(self, ts: int, now: int) -> None:
        self.receipts.append((ts, now - ts))


def _line(payload: dict) -> None:
    sys.stdout.buffer.write(orjson.dumps(payload) + b"\n")
    sys.stdout.buffer.flush()


async def _read_line() -> str:
    return (await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)).strip()


async def child_main(args) -> None:
    """A child's whole life: its share of the watchers, from the snapshots to the verdict."""
    rec = ChildRecorder()
    sockets = Browser(args.url[0], deflate=args.deflate)
    async with http_session() as admin:
        seat_ids = await fetch_map_ids(admin, args.url[0], args.event)
    watchers = [  # every --procs-th from its index: the main process keeps 0, N, 2N, ...
        Watcher(i, ws_url(base, args.event), base, rec, session=sockets, seat_ids=seat_ids)
        for i in range(args.child_index, args.watchers, args.procs)
        for base in [args.url[i % len(args.url)]]
    ]
    tasks, _ = await open_watchers(watchers, args)
    ready = [w for w in watchers if w.ready.is_set() and not w.closed and w.failed is None]
    _line(
        {
            "ready": len(ready),
            "not_ready": sum(1 for w in watchers if not w.ready.is_set()),
            "refused": rec.refused,
            "refusal_reasons": dict(Counter(w.failed.split(":")[0] for w in watchers if w.failed)),
            "first_snapshot_ns": list(rec.first_snapshot_ns.values()),
        }
    )
    command = await _read_line()
    measure_from = int(command.split()[1]) if command.startswith("measure") else 0
    while command != "stop":
        command = await _read_line()
        if not command:  # the main process is gone
            break
    admin = http_session()
    try:
        server = {
            s["id"]: (s["status"], s["version"])
            for s in await fetch_seats(admin, args.url[0], args.event)
        }
        checked, mismatched = watchers_verdict(watchers, server)
    finally:
        await admin.close()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    sockets.close()
    _line(
        {
            "messages": [[e, s, *v] for (e, s), v in rec.messages.items() if v[0] >= measure_from],
            "latency_ns": [lat for ts, lat in rec.receipts if ts >= measure_from],
            "errors": dict(rec.errors),
            "resyncs": dict(rec.resyncs),
            "closed_by_server": list(rec.closed_by_server.items()),
            "duplicates": rec.duplicates,
            "dropped": rec.dropped,
            "presence": rec.presence,
            "watchers_checked": checked,
            "mismatched": mismatched[:5],
            "mismatched_count": len(mismatched),
        }
    )


class Child:
    """The main process's handle on one child."""

    def __init__(self, process: asyncio.subprocess.Process):
        self.process = process

    @classmethod
    async def start(cls, argv: list[str], index: int) -> "Child":
        process = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "loadtest", "run", *argv),
            *("--child-index", str(index), "--quiet"),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=2**28,
        )
        return cls(process)

    async def read(self) -> dict:
        """The child's next report (a JSON line): its watchers ready, or its receipts."""
        line = await self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"load client child {self.process.pid} ended early")
        return orjson.loads(line)

    def _say(self, text: str) -> None:
        self.process.stdin.write(text.encode() + b"\n")

    def measure(self, from_ns: int) -> None:
        self._say(f"measure {from_ns}")

    async def stop(self) -> dict:
        self._say("stop")
        await self.process.stdin.drain()
        payload = await self.read()
        await self.process.wait()
        return payload

    def cpu_s(self) -> float:
        return proc_sample([self.process.pid])["cpu_s"]


def merge_receipts(rec: Recorder, payload: dict) -> None:
    """A child's receipts into the main process's recorder."""
    for epoch, seq, ts, receivers, last in payload["messages"]:
        entry = rec.messages.get((epoch, seq))
        if entry is None:
            rec.messages[(epoch, seq)] = [ts, receivers, last]
        else:
            entry[1] += receivers
            entry[2] = max(entry[2], last)
    rec.push_latency_ns.extend(payload["latency_ns"])
    rec.errors.update(payload["errors"])
    rec.resyncs.update(payload["resyncs"])
    rec.closed_by_server.update(dict(payload["closed_by_server"]))
    rec.duplicates += payload["duplicates"]
    rec.dropped += payload["dropped"]
    rec.presence += payload["presence"]
