"""`python -m loadtest <command>`: the load tester's one entry point, a table of its commands.

A command is a module of this package with `arguments(parser)` (its options), `main(args) ->
int` (the exit status) and, if its options are checked against each other, `prepare(args)`,
which raises `UsageError` for a usage message. The module's docstring is its `--help`. Only the
command asked for is imported: `--help` does not load matplotlib, Django or the bench.
"""

import argparse
import importlib
import sys
from pathlib import Path
from urllib.parse import urlparse

# name: (module, one line for the overview), in the overview's order and sections.
SECTIONS = {
    "against a deployment (a URL, accounts, an event)": {
        "run": ("cli", "a profile: watchers and clickers at once, then the verdict"),
        "latency": ("latency", "push latency of one buyer's holds to one watcher"),
        "console": ("console", "an organiser's console beside a sale: how far its counts trail"),
        "waiting": ("queue_waiting", "what thousands of waiting-room sockets cost the server"),
        "ready": ("ready", "an on-sale expected: READY, NOT READY and what to add, UNKNOWN"),
        "passwords": ("passwords", "give a users file's accounts a password (--auth client)"),
    },
    "files and models": {
        "report": ("report_html", "a saved run (--json) as one HTML page; two side by side"),
        "capacity": ("capacity", "what a load needs, from the measured unit costs; --check"),
    },
    "on this machine (each starts its own servers on BENCH_DB)": {
        "bench": ("bench", "the fixed scenarios, written to BENCHMARKS.md (make bench)"),
        "ab": ("bench_ab", "holds or checkouts of two checkouts, interleaved: CPU, ratios"),
        "fanout": (
            "fanout.bench",
            "WebSocket fan-out: a bare loop, this project, Channels' tutorials",
        ),
        "webhooks": ("bench_webhooks", "webhook delivery and the inventory check, timed"),
        "seat-list-cost": ("seat_list_cost", "the arena's seat list against a hold, in CPU"),
        "request-cpu": ("request_cpu", "a server process's CPU per kind of read"),
    },
}
COMMANDS = {name: row for section in SECTIONS.values() for name, row in section.items()}
# Commands of before that are profiles of `run` now: asked for by their old name, they say so.
NOW_PROFILES = ("best", "season")

OVERVIEW = """\
usage: python -m loadtest <command> [options]    (python -m loadtest <command> --help)

The seat map's load tester: loads a deployment over HTTP and WebSocket and checks that no seat
was sold twice and every watcher's map equals the server's.
{commands}
examples:
  python -m loadtest run --url http://127.0.0.1:8000 --event 1 --users users.json \\
      --auth bearer --clickers 20 --duration 10 --json results/run.json
  python -m loadtest report results/a.json results/b.json -o results/ab.html
  python -m loadtest capacity --watchers 100000 --arrivals-per-s 500 --clicks-per-s 200
"""


class UsageError(Exception):
    """Options that do not go together: the command's usage and this message, exit status 2."""


class Mistake(Exception):
    """What the person running a command got wrong (a file not there or not of its kind): this
    one line on stderr, exit status 1."""


def read_json(path: str, what: str):
    """A JSON file a command was given (`what` it should be), or the Mistake it is."""
    import orjson

    try:
        return orjson.loads(Path(path).read_bytes())
    except OSError as exc:
        raise Mistake(f"{path}: {exc.strerror}") from exc
    except orjson.JSONDecodeError as exc:
        raise Mistake(f"{path}: not {what} ({exc})") from exc


def write_result(result: dict, json: str | None, report: str | None = None, draw=True) -> None:
    """`result` as JSON to `json`, and (`draw`) as the HTML report to `report` (default: beside
    the JSON, FILE.html)."""
    import orjson

    if json:
        Path(json).write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
    report = report or (json and draw and str(Path(json).with_suffix(".html")))
    if report:
        from .report_html import write_report  # matplotlib: only in a process that draws

        write_report([(Path(json or report).stem, result)], Path(report))
        print(f"report: {report}")


