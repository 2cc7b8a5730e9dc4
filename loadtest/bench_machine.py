"""The machine the bench runs on: how idle it is before a scenario (other sessions share it),
and what it is, for the report."""

import contextlib
import os
import platform
import resource
import subprocess
import time
from importlib import metadata

from .bench_servers import ROOT

PACKAGES = ("django", "channels", "channels-redis", "daphne", "uvicorn", "websockets", "aiohttp")


def cpu_idle(seconds: float = 1.0) -> float:
    """Share of the machine's CPU time idle over `seconds` (other sessions share this box)."""

    def read():
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
        return fields[3] + fields[4], sum(fields)

    idle0, total0 = read()
    time.sleep(seconds)
    idle1, total1 = read()
    return (idle1 - idle0) / max(1, total1 - total0)


def wait_quiet(threshold: float = 0.85, patience: float = 60) -> float:
    """Wait (up to `patience` s) until the machine is mostly idle; return the idle share."""
    deadline = time.monotonic() + patience
    idle = cpu_idle()
    while idle < threshold and time.monotonic() < deadline:
        idle = cpu_idle()
    return round(idle, 3)


def machine() -> dict:
    def version(cmd):
        with contextlib.suppress(Exception):
            return subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
        return None

    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        **{name.replace("-", "_"): metadata.version(name) for name in PACKAGES},
        "redis_py": metadata.version("redis"),
        "postgresql": version(["psql", "--version"]),
        "redis_server": version(["redis-server", "--version"]),
        "nofile": resource.getrlimit(resource.RLIMIT_NOFILE),
        "git": version(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]),
    }
