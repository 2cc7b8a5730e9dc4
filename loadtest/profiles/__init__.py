"""The profiles of a load run, one class a module: what its clickers do, the figures that say
what they did, what the verdict adds for it, and its own options. A module of this package
whose class is `register`ed is a profile: `run --profile NAME` offers it and `run --help` shows
its options under its name; nothing else changes. A test registers one of its own the same way.
"""

import argparse
import asyncio
import contextlib
import importlib
import pkgutil
import time

from .. import figures

REGISTRY: dict[str, type["Profile"]] = {}


class Profile:
    """One run's profile. Its docstring says what its clickers do (`run --help`)."""

    name = ""
    # Its clickers click their share of the seats on sale when the run began: an event with
    # none on sale tests nothing, and fails the verdict.
    clicks_shares = True
    # --settle's default: seconds after the clicking for the last pushes, before the verdict.
    settle = 2.0
    # Its run is on one event, --event (a season makes its own).
    takes_event = True
    # Its clickers set out to meet the server's limits (hoard, best): most holds refused by a
    # limit are then a note of its verdict, not a failure (verdict.limits_verdict).
    limits_expected = False

    def __init__(self, options: argparse.Namespace, seat_ids: list[int]):
        self.options = options
        self.seat_ids = seat_ids  # every seat of the event
        # --rate is across all clickers: each clicker acts once in this many seconds.
        self.interval = options.clickers / options.rate if options.rate else 0

    @staticmethod
    def arguments(group: argparse._ArgumentGroup) -> None:
        """Its own options, in the group of its name."""

    @staticmethod
    def prepare(options: argparse.Namespace) -> None:
        """Its options checked against the run's (`UsageError`), before the run."""

    @staticmethod
    async def execute(options: argparse.Namespace) -> dict:
        """The run and its result: watchers and clickers (run.py), unless the profile is a run of
        its own (queue: a waiting room, accounts called in turn)."""
        from ..run import main_async  # run.py imports this package

        return await main_async(options)

    @staticmethod
    def table(result: dict) -> str:
        """The result in a few lines, printed after the run."""
        return figures.table(result)

    async def arrive(self, run, seats: list[dict]) -> None:
        """The watchers connect (then idle) and the clickers warm, before the clicking."""
        await run.connect()
        await run.warm()

    async def warm(self, clicker) -> None:
        """A clicker logged in and told what it holds, before the clicking starts."""

    async def click(self, clicker, share: list[int], stop: asyncio.Event) -> None:
        """One clicker's part, until it is done or `stop` is set (--duration); `share`: the
        seats on sale when the run began that are this clicker's own."""
        raise NotImplementedError

    def figures(self, clickers: list) -> dict:
        """Its figures, added to the result's `clicks`."""
        return {}

    def summary(self, run) -> dict | None:
        """Its figures in one place from the run's whole result, as the result's `name`."""
        return None

    def judge(self, clickers: list, verdict) -> None:
        """What it adds to the verdict (`verdict.fail(why)`); each clicker that made a call
        has its account's `owned` and `reservations` as the verdict read them back."""

    async def paced(self, stop: asyncio.Event):
        """Yield once per `interval` (0: as fast as the server answers) until `stop`."""
        next_at = time.monotonic()
        while not stop.is_set():
            yield
            if self.interval > 0:
                next_at += self.interval
                await until(stop, next_at - time.monotonic())


async def until(stop: asyncio.Event, seconds: float) -> None:
    """Wait `seconds`, or less if `stop` is set meanwhile."""
    if seconds > 0:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), seconds)


def register(profile: type[Profile]) -> type[Profile]:
    REGISTRY[profile.name] = profile
    return profile


for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
