"""`python -m loadtest waiting`: what thousands of waiting sockets cost one server process.

Opens --sockets anonymous sockets on an event whose waiting room is on (they wait: `queue`
frames, no seats), then times --frames consecutive `queue` frames at every socket: from the
server's `at` (when the tick built the state) to each socket reading it, and the spread from the
first socket to the last. Meanwhile it samples the server process's CPU (/proc/PID/stat, every
0.1 s) and splits it: while a frame goes out, and between frames (what waiting costs: the
ticks, the keepalive pings, the sockets held). The targets of the issue: every frame reaches
every socket within 1 s (p99) and the waiting costs under 10 % of a core between frames; the
exit status is 1 when a target is missed or a socket never came up.

The load client shares the machine: its own CPU is reported beside the server's (a client
near a whole core is its own queue, and the delivery times are then the client's).

    python -m loadtest waiting --url http://127.0.0.1:8000 --event 3 --sockets 10000 \\
        --server-pid 1234 --json waiting.json
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import time
from collections import Counter

import aiohttp

from .api import http_session, ws_url
from .commands import base_url, write_result
from .figures import aligned, spread
from .queue_buyers import frames_until_closed, reopened
from .queue_figures import SPREAD
from .queue_observed import parsed
from .stats import proc_sample, quantiles, raise_nofile, self_sample

CPU_SAMPLE_S = 0.1


class Waiting:
    """The run's sockets and what they read: each frame's receipts by the frame's `at`."""

    def __init__(self, url: str, count: int):
        self.url, self.count = url, count
        self.receipts: dict[int, list[int]] = {}  # at (ns) -> when each socket read it
        self.up = 0  # sockets that read their first frame
        self.open = 0
        self.closed: Counter = Counter()  # close code -> sockets
        self.errors: Counter = Counter()
        self.all_up = asyncio.Event()
        self.new_frame = asyncio.Event()

    async def socket(self, session: aiohttp.ClientSession) -> None:
        """One waiting socket until cancelled, reopened when the server closes it."""
        first = True

        def on_frame(text: str) -> None:
            nonlocal first
            _, frame = parsed(text)
            if frame is not None:
                self._read(frame.at_ns, time.time_ns())
                if first:
                    first, self.up = False, self.up + 1
                    if self.up == self.count:
                        self.all_up.set()

        async def once() -> int | None:
            timeout = aiohttp.ClientWSTimeout(ws_receive=None)
            async with session.ws_connect(self.url, autoping=True, timeout=timeout) as ws:
                self.open += 1
                try:
                    return await frames_until_closed(ws, on_frame)
                finally:
                    self.open -= 1

        def failed(exc: Exception) -> None:
            self.errors[type(exc).__name__] += 1

        def closed(code: int | None) -> None:
            if code is not None:
                self.closed[code] += 1

        await reopened(once, failed, closed)

    def _read(self, at_ns: int, now: int) -> None:
        receipts = self.receipts.get(at_ns)
        if receipts is None:
            receipts = self.receipts[at_ns] = []
            self.new_frame.set()
        receipts.append(now)


def cpu_at(samples: list[tuple[int, float]], moment_ns: int) -> float:
    """The process's CPU seconds at `moment_ns`, between the two samples around it."""
    if moment_ns <= samples[0][0]:
        return samples[0][1]
    for (t0, c0), (t1, c1) in zip(samples, samples[1:], strict=False):
        if t0 <= moment_ns <= t1:
            return c0 + (c1 - c0) * (moment_ns - t0) / max(1, t1 - t0)
    return samples[-1][1]


def frame_figures(at_ns: int, receipts: list[int]) -> dict:
    return {
        "receivers": len(receipts),
        "from_at_ms": quantiles([r - at_ns for r in receipts], 1e-6, SPREAD),
        "spread_ms": round((max(receipts) - min(receipts)) / 1e6, 3),
    }