def seat_range(text: str) -> tuple[int, int]:
    """A number of seats: N or MIN-MAX, at least 1 (`--journey-seats`, `--sizes`)."""
    low, _, high = text.partition("-")
    try:
        bounds = (int(low), int(high or low))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not N or MIN-MAX: {text!r}") from None
    if not 1 <= bounds[0] <= bounds[1]:
        raise argparse.ArgumentTypeError(f"needs 1 <= MIN <= MAX: {text!r}")
    return bounds


def base_url(text: str) -> str:
    """A server's base URL (`--url`): http:// or https:// and a host."""
    parsed = urlparse(text)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise argparse.ArgumentTypeError(f"not http://HOST or https://HOST: {text!r}")
    return text.rstrip("/")


def share(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"a share from 0 to 1: {text!r}")
    return value


class Parser(argparse.ArgumentParser):
    """A usage mistake in one line on stderr, exit status 2 (`--help` has the rest)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def mistake(exc: Exception) -> str | None:
    """What a person did wrong, in one line, or None for a bug (its traceback is wanted):
    a server not reached or answering a read with an error (an unknown event), a file not
    there or not of its kind."""
    import aiohttp  # not for `--help`

    if isinstance(exc, Mistake):
        return str(exc)
    if isinstance(exc, aiohttp.ClientResponseError):
        said = f"{exc.request_info.method} {exc.request_info.url} answered {exc.status}"
        return said + (" (no such event on this server?)" if exc.status == 404 else "")
    if isinstance(exc, aiohttp.ClientConnectionError | TimeoutError):
        return f"the server did not answer ({exc or type(exc).__name__}): is --url right?"
    if isinstance(exc, OSError) and exc.filename:
        return f"{exc.filename}: {exc.strerror}"
    return None


class Formatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """The docstring as written, and each option's default where it has one to show."""

    def _get_help_string(self, action: argparse.Action) -> str:
        if action.default is None or action.default is False or action.default == []:
            return action.help
        return super()._get_help_string(action)


def overview() -> str:
    commands = "".join(
        f"\n{title}:\n" + "".join(f"  {name:16s}{line}\n" for name, (_, line) in rows.items())
        for title, rows in SECTIONS.items()
    )
    return OVERVIEW.format(commands=commands)


def parser(name: str) -> tuple[argparse.ArgumentParser, object]:
    module = importlib.import_module(f"loadtest.{COMMANDS[name][0]}")
    p = Parser(
        prog=f"python -m loadtest {name}", description=module.__doc__, formatter_class=Formatter
    )
    module.arguments(p)
    return p, module


def parse(name: str, argv: list[str]) -> argparse.Namespace:
    """A command's options, parsed and checked (a usage error exits 2, as argparse does)."""
    p, module = parser(name)
    args = p.parse_args(argv)
    try:
        getattr(module, "prepare", lambda args: None)(args)
    except UsageError as exc:
        p.error(str(exc))
    args.argv = argv  # as given: a run's --procs children get them
    return args


def command(argv: list[str]) -> tuple[str, list[str]]:
    """The command an argv names, and its own options; the options alone, as before there were
    commands, are a run's."""
    return ("run", argv) if argv[0].startswith("-") else (argv[0], argv[1:])


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(overview(), end="")
        return 0 if argv else 2
    name, rest = command(argv)
    if name not in COMMANDS:
        moved = f": python -m loadtest run --profile {name}" if name in NOW_PROFILES else ""
        sys.stderr.write(f"python -m loadtest: no command {name!r}{moved}\n\n{overview()}")
        return 2
    args = parse(name, rest)
    try:
        return importlib.import_module(f"loadtest.{COMMANDS[name][0]}").main(args)
    except Exception as exc:
        said = mistake(exc)
        if said is None:
            raise
        sys.stderr.write(f"python -m loadtest {name}: {said}\n")
        return 1
