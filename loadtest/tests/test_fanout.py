"""The fan-out bench (`python -m loadtest fanout`, docs/BENCHMARK-FANOUT.md) run as printed at
a tiny size: every server delivers every frame to every watcher, and the figures, the table,
the plots and the doc's sections are written with values in them."""

import json
import os
import shutil
import subprocess
import sys
from urllib.parse import urlsplit

import pytest

from loadtest.bench_servers import ROOT

SERVERS = ("floor", "uvicorn", "daphne", "tutorial-core", "tutorial-pubsub")
WATCHERS, FRAMES = 20, 3


@pytest.mark.slow
def test_each_server_delivers_every_frame_to_every_watcher_and_the_doc_is_drawn(tmp_path):
    doc = tmp_path / "BENCHMARK-FANOUT.md"
    shutil.copy(ROOT / "docs" / "BENCHMARK-FANOUT.md", doc)
    env = {
        **os.environ,
        # Beside the test run's database and on its Redis db, as loadtest/tests/server_stack.py.
        "BENCH_DB": urlsplit(os.environ["DATABASE_URL"]).path.lstrip("/") + "_fanout",
        "BENCH_REDIS_URL": os.environ["REDIS_URL"],
    }
    command = [sys.executable, "-m", "loadtest", "fanout", "--servers", ",".join(SERVERS)]
    command += ["--sizes", str(WATCHERS), "--frames", str(FRAMES), "--quiet-patience", "0"]
    command += ["--storm", "0.5", "--settle", "0.5", "--frame-timeout", "5"]
    command += ["--json", str(tmp_path / "fanout.json")]
    command += ["--plots", str(tmp_path / "plots"), "--doc", str(doc)]

    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)

    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    runs = {r["server"]: r for r in json.loads((tmp_path / "fanout.json").read_text())["runs"]}
    assert list(runs) == list(SERVERS)
    for name, figures in runs.items():
        assert (figures["connected"], figures["refused"]) == (WATCHERS, 0), name
        assert figures["delivered"] == figures["expected"] == WATCHERS * FRAMES, name
        assert figures["completion_ms"]["n"] == FRAMES and figures["completion_ms"]["p50"] > 0
        assert figures["cpu_us_per_delivery"] > 0, name
        assert figures["client_us_per_delivery"] > 0, name
    # The floor's and the tutorial's frames are the size of the project's.
    project = runs["uvicorn"]["frame_bytes"]
    assert all(abs(r["frame_bytes"] - project) <= 0.15 * project for r in runs.values()), runs
    for plot in ("cpu-per-delivery.png", "completion.png", "memory-per-socket.png"):
        drawn = (tmp_path / "plots" / plot).read_bytes()
        assert drawn.startswith(b"\x89PNG") and len(drawn) > 5000, plot
        assert f"](plots/{plot})" in doc.read_text()
    written = doc.read_text()
    for name in SERVERS:
        assert f"| {WATCHERS} | {name} | " in written
    with open("/proc/cpuinfo") as cpuinfo:
        model = next(line for line in cpuinfo if line.startswith("model name"))
    assert model.split(":", 1)[1].strip() in written