def waiting_figures(
    frames: list[tuple[int, list[int]]], cpu: list[tuple[int, float]], sockets: int
) -> dict:
    """`frames`: consecutive frames (at, receipts), the last one only closing the window of
    the one before; `cpu`: (ns, CPU seconds) samples of the server. Per frame: receivers,
    delivery from `at`, spread; the server's cores while each frame went out (from its `at` to
    its last receipt) and between frames (from the last receipt to the next frame's `at`)."""
    measured, per_frame, between, during = frames[:-1], [], [], []
    for (at, receipts), (next_at, _) in zip(frames, frames[1:], strict=False):
        figures = frame_figures(at, receipts)
        per_frame.append(figures)
        last = max(receipts)
        if last > at:
            during.append((cpu_at(cpu, last) - cpu_at(cpu, at)) / ((last - at) / 1e9))
        if next_at > last:
            between.append((cpu_at(cpu, next_at) - cpu_at(cpu, last)) / ((next_at - last) / 1e9))
    all_delays = [r - at for at, receipts in measured for r in receipts]
    worst_p99 = max((f["from_at_ms"]["p99"] for f in per_frame), default=None)
    return {
        "sockets": sockets,
        "frames": len(measured),
        "frame_interval_s": (
            round((frames[-1][0] - frames[0][0]) / 1e9 / len(measured), 3) if measured else None
        ),
        "every_socket_every_frame": all(f["receivers"] >= sockets for f in per_frame),
        "delivery_from_at_ms": quantiles(all_delays, 1e-6, SPREAD),
        "worst_frame_p99_ms": worst_p99,
        "spread_ms_max": max((f["spread_ms"] for f in per_frame), default=None),
        "server_cores_between_frames": quantiles(between, 1.0, SPREAD),
        "server_cores_between_frames_mean": (
            round(sum(between) / len(between), 4) if between else None
        ),
        "server_cores_during_frames": quantiles(during, 1.0, SPREAD),
        "per_frame": per_frame,
    }


def targets(figures: dict, max_delivery_ms: float, max_cores: float) -> list[str]:
    """The targets missed (empty: all met)."""
    missed = []
    if not figures["frames"]:
        return ["no frame measured"]
    if not figures["every_socket_every_frame"]:
        missed.append("a frame did not reach every socket")
    if figures["worst_frame_p99_ms"] > max_delivery_ms:
        missed.append(
            f"a frame reached its sockets in {figures['worst_frame_p99_ms']} ms (p99), over "
            f"{max_delivery_ms} ms"
        )
    mean = figures["server_cores_between_frames_mean"]
    if mean is not None and mean >= max_cores:
        missed.append(f"waiting cost {mean} cores between frames, {max_cores} or more")
    return missed


