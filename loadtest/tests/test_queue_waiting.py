"""`python -m loadtest waiting`: the figures of waiting sockets from crafted receipts and
CPU samples, the targets it judges by, and a small run against a real server whose room sends
a frame every second."""

import json
import subprocess
import sys

import pytest

from harness.servers import ROOT
from loadtest.queue_waiting import cpu_at, targets, waiting_figures

from .server_stack import queue_event

MS = 1_000_000


def test_cpu_between_samples_is_interpolated():
    samples = [(0, 1.0), (100 * MS, 1.5), (200 * MS, 1.5)]
    assert cpu_at(samples, 50 * MS) == pytest.approx(1.25)
    assert cpu_at(samples, -5) == 1.0 and cpu_at(samples, 900 * MS) == 1.5


def test_delivery_and_the_servers_cores_during_and_between_frames():
    # Two frames 5 s apart to three sockets, each read 100-300 ms after its `at`; the server
    # spends 0.2 s of CPU while a frame goes out and 0.05 s a second between.
    frames = [
        (1000 * MS, [1100 * MS, 1200 * MS, 1300 * MS]),
        (6000 * MS, [6100 * MS, 6200 * MS, 6300 * MS]),
        (11000 * MS, [11100 * MS]),
    ]
    cpu = [(1000 * MS, 0.0), (1300 * MS, 0.2), (6000 * MS, 0.2 + 0.05 * 4.7)]
    cpu += [(6300 * MS, 0.635), (11000 * MS, 0.635 + 0.05 * 4.7)]

    figures = waiting_figures(frames, cpu, sockets=3)

    assert figures["frames"] == 2 and figures["frame_interval_s"] == 5.0
    assert figures["every_socket_every_frame"] is True
    assert figures["worst_frame_p99_ms"] == 300.0 and figures["spread_ms_max"] == 200.0
    assert figures["server_cores_between_frames_mean"] == pytest.approx(0.05)
    assert figures["server_cores_during_frames"]["max"] == pytest.approx(0.2 / 0.3, abs=0.01)
    assert targets(figures, 1000, 0.10) == []
    assert targets(figures, 250, 0.04) == [
        "a frame reached its sockets in 300.0 ms (p99), over 250 ms",
        "waiting cost 0.05 cores between frames, 0.04 or more",
    ]
    assert targets(waiting_figures(frames, cpu, sockets=4), 1000, 0.1) == [
        "a frame did not reach every socket"
    ]


@pytest.mark.slow
def test_fifty_waiting_sockets_each_read_every_frame(queue_stack, tmp_path):
    env, base, pid, _ = queue_stack
    event = queue_event(env, on_sale_in=3600, rows=1, per_row=4)
    out = tmp_path / "waiting.json"
    command = [sys.executable, "-m", "loadtest", "waiting", "--url", base]
    command += ["--event", str(event), "--sockets", "50", "--frames", "3"]
    command += ["--server-pid", str(pid), "--json", str(out), "--max-cores", "1"]

    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)

    print(done.stdout, done.stderr)
    result = json.loads(out.read_text())
    receivers = [f["receivers"] for f in (result.get("waiting") or {}).get("per_frame", [])]
    print(receivers, result.get("closed_by_server"), result.get("errors"))
    assert done.returncode == 0
    waiting = result["waiting"]
    assert result["connect"]["sockets_up"] == 50 and result["missed"] == []
    assert waiting["frames"] == 3 and waiting["every_socket_every_frame"]
    # The room sends a frame every QUEUE_FRAME_SECONDS (1 s here) while nothing changes.
    assert 0.5 < waiting["frame_interval_s"] < 2.5
    assert [f["receivers"] for f in waiting["per_frame"]] == [50, 50, 50]
    assert 0 < waiting["delivery_from_at_ms"]["p50"] < 1000
    assert waiting["server_cores_between_frames_mean"] > 0
