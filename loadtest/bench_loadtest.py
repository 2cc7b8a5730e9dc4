"""One run of the load tester (`python -m loadtest`) on the bench's servers, as the scenarios
(bench_scenarios.py, bench_sales.py) start it: its figures, with the machine's state before it."""

import json
import os
import subprocess
import time

from .bench_databases import new_event
from .bench_machine import wait_quiet
from .bench_servers import PY, RESULTS, ROOT, server_commit, servers


def loadtest(
    urls, pids, event_id, *args, name: str, idle_before: float | None = None, command="run"
) -> dict:
    """Run `python -m loadtest run` (or `command`) on the servers; `idle_before`: the machine's
    idle share measured by the caller (who waited for quiet before setting up a sale that
    starts on time)."""
    out = RESULTS / f"{name}.json"
    if idle_before is None:
        idle_before = wait_quiet()
    cmd = [PY, "-m", "loadtest", command, "--event", str(event_id), "--json", str(out)]
    cmd += ["--quiet"] if command == "run" else []
    cmd += [f"--url={u}" for u in urls] + [f"--server-pid={p}" for p in pids] + list(map(str, args))
    started = time.monotonic()
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
    print(
        f"\n=== {name} ({time.monotonic() - started:.0f} s, exit {run.returncode})\n"
        f"{run.stdout}{run.stderr[-1500:] if run.returncode else ''}",
        flush=True,
    )
    if not out.exists():
        return {"name": name, "failed": run.stderr[-2000:]}
    result = json.loads(out.read_text())
    result["name"] = name
    result["command"] = "python -m loadtest " + " ".join(cmd[3:])
    result["exit"] = run.returncode
    result["server_commit"] = server_commit()
    result["machine_idle_before"] = idle_before
    result["loadavg_before"] = os.getloadavg()
    return result


def users_file(ctx) -> str:
    """Stands for the run's users file among a scenario's arguments (each run has its own)."""
    return ctx["users"]


def on_new_event(label: str, *args, kind="uvicorn", procs=1, env=None, command="run", **size):
    """A scenario: a fresh event (`label`, `size` as bench_databases.new_event takes it),
    `procs` servers of `kind` with `env`, and the load tester's `command` run on them with
    `args` (a function of them, such as `users_file`, is called with the run's context first)."""

    def run(ctx):
        event = new_event(label, **size)
        filled = [arg(ctx) if callable(arg) else arg for arg in args]
        with servers(kind, procs, **(env or {})) as (urls, pids):
            return loadtest(urls, pids, event, *filled, name=ctx["name"], command=command)

    return run
