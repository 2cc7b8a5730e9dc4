"""The profiles of a load run, one class a module: what its clickers do, the figures that say
what they did, what the verdict adds for it, and its own options. A module of this package
whose class is `register`ed is a profile: `run --profile NAME` offers it and `run --help` shows
its options under its name; nothing else changes. A test registers one of its own the same way.

journey, uniform, book, churn, hoard, onsale and queue are still names branched on in run.py,
clickers.py and verdict.py; they move here one at a time (issue 41).
"""

import argparse
import asyncio
import importlib
import pkgutil

REGISTRY: dict[str, type["Profile"]] = {}


class Profile:
    """One run's profile. Its docstring says what its clickers do (`run --help`)."""

    name = ""

    def __init__(self, options: argparse.Namespace, seat_ids: list[int]):
        self.options = options

    @staticmethod
    def arguments(group: argparse._ArgumentGroup) -> None:
        """Its own options, in the group of its name."""

    async def warm(self, clicker) -> None:
        """A clicker logged in and told what it holds, before the clicking starts."""

    async def click(self, clicker, share: list[int], stop: asyncio.Event) -> None:
        """One clicker's part, until it is done or `stop` is set (--duration); `share`: the
        seats of the event that are this clicker's own."""
        raise NotImplementedError

    def figures(self, clickers: list) -> dict:
        """Its figures, added to the result's `clicks`."""
        return {}

    def judge(self, clickers: list, verdict) -> None:
        """What it adds to the verdict (`verdict.fail(why)`)."""


def register(profile: type[Profile]) -> type[Profile]:
    REGISTRY[profile.name] = profile
    return profile


for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