async def measure(options: argparse.Namespace) -> dict:
    nofile = raise_nofile()
    waiting = Waiting(ws_url(options.url, options.event), options.sockets)
    session = http_session(total_timeout=None)
    cpu: list[tuple[int, float]] = []
    pids = [options.server_pid] if options.server_pid else []

    async def sample_cpu():
        while True:
            cpu.append((time.time_ns(), proc_sample(pids)["cpu_s"]))
            await asyncio.sleep(CPU_SAMPLE_S)

    sampler = asyncio.ensure_future(sample_cpu())
    tasks: list[asyncio.Future] = []
    result: dict = {"config": {k: v for k, v in vars(options).items()}, "nofile_limit": nofile}
    try:
        started = time.monotonic()
        bursts = math.ceil(options.sockets / options.connect_burst)
        for b in range(bursts):
            count = min(options.connect_burst, options.sockets - b * options.connect_burst)
            tasks += [asyncio.ensure_future(waiting.socket(session)) for _ in range(count)]
            if b < bursts - 1:
                await asyncio.sleep(options.connect_interval)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(waiting.all_up.wait(), options.connect_timeout)
        result["connect"] = {
            "sockets_up": waiting.up,
            "seconds": round(time.monotonic() - started, 3),
            "errors": dict(waiting.errors),
        }
        if waiting.up < options.sockets:
            result["missed"] = [f"{options.sockets - waiting.up} sockets never came up"]
            return result
        measure_from = time.time_ns()
        client_before = self_sample()
        patience = time.monotonic() + options.frame_timeout * (options.frames + 2)
        while time.monotonic() < patience:
            later = sorted(at for at in waiting.receipts if at > measure_from)
            if len(later) > options.frames:
                break
            waiting.new_frame.clear()
            try:
                await asyncio.wait_for(waiting.new_frame.wait(), options.frame_timeout)
            except TimeoutError:
                break
        await asyncio.sleep(0.5)  # the closing frame's own receipts do not count
        client_after = self_sample()
        later = sorted(at for at in waiting.receipts if at > measure_from)[: options.frames + 1]
        frames = [(at, waiting.receipts[at]) for at in later]
        figures = waiting_figures(frames, cpu, options.sockets) if len(frames) > 1 else None
        result["waiting"] = figures
        result["client_cores"] = round(
            (client_after["cpu_s"] - client_before["cpu_s"])
            / max(1e-9, client_after["at"] - client_before["at"]),
            3,
        )
        result["server_rss_bytes"] = proc_sample(pids)["rss_bytes"] if pids else None
        result["closed_by_server"] = {str(k): n for k, n in waiting.closed.items()}
        result["errors"] = dict(waiting.errors)  # sockets lost after connecting too
        result["missed"] = (
            targets(figures, options.max_delivery_ms, options.max_cores)
            if figures
            else ["fewer than two frames came"]
        )
        if not pids:
            result["missed"] = [m for m in result["missed"] if "cores" not in m]
        return result
    finally:
        sampler.cancel()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, sampler, return_exceptions=True)
        await session.close()


def table(result: dict) -> str:
    connect = result["connect"]
    rows = [("sockets up", f"{connect['sockets_up']} in {connect['seconds']} s")]
    w = result.get("waiting")
    if w:
        rows += [
            ("frames", f"{w['frames']}, one every {w['frame_interval_s']} s"),
            ("every socket, every frame", "yes" if w["every_socket_every_frame"] else "NO"),
            ("from `at` to a socket", spread(w["delivery_from_at_ms"], "ms")),
            ("worst frame's p99", f"{w['worst_frame_p99_ms']} ms"),
            ("first to last socket", f"max {w['spread_ms_max']} ms"),
            (
                "server cores between frames",
                f"mean {w['server_cores_between_frames_mean']}; "
                f"{spread(w['server_cores_between_frames'], '')}",
            ),
            ("server cores during frames", spread(w["server_cores_during_frames"], "")),
            ("client cores", str(result["client_cores"])),
        ]
    missed = result.get("missed") or []
    rows.append(("targets", "met" if not missed else "MISSED: " + "; ".join(missed)))
    return aligned(rows)


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--url", type=base_url, default="http://127.0.0.1:8000", help="the server's base URL"
    )
    p.add_argument("--event", type=int, required=True, help="an event whose waiting room is on")
    p.add_argument("--sockets", type=int, default=10_000, help="waiting sockets to open")
    p.add_argument("--frames", type=int, default=6, help="queue frames to time")
    p.add_argument("--server-pid", type=int, help="the server process: its CPU from /proc")
    p.add_argument("--connect-burst", type=int, default=500, help="sockets opened at once")
    p.add_argument("--connect-interval", type=float, default=0.2, help="seconds between bursts")
    p.add_argument(
        "--connect-timeout", type=float, default=120, help="seconds for every socket to come up"
    )
    p.add_argument(
        "--frame-timeout",
        type=float,
        default=15,
        help="seconds to wait for the next frame (the server sends one at least every "
        "QUEUE_FRAME_SECONDS)",
    )
    p.add_argument(
        "--max-delivery-ms", type=float, default=1000, help="target: a frame's p99 from `at`"
    )
    p.add_argument(
        "--max-cores", type=float, default=0.10, help="target: server cores between frames"
    )
    p.add_argument("--json", metavar="FILE", help="write every figure to FILE as JSON")


def main(options: argparse.Namespace) -> int:
    result = asyncio.run(measure(options))
    print(table(result))
    write_result(result, options.json, draw=False)
    return 1 if result.get("missed") else 0
