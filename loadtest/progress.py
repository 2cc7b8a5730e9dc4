"""The load run's live progress, once a second on stderr (rich): elapsed and phase, arrivals and
sockets, holds a second, the p99s of requests and pushes, and errors by code. On a terminal it
is a panel redrawn in place; in a log (not a terminal) one line a second, so that a run's log
shows how it went. None with --quiet."""

import asyncio
import signal
import time
from collections import Counter
from collections.abc import Callable

from rich.console import Console
from rich.live import Live
from rich.table import Table

from .stats import HOLD_OPS, Recorder, quantiles

# The window of the rates and p99s shown: recent enough to follow the run, long enough to be one.
WINDOW_S = 5.0
# Error codes shown by name; the rest summed as "other".
ERROR_CODES_SHOWN = 5


class Progress:
    """What a run has done so far (nothing shown with --quiet)."""

    def __init__(self, rec: Recorder, quiet: bool):
        self.rec, self.quiet = rec, quiet
        self.started = time.monotonic()
        self.phases: list[tuple[str, float]] = []  # (phase, monotonic s it began): the report's
        self.phase = "start"
        self.stopped: tuple[str, float] | None = None  # (phase, seconds in) if Ctrl-C stopped it
        self.console = Console(stderr=True)
        # The refused requests' codes, counted as they come: a long run holds millions of
        # requests, and the panel is drawn every second.
        self._refused: Counter = Counter()
        self._counted = 0

    @property
    def phase(self) -> str:
        return self.phases[-1][0]

    @phase.setter
    def phase(self, name: str) -> None:
        self.phases.append((name, time.monotonic()))

    def fields(self) -> dict[str, str]:
        """The figures shown, by name, in order."""
        rec, now = self.rec, time.monotonic()
        recent = [r for r in rec.requests[-20_000:] if r[4] >= now - WINDOW_S]
        holds = sum(1 for op, _, code, _, _ in recent if op in HOLD_OPS and code == "ok")
        request_p99 = quantiles([r[3] for r in recent], 1e3)["p99"] if recent else None
        pushes = rec.push_latency_ns[-2000:]
        push_p99 = quantiles(pushes, 1e-6)["p99"] if pushes else None
        return {
            "elapsed": f"{now - self.started:.1f} s ({self.phase})",
            "arrivals": f"{len(rec.first_snapshot_ns)} with their map",
            "sockets": f"{rec.connected} open, {rec.refused} refused, {rec.dropped} dropped",
            "holds/s": f"{holds / WINDOW_S:.1f} (last {WINDOW_S:.0f} s)",
            "requests": f"{len(rec.requests)}, p99 {_ms(request_p99)} (last {WINDOW_S:.0f} s)",
            "pushes": f"{len(rec.push_latency_ns)}, p99 {_ms(push_p99)}",
            "errors": self.errors(),
        }

    def errors(self) -> str:
        requests = self.rec.requests
        self._refused.update(c for _, _, c, _, _ in requests[self._counted :] if c != "ok")
        self._counted = len(requests)
        codes = self._refused + Counter(self.rec.errors)
        if not codes:
            return "none"
        shown = codes.most_common(ERROR_CODES_SHOWN)
        other = sum(codes.values()) - sum(n for _, n in shown)
        return ", ".join([f"{code} {n}" for code, n in shown] + ([f"other {other}"] * bool(other)))

    def line(self) -> str:
        return " | ".join(f"{name} {value}" for name, value in self.fields().items())

    def panel(self) -> Table:
        table = Table.grid(padding=(0, 2))
        for name, value in self.fields().items():
            table.add_row(f"[bold]{name}[/]", value)
        return table

    def start(self, on_ctrl_c: Callable[[], object]) -> None:
        """Show the figures until `end`. Ctrl-C calls `on_ctrl_c()` (the phase under way ends)
        and the run is judged stopped (`stopped_early`); a second interrupts as Python does."""
        loop = asyncio.get_running_loop()
        self.task = asyncio.ensure_future(self.run())

        def ctrl_c() -> None:
            self.stopped = (self.phase, time.monotonic() - self.started)
            loop.remove_signal_handler(signal.SIGINT)
            on_ctrl_c()

        loop.add_signal_handler(signal.SIGINT, ctrl_c)

    def end(self) -> None:
        asyncio.get_running_loop().remove_signal_handler(signal.SIGINT)
        self.task.cancel()

    def stopped_early(self, undone: str) -> str:
        """Why a run Ctrl-C stopped fails: the phase, how far in, and what was left `undone`."""
        phase, seconds = self.stopped
        return f"stopped early (Ctrl-C) in the {phase} phase, {seconds:.1f} s in: {undone}"

    async def run(self):
        if self.quiet:
            return
        if not self.console.is_terminal:
            while True:
                self.console.print(self.line(), soft_wrap=True, highlight=False)
                await asyncio.sleep(1)
        with Live(self.panel(), console=self.console, auto_refresh=False, transient=True) as live:
            while True:
                await asyncio.sleep(1)
                live.update(self.panel(), refresh=True)

    def done(self) -> None:
        """The last figures, left on the screen."""
        if not self.quiet:
            self.console.print(self.panel() if self.console.is_terminal else self.line())


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} ms"
