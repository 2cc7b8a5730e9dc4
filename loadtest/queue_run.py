"""The queue profile's run (`--profile queue`): the event's waiting room from the pre-queue to
sold out, with thousands of accounts on their sockets in this one process.

1. Reads the room's times (`GET queue/`) and the server's clock against this one's (the frames'
   `at` are the server's). `--pre-queue-share` of the `--arrivals` join within
   `--arrive-within` seconds before the on-sale, the rest within `--late-within` seconds after
   it; `--no-show-share` never claim (queue_buyers.py).
2. Waits until every buyer is done (called and booked, a no-show called, or told sold out), at
   most `--sale-within` seconds after the on-sale, or until the room has stalled (seats free,
   buyers waiting, nobody called or shopping), then `--settle` seconds.
3. The verdict: the published proof and every number against it, admissions in order, join time
   no predictor of the draw, no turn after sold out, sold out told to every waiting socket
   (queue_verdict.py); no seat sold twice and every booking as answered (verdict.py).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time

from . import figures
from .api import fetch_map_ids, fetch_seats, get_json, get_pages, http_session, ws_url
from .clickers import TRANSPORT_ERRORS, first_users, log_in_all
from .commands import read_json
from .onsale_buyers import stage_ranking
from .progress import Progress
from .queue_buyers import BuyerPlan, QueueBuyer, TurnClicker, sleep_until
from .queue_figures import queue_figures
from .queue_observed import iso_ns
from .queue_verdict import judge, stall
from .stats import Recorder, proc_sample, raise_nofile, self_sample
from .timeline import timeline
from .verdict import Verdict, inventory_verdict, journey_verdict, sales_verdict

# Pre-queue joins end this long before the on-sale (a join in flight at the on-sale is late),
# late ones start this long after it.
ON_SALE_MARGIN_S = 1.0
# How often the run looks whether the room has stalled.
STALL_LOOK_S = 5.0
# The room's settings the result keeps.
ROOM_FIGURES = ("opens_at", "on_sale_at", "state", "max_active", "claim_seconds", "turn_seconds")


class QueueProgress(Progress):
    def __init__(self, rec: Recorder, quiet: bool, buyers: list[QueueBuyer]):
        super().__init__(rec, quiet)
        self.buyers = buyers

    def fields(self) -> dict[str, str]:
        seen = [b.seen for b in self.buyers]
        return {
            "elapsed": f"{time.monotonic() - self.started:.1f} s ({self.phase})",
            "sockets": str(sum(1 for b in self.buyers if b.ws is not None)),
            "joined": str(sum(1 for s in seen if s.join_code == "ok")),
            "serving": str(max((b.serving for b in self.buyers), default=0)),
            "called": str(sum(1 for b in self.buyers if b.called.is_set())),
            "claimed": str(sum(1 for s in seen if s.claimed)),
            "booked": str(sum(1 for s in seen if s.seats_booked)),
            "done": str(sum(1 for b in self.buyers if b.done)),
            "errors": self.errors(),
        }


def join_times(
    now_ns: int,
    opens_ns: int,
    on_sale_ns: int,
    *,
    pre: int,
    late: int,
    within: float,
    late_within: float,
) -> tuple[list[int], list[int]]:
    """When each pre-queue entrant and each late arrival joins (wall-clock ns), evenly spread:
    the entrants within `within` seconds from now (or the queue's opening) and before the
    on-sale, the late ones within `late_within` seconds after it."""
    start = max(now_ns + 200_000_000, opens_ns)
    room = (on_sale_ns - ON_SALE_MARGIN_S * 1e9 - start) / 1e9
    if pre and room <= 0:
        raise SystemExit(
            f"the on-sale is {(on_sale_ns - now_ns) / 1e9:.1f} s away: no time to join before "
            "it (create the event with a later --on-sale, or --pre-queue-share 0)"
        )
    step = min(within, room) / pre if pre else 0
    late_start = max(now_ns, on_sale_ns) + ON_SALE_MARGIN_S * 1e9
    late_step = late_within / late if late else 0
    return (
        [int(start + i * step * 1e9) for i in range(pre)],
        [int(late_start + i * late_step * 1e9) for i in range(late)],
    )


async def _room(client, base: str, event_id: int) -> tuple[dict, int]:
    """The waiting room's public state, and the server's clock minus this one's (ns)."""
    sent = time.time_ns()
    try:
        state = await get_json(client, f"{base}/api/events/{event_id}/queue/")
    except Exception as exc:  # a 404: no waiting room on this event
        raise SystemExit(f"event {event_id} has no waiting room to queue in ({exc})") from exc
    answered = time.time_ns()
    return state, iso_ns(state["at"]) - (sent + answered) // 2


async def _sales(admin, event_id: int, base: str, buyers: list[QueueBuyer], verdict) -> dict:
    """No seat in two confirmed reservations and every booking as answered (verdict.py), over
    the buyers who had a turn (nobody else can hold a seat while the room is on)."""
    seats = await fetch_seats(admin, base, event_id)
    server = {s["id"]: (s["status"], s["version"]) for s in seats}
    turned = [b.clicker for b in buyers if b.seen.claimed]
    sem = asyncio.Semaphore(50)

    async def inspect(c: TurnClicker):
        async with sem:
            everything = await get_pages(admin, f"{c.base}/api/reservations/", c.auth.headers)
            c.reservations = [r for r in everything if r["event"]["id"] == event_id]

    await asyncio.gather(*(inspect(c) for c in turned))
    sales_verdict(turned, server, verdict)
    journey_verdict(turned, verdict)
    return server


async def queue_run(options: argparse.Namespace) -> dict:
    rec = Recorder()
    if options.seed is not None:
        random.seed(options.seed)
    users = first_users(read_json(options.users, "a users file"), options.arrivals, "--arrivals")
    admin = http_session()
    sockets = http_session(total_timeout=None)
    click_client = http_session(options.http_connections or max(1, len(users)))
    buyers: list[QueueBuyer] = []
    progress = QueueProgress(rec, options.quiet, buyers)
    result: dict = {}
    stop = asyncio.Event()  # Ctrl-C: the sale ends now, and is judged stopped
    progress.start(stop.set)
    try:
        nofile = raise_nofile()
        base, event_id = options.url[0], options.event
        seats = await fetch_seats(admin, base, event_id)
        ranking = await stage_ranking(admin, base, event_id, seats)
        seat_ids = await fetch_map_ids(admin, base, event_id)
        room, offset_ns = await _room(admin, base, event_id)
        on_sale_ns = iso_ns(room["on_sale_at"]) - offset_ns  # on this machine's clock
        opens_ns = iso_ns(room["opens_at"]) - offset_ns
        n = len(users)
        pre = round(options.pre_queue_share * n)
        order = list(range(n))
        random.shuffle(order)  # who comes early, who late: any account
        pre_at, late_at = join_times(
            time.time_ns(),
            opens_ns,
            on_sale_ns,
            pre=pre,
            late=n - pre,
            within=options.arrive_within,
            late_within=options.late_within,
        )
        join_at = dict(zip(order, pre_at + late_at, strict=True))
        for clicker in TurnClicker.each(users, options, click_client, rec):
            plan = BuyerPlan(
                join_at_ns=join_at[clicker.index],
                no_show=random.random() < options.no_show_share,
                seats=random.randint(*options.journey_seats),
                best=random.random() < options.best_share,
                claim_delay=random.uniform(0, options.claim_within),
            )
            buyers.append(
                QueueBuyer(
                    clicker,
                    plan,
                    ws_url=ws_url(clicker.base, event_id),
                    sockets=sockets,
                    ranking=ranking,
                    seat_ids=seat_ids,
                )
            )
        result.update(
            config=dict(vars(options)),
            seats=len(seats),
            nofile_limit=nofile,
            clock_offset_ms=round(offset_ns / 1e6, 1),
            room={k: room.get(k) for k in ROOM_FIGURES},
        )
        progress.phase = "log in"
        await log_in_all([b.clicker for b in buyers], click_client, options.auth)
        pids = options.server_pid
        before, client_before = proc_sample(pids), self_sample()
        at_on_sale: dict = {}

        async def sample_at_on_sale():
            await sleep_until(on_sale_ns)
            at_on_sale.update(proc_sample(pids))

        sampler = asyncio.ensure_future(sample_at_on_sale())
        progress.phase = "queue"
        lives = [asyncio.ensure_future(b.live()) for b in buyers]
        deadline = on_sale_ns + int(options.sale_within * 1e9)
        looking = asyncio.ensure_future(
            _until_done_or_stalled(buyers, lives, deadline, room.get("claim_seconds") or 0, rec)
        )
        stopping = asyncio.ensure_future(stop.wait())
        await asyncio.wait({looking, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if looking.done():
            pending = looking.result()
        else:
            looking.cancel()
            pending = {task for task in lives if not task.done()}
        for task in pending:
            task.cancel()
        if pending:
            rec.errors["buyers_not_done_in_time"] += len(pending)
        await asyncio.gather(*lives, return_exceptions=True)
        for task in lives:
            if not task.cancelled() and task.exception() is not None:
                rec.errors[f"buyer_failed:{type(task.exception()).__name__}"] += 1
        progress.phase = "settle"
        await asyncio.sleep(options.settle)
        ended = time.time_ns()
        after, client_after = proc_sample(pids), self_sample()
        sampler.cancel()
        for b in buyers:
            await b.stop()
        progress.phase = "verdict"
        verdict = Verdict()
        if progress.stopped:
            verdict.fail(progress.stopped_early("the sale was not run to its end"))
        observed = [b.seen for b in buyers]
        if not options.no_verdict:
            try:
                proof = await get_json(admin, f"{base}/api/events/{event_id}/queue/proof/")
                proof["late"], page = [], proof.get("late_pages")
                while page:  # the late arrivals, a page at a time (API.md)
                    read = await get_json(admin, f"{base}{page}")
                    proof["late"], page = proof["late"] + read["late"], read["next"]
                judge(
                    proof,
                    observed,
                    verdict,
                    max_rho=options.max_rho,
                    end_ns=ended,
                    claim_seconds=room.get("claim_seconds") or 0,
                )
                server = await _sales(admin, event_id, base, buyers, verdict)
                await inventory_verdict(admin, base, event_id, verdict, token=options.metrics_token)
                verdict.figures["seats_reserved_on_server"] = sum(
                    1 for status, _ in server.values() if status == "reserved"
                )
            except (*TRANSPORT_ERRORS, ValueError, KeyError) as exc:
                verdict.fail(f"the API did not answer the verdict's reads: {exc!r}")
        sale_seconds = max(1e-9, (ended - on_sale_ns) / 1e9)
        result["queue"] = queue_figures(observed, on_sale_ns)
        clickers = [b.clicker for b in buyers]
        result["clicks"] = figures.click_figures(rec, clickers, "queue", sale_seconds)
        result["server"] = _server_cpu(pids, before, at_on_sale, after)
        result["client"] = {
            "cpu_s": round(client_after["cpu_s"] - client_before["cpu_s"], 3),
            "rss_bytes": client_after["rss_bytes"],
        }
        result["auth"] = {"mode": options.auth, "calls": dict(rec.auth)}
        result["errors"] = dict(rec.errors)
        result["notes"] = dict(rec.journey_notes)
        result["closed_by_server"] = figures.closed_by_server(rec)
        result["verdict"] = verdict.as_dict()
        result["timeline"] = timeline(rec, progress.phases)
    finally:
        progress.end()
        for b in buyers:
            await b.stop()
        for session in (admin, sockets, click_client):
            await session.close()
    progress.done()
    return result


async def _until_done_or_stalled(
    buyers: list[QueueBuyer], lives: list, deadline_ns: int, claim_seconds: float, rec: Recorder
) -> set:
    """Wait for every buyer, until `deadline_ns`, or until the room has stalled (seats free,
    buyers waiting, nobody called for a claim window and more: queue_verdict.stall) while
    nobody is shopping: nothing could change any more. The buyers not done."""
    pending = set(lives)
    observed = [b.seen for b in buyers]
    waiting = {id(b.seen) for b in buyers}  # whose socket waits (filled at each look)

    def waiting_now(seen) -> bool:
        return id(seen) in waiting

    while pending:
        left = (deadline_ns - time.time_ns()) / 1e9
        if left <= 0:
            break
        _, pending = await asyncio.wait(pending, timeout=min(left, STALL_LOOK_S))
        shopping = any(b.called.is_set() and not b.done and not b.plan.no_show for b in buyers)
        waiting = {
            id(b.seen)
            for b in buyers
            if b.ws is not None and b.seen.join_code == "ok" and not b.called.is_set()
        }
        if not shopping and stall(observed, time.time_ns(), claim_seconds, waiting_now):
            rec.journey_notes["run_ended_on_a_stalled_room"] += 1
            break
    return pending


def _server_cpu(pids: list[int], before: dict, at_on_sale: dict, after: dict) -> dict:
    """The server's CPU (from /proc, --server-pid) over the run, split at the on-sale."""
    if not pids:
        return {"pids": []}

    def cores(a: dict, b: dict) -> float | None:
        if not a or not b or b["at"] <= a["at"]:
            return None
        return round((b["cpu_s"] - a["cpu_s"]) / (b["at"] - a["at"]), 3)

    return {
        "pids": pids,
        "cpu_s": round(after["cpu_s"] - before["cpu_s"], 3),
        "cpu_share": cores(before, after),
        "pre_queue_cpu_share": cores(before, at_on_sale),
        "sale_cpu_share": cores(at_on_sale, after),
        "rss_bytes": after["rss_bytes"],
    }
