"""How pytest-xdist hands the suite to its workers (the root conftest.py installs it)."""

from xdist.scheduler import LoadFileScheduling

LOAD_TESTER = "loadtest/tests"


class LoadTesterOnOneWorker(LoadFileScheduling):
    """`--dist loadfile`, but the load tester's test modules are one unit, run by one worker:
    their server stack (loadtest/tests/conftest.py) lives for the worker's run, and one on each
    of three workers, beside the other tests' servers, passed PostgreSQL's 100 connections.
    Its ~7 minutes are one worker's share; the biggest unit is handed out first."""

    def _split_scope(self, nodeid: str) -> str:
        scope = super()._split_scope(nodeid)
        return LOAD_TESTER if scope.startswith(f"{LOAD_TESTER}/") else scope
