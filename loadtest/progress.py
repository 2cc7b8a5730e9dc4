"""The load run's progress line on stderr, once a second: its phase, sockets, pushes,
requests and errors so far."""

import asyncio
import sys
import time

from .stats import Recorder, quantiles


class Progress:
    """What a run has done so far, on one line (none with --quiet)."""

    def __init__(self, rec: Recorder, quiet: bool):
        self.rec, self.quiet = rec, quiet
        self.started = time.monotonic()
        self.phases: list[tuple[str, float]] = []  # (phase, monotonic s it began): the report's
        self.phase = "start"

    @property
    def phase(self) -> str:
        return self.phases[-1][0]

    @phase.setter
    def phase(self, name: str) -> None:
        self.phases.append((name, time.monotonic()))

    def line(self) -> str:
        rec = self.rec
        lat = rec.push_latency_ns[-2000:]
        p99 = quantiles(lat, 1e-6)["p99"] if lat else None
        req = len(rec.requests)
        ok = sum(1 for r in rec.requests[-5000:] if r[2] == "ok")
        return (
            f"[{time.monotonic() - self.started:6.1f}s {self.phase:8}] "
            f"ws {rec.connected} up {len(rec.first_snapshot_ns)} ready {rec.refused} refused "
            f"{rec.dropped} dropped | pushes {len(rec.push_latency_ns)} p99~{p99} ms | "
            f"requests {req} (ok {ok} of last {min(req, 5000)}) polls {rec.polls} "
            f"errors {sum(rec.errors.values())}"
        )

    async def run(self):
        if self.quiet:
            return
        while True:
            sys.stderr.write("\r" + self.line()[:200].ljust(200))
            sys.stderr.flush()
            await asyncio.sleep(1)

    def done(self) -> None:
        if not self.quiet:
            sys.stderr.write("\r" + self.line()[:200].ljust(200) + "\n")
