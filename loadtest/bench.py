"""`make bench`: the fixed scenarios of issue 5 on the full stack, written to BENCHMARKS.md.

Sets up its own database (`seatmap_bench`, or BENCH_DB) and Redis db 7 (or BENCH_REDIS_URL),
starts the servers itself (daphne or uvicorn, one or two processes), runs `python -m loadtest`
in a separate process per scenario (so the load client has its own interpreter and core), and
pgbench for the database ceiling. Engineers sharing a machine pick their own BENCH_DB and
BENCH_REDIS_URL.

    python -m loadtest bench                 # every scenario (about 15 minutes)
    python -m loadtest bench --only fanout-1000-uvicorn,hot-1000
    python -m loadtest bench --only client-path --no-write   # a set (--list shows them)
    python -m loadtest bench --list
"""

import argparse
import json
import tempfile
from pathlib import Path

from .bench_databases import setup
from .bench_machine import machine
from .bench_scenarios import SCENARIOS, SETS
from .bench_servers import RESULTS, ROOT
from .commands import UsageError


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--only", help="comma-separated scenario names (default: all)")
    p.add_argument("--list", action="store_true", help="list the scenarios and exit")
    p.add_argument("--no-write", action="store_true", help="do not rewrite BENCHMARKS.md")


def prepare(args: argparse.Namespace) -> None:
    args.names = list(SCENARIOS)
    if args.only:
        args.names = [n for part in args.only.split(",") for n in SETS.get(part, [part])]
    unknown = [n for n in args.names if n not in SCENARIOS]
    if unknown:
        raise UsageError(f"unknown scenario(s): {', '.join(unknown)} (--list shows them)")


def main(args: argparse.Namespace) -> int:
    if args.list:
        print("\n".join(SCENARIOS))
        print("\n".join(f"set {name}: {','.join(members)}" for name, members in SETS.items()))
        return 0
    names = args.names
    RESULTS.mkdir(parents=True, exist_ok=True)
    results, ran = {}, {}  # every run's newest results; this run's
    summary_path = RESULTS / "summary.json"
    if summary_path.exists():
        results = json.loads(summary_path.read_text()).get("results", {})
    with tempfile.TemporaryDirectory() as tmp:
        ctx = {"workdir": Path(tmp), **setup(Path(tmp))}
        for name in names:
            ctx["name"] = name
            try:
                ran[name] = SCENARIOS[name](ctx)
            except Exception as exc:  # one broken scenario must not lose the others
                ran[name] = {"name": name, "failed": f"{type(exc).__name__}: {exc}"}
            results[name] = ran[name]
            summary_path.write_text(
                json.dumps({"machine": machine(), "results": results}, indent=1)
            )
    if not args.no_write:
        from .report import write_benchmarks

        write_benchmarks(machine(), ran, ROOT / "BENCHMARKS.md")  # a row is of one run
    failed = [n for n in names if results[n].get("exit", 0) or results[n].get("failed")]
    return 1 if failed else 0
