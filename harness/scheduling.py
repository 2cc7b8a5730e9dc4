"""How pytest-xdist hands the suite to its workers (the root conftest.py installs it)."""

from xdist.scheduler import LoadFileScheduling

LOAD_TESTER = "loadtest/tests"


class LoadTesterOnOneWorker(LoadFileScheduling):
    """`--dist loadfile`, but the load tester's test modules are one unit, run by one worker:
    their server stack (loadtest/tests/conftest.py) lives for the worker's run, and one on each
    of three workers, beside the other tests' servers, passed PostgreSQL's 100 connections.

    The units go out in the order `in_handing_order` collects them, not by their number of
    tests (xdist's default): so ordered, the schema fuzzer's module (three tests, 100 s) went
    out among the last and the run ended on it and a few others, one worker busy."""

    def __init__(self, config, log=None):
        super().__init__(config, log)
        config.option.loadscopereorder = False

    def _split_scope(self, nodeid: str) -> str:
        scope = super()._split_scope(nodeid)
        return LOAD_TESTER if scope.startswith(f"{LOAD_TESTER}/") else scope


def in_handing_order(items: list) -> None:
    """The load tester's unit first (the longest), then every module with a `slow` test (they
    start servers and stacks), then the rest: the quick modules fill the end of the run. A
    module's own tests keep their order."""
    slow = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(
        key=lambda item: (not item.nodeid.startswith(f"{LOAD_TESTER}/"), item.path not in slow)
    )
