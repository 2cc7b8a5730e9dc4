"""The load generator against a real server on the full stack (PostgreSQL + Redis): a small
load, and the verdict must pass with every push delivered and timed."""

import asyncio
import subprocess
import sys

import orjson
import pytest

from harness.servers import server_processes
from loadtest.api import ws_url
from loadtest.browser import Browser
from loadtest.commands import parse
from loadtest.figures import table
from loadtest.run import main_async

from .server_stack import Stack

pytestmark = pytest.mark.slow


async def run(stack: Stack, *argv: str) -> dict:
    """python -m loadtest run against the test server's event, with its users, and these options."""
    argv = ["--url", stack.base, "--event", str(stack.event_id), "--users", str(stack.users), *argv]
    result = await main_async(parse("run", argv))
    print(table(result))
    return result


async def test_watchers_see_every_hold_and_the_verdict_passes(stack, tmp_path):
    out = tmp_path / "result.json"
    result = await run(
        stack,
        "--watchers",
        "40",
        "--connect-burst",
        "20",
        "--clickers",
        "1",
        "--profile",
        "uniform",
        "--rate",
        "8",
        "--duration",
        "3",
        "--quiet",
        "--json",
        str(out),
        "--idle",
        "0.2",
    )
    assert result["verdict"]["passed"], result["verdict"]
    assert result["verdict"]["watchers_checked"] == 40
    assert result["connect"]["refused"] == 0
    clicks, push = result["clicks"], result["push"]
    assert clicks["by_op"]["lock"]["ok"] >= 10
    assert clicks["server_errors"] == 0
    # Every hold is one pushed message, received by every watcher and timed from its stamp.
    assert result["verdict"]["changes_committed"] >= 10
    # One clicker: commits in order, so every committed change is pushed, in seq order, to all.
    # (With concurrent clickers, seqs can arrive out of order; watchers then resync by snapshot
    # as PROTOCOL.md says, and the model check above covers them.)
    assert result["verdict"]["changes_pushed"] == result["verdict"]["changes_committed"]
    assert push["delivered"] == push["expected"]
    assert result["resyncs"] == {}
    assert push["latency_ms"]["n"] == push["delivered"]
    assert push["latency_ms"]["p50"] is not None


async def test_watchers_spread_over_three_processes_are_all_counted_and_checked(stack):
    result = await run(
        stack,
        "--watchers",
        "30",
        "--procs",
        "3",
        "--clickers",
        "1",
        "--profile",
        "uniform",
        "--rate",
        "8",
        "--duration",
        "2",
        "--quiet",
        "--idle",
        "0.2",
    )
    assert result["verdict"]["passed"], result["verdict"]
    assert result["connect"]["ready_by_process"] == [10, 10, 10]
    assert result["verdict"]["watchers_checked"] == 30  # the children's 20 included
    push = result["push"]
    assert push["listeners"] == 30 and push["messages"] >= 5
    # Every push reached all 30 sockets, 20 of them in the two children.
    assert push["delivered"] == push["expected"] == push["messages"] * 30
    assert push["latency_ms"]["n"] == push["delivered"]


async def test_with_deflate_watchers_read_a_compressing_servers_pushes_and_the_verdict_passes(
    stack,
):
    with server_processes(stack.env(), args=("--deflate",)) as [server]:
        # The server agrees to permessage-deflate, and its compressed snapshot reads whole.
        browser = Browser(server.url, deflate=True)
        first = asyncio.get_running_loop().create_future()
        socket = await browser.websocket(ws_url(server.url, stack.event_id), server.url)
        assert socket.protocol.extensions  # permessage-deflate agreed
        socket.listen(lambda text: first.done() or first.set_result(text))
        assert orjson.loads(await asyncio.wait_for(first, 10))["type"] == "state"
        browser.close()

        argv = ["--url", server.url, "--event", str(stack.event_id), "--users", str(stack.users)]
        argv += ["--deflate", "--watchers", "10", "--clickers", "1", "--profile", "uniform"]
        argv += ["--rate", "8", "--duration", "2", "--quiet", "--idle", "0.2"]
        result = await main_async(parse("run", argv))
    assert result["verdict"]["passed"], result["verdict"]
    assert result["verdict"]["watchers_checked"] == 10
    push = result["push"]
    assert push["delivered"] == push["expected"] == push["messages"] * 10 > 0


async def test_hot_seat_has_exactly_one_winner(stack):
    result = await run(
        stack,
        "--watchers",
        "10",
        "--clickers",
        "8",
        "--profile",
        "hot",
        "--hot-seats",
        "1",
        "--quiet",
        "--idle",
        "0.1",
        "--settle",
        "1",
    )
    assert result["verdict"]["passed"], result["verdict"]
    assert result["clicks"]["winners"] == 1
    lock = result["clicks"]["by_op"]["lock"]
    assert lock["requests"] == 8 and lock["ok"] == 1
    assert result["clicks"]["errors_by_code"] == {"lock:seat_unavailable": 7}


async def test_polling_watchers_report_staleness(stack):
    result = await run(
        stack,
        "--watchers",
        "10",
        "--poll",
        "1",
        "--clickers",
        "2",
        "--profile",
        "churn",
        "--rate",
        "4",
        "--duration",
        "2",
        "--quiet",
        "--idle",
        "0.1",
        "--settle",
        "0.5",
    )
    assert result["verdict"]["passed"], result["verdict"]
    assert result["poll"]["polls"] >= 20
    assert result["poll"]["staleness_ms"]["n"] > 0


def test_latency_command_times_pushes_from_the_answer_and_from_the_commit(stack):
    base, event_id = stack.base, stack.event_id
    out = subprocess.run(
        [sys.executable, "-m", "loadtest", "latency", "--url", base, "--event", str(event_id)]
        + ["--rounds", "3"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    lines = out.splitlines()
    assert lines[0].startswith("HTTP answer -> watcher: p50 ") and lines[0].endswith("(n=6)")
    assert lines[1].startswith("commit      -> watcher: p50 ") and lines[1].endswith("(n=6)")
