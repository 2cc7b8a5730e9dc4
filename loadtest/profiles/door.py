"""The door (`--profile door`, API.md "Tickets"): tickets booked through the API, then gates
scanning them at once while an organiser's console follows the counts (PROTOCOL.md "The door").
A run of its own: no seat watchers, no clickers of the seat map."""

import asyncio
import contextlib
import random
import sys
import time
import uuid
from collections import Counter, defaultdict, deque
from datetime import UTC, datetime

import aiohttp
import orjson

from ..api import fetch_seats, get_json, http_session, ws_url
from ..auth import AuthFailed
from ..clickers import LOGINS_AT_ONCE, TRANSPORT_ERRORS, Clicker, log_in
from ..commands import UsageError, read_json, share
from ..stats import Recorder, proc_sample, quantiles
from ..verdict import verdict_line
from . import Profile, register

BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
BUYERS_AT_ONCE = 16  # the server's HTTP_THREADS: more wait for a database connection


@register
class Door(Profile):
    """a door: the --users book --tickets seats of the event through the API (lock, reserve, the
    booking's tickets/), then --gates gates scan each ticket in once (a Door member's
    --door-token), --rate scans a second across all gates (0: each gate as fast as answered).
    In the mix: a --repeat-share of the tickets scanned again (half at two gates at one instant,
    half later: each ticket lets in once, the rest are 409 already_inside), a --replay-share
    sent again with the nonce of the scan that let it in (200 ok, nothing written) and a
    --forged-share of codes with one character changed (400 invalid_ticket). A console socket
    (--console-token, staff who may view the console) keeps each gate's counts from its `door`
    frames. The verdict: every ticket let in exactly once and every other scan refused as
    above, the server's counts moved by exactly the tickets let in at each gate, the console's
    totals the server's, and each check-in on the console within --console-within seconds of
    its answer. Figures: scans a second, answer times, the console's lag."""

    name = "door"
    settle = 1.0
    clicks_shares = False

    @staticmethod
    def arguments(group):
        group.add_argument("--door-token", help="a Door member's access token (scan_tickets)")
        group.add_argument("--console-token", help="a console's access token (view_console)")
        group.add_argument("--tickets", type=int, default=200, help="tickets booked and scanned")
        group.add_argument("--gates", type=int, default=14, help="gates scanning at once")
        group.add_argument("--repeat-share", type=share, default=0.1, help="tickets scanned twice")
        group.add_argument(
            "--replay-share", type=share, default=0.05, help="scans sent again, same nonce"
        )
        group.add_argument("--forged-share", type=share, default=0.1, help="forged codes")
        group.add_argument(
            "--console-within", type=float, default=1.0, help="a check-in's lag to the console (s)"
        )

    @staticmethod
    def prepare(options):
        if not (options.door_token and options.console_token and options.users):
            raise UsageError("--profile door needs --door-token, --console-token and --users")
        if options.tickets < 1 or options.gates < 1:
            raise UsageError("--tickets and --gates are 1 or more")
        options.watchers = 0

    @staticmethod
    async def execute(options):
        async with http_session(2 * options.gates + BUYERS_AT_ONCE + 1) as http:
            door = DoorRun(options, http)
            await door.run()
        return door.result()

    @staticmethod
    def table(result):
        d = result["door"]
        return "\n".join(
            [
                f"door: {d['tickets']} tickets, {d['scans']} scans at {d['gates']} gates, "
                f"{d['scans_per_s']} scans/s (offered {d['offered_per_s'] or 'all'})",
                f"answers: {d['answers']}",
                f"scan ms: {d['scan_ms']}",
                f"console: last check-in to its totals {d['console_final_lag_ms']} ms; "
                f"each check-in's lag ms {d['console_lag_ms']}",
                f"server CPU a scan: {d['server_cpu_ms_per_scan']} ms",
                f"verdict {verdict_line(result['verdict'])}",
            ]
        )


class DoorRun:
    """One door run: book, open the console, scan, judge."""

    def __init__(self, options, http: aiohttp.ClientSession):
        self.options, self.http = options, http
        self.base, self.event = options.url[0], options.event
        self.tickets: list[tuple[int, str]] = []  # (ticket id, code)
        self.booking_refusals: Counter[str] = Counter()
        # Each scan: (kind, ticket index, gate, status, code, ticket answered, ms, answered at)
        self.scans: list[tuple] = []
        self.let_in: dict[int, dict] = {}  # ticket index -> the body of the scan that let it in
        self.frames: list[tuple[float, str, dict]] = []  # the console's: (at, gate, totals)
        self.counts_before: dict = {}
        self.counts_after: dict = {}
        self.failures: list[str] = []
        self.console_authed = asyncio.Event()
        self.door_frame = asyncio.Event()  # set by each `door` frame
        self.answered: dict[int, asyncio.Event] = {}  # ticket index -> its entry was answered
        self.scanning_s = self.server_cpu = 0.0
        self.last_check_in = 0.0

    async def run(self) -> None:
        options = self.options
        if options.seed is not None:
            random.seed(options.seed)
        console = asyncio.ensure_future(self.watch())
        try:
            await asyncio.wait_for(self.console_ready(console), 30)
            self.counts_before = await self.counts()
            await self.book()
            if self.tickets:
                before = proc_sample(options.server_pid)
                started = time.monotonic()
                await self.scan_all()
                self.scanning_s = time.monotonic() - started
                self.server_cpu = proc_sample(options.server_pid)["cpu_s"] - before["cpu_s"]
                self.counts_after = await self.counts()
                await self.console_settles()
        except (*TRANSPORT_ERRORS, AuthFailed, RuntimeError, KeyError, ValueError) as exc:
            self.failures.append(f"the run stopped: {exc!r}")
        finally:
            console.cancel()
            await asyncio.gather(console, return_exceptions=True)

    # --- set-up ------------------------------------------------------------------------------

    async def counts(self) -> dict:
        url = f"{self.base}/api/door/events/{self.event}/counts/"
        return await get_json(self.http, url, self.bearer(self.options.console_token))

    async def book(self) -> None:
        """--tickets seats of the event booked by the --users, --hold-limit at a time, and each
        booking's tickets read: what a buyer's phone shows at the door."""
        options = self.options
        seats = await fetch_seats(self.http, self.base, self.event)
        free = [s["id"] for s in seats if s["status"] == "available"][: options.tickets]
        if len(free) < options.tickets:
            self.failures.append(f"the event has {len(free)} seats on sale, not {options.tickets}")
        groups = [free[i : i + options.hold_limit] for i in range(0, len(free), options.hold_limit)]
        users = read_json(options.users, "a users file")[: len(groups)]
        rec, logins = Recorder(), asyncio.Semaphore(LOGINS_AT_ONCE)
        buyers = Clicker.each(users, options, self.http, rec, urls=[self.base])
        await asyncio.gather(*(log_in(buyer, self.http, logins) for buyer in buyers))
        at_once = asyncio.Semaphore(BUYERS_AT_ONCE)

        async def books(buyer: Clicker) -> None:
            async with at_once:
                for group in groups[buyer.index :: len(buyers)]:
                    await self.booked(buyer, group)

        self.progress("booking")
        await asyncio.gather(*(books(buyer) for buyer in buyers))
        if self.booking_refusals:
            self.failures.append(f"bookings refused: {dict(self.booking_refusals)}")

    async def booked(self, buyer: Clicker, seats: list[int]) -> None:
        _, code, _ = await buyer.call("lock", "lock/", {"seat_ids": seats})
        if code == "ok":
            key = {"Idempotency-Key": uuid.uuid4().hex}
            _, code, answer = await buyer.call("reserve", "reserve/", {"seat_ids": seats}, key)
        if code != "ok":
            self.booking_refusals[code] += 1
            return
        order = orjson.loads(answer)["reservation"]["id"]
        url = f"{self.base}/api/reservations/{order}/tickets/"
        listed = await get_json(self.http, url, buyer.auth.headers)
        self.tickets += [(t["ticket"], t["code"]) for t in listed["tickets"]]

    # --- the console -------------------------------------------------------------------------

    async def watch(self) -> None:
        """The console's socket: after its token, each `door` frame's gate totals, the largest
        of each kept (PROTOCOL.md "The door")."""
        url = ws_url(self.base, self.event) + "?console=1"
        async with self.http.ws_connect(url, max_msg_size=0) as socket:
            await socket.send_bytes(
                orjson.dumps({"type": "auth", "token": self.options.console_token})
            )
            async for message in socket:
                frame = orjson.loads(message.data)
                if frame["type"] == "own":
                    self.console_authed.set()
                if frame["type"] != "door":
                    continue
                at = time.monotonic()
                self.frames += [(at, gate, counts) for gate, counts in frame["gates"].items()]
                self.door_frame.set()

    async def console_ready(self, console: asyncio.Future) -> None:
        done, _ = await asyncio.wait(
            [console, asyncio.ensure_future(self.console_authed.wait())],
            return_when=asyncio.FIRST_COMPLETED,
        )
        if console in done:
            raise RuntimeError(f"the console's socket closed: {console.exception()!r}")

    def console_states(self):
        """The console's totals, and when: the counts read once its socket was open, then after
        each `door` frame (a gate's largest `entered` and `left` kept, PROTOCOL.md)."""
        gates = self.counts_before.get("gates", {})
        totals = {g: {w: c[w] for w in ("entered", "left")} for g, c in gates.items()}
        yield 0.0, totals
        for at, gate, counts in self.frames:
            seen = totals.setdefault(gate, {"entered": 0, "left": 0})
            for what in ("entered", "left"):
                seen[what] = max(seen[what], counts[what])
            yield at, totals

    def console_totals(self) -> dict:
        return deque(self.console_states(), maxlen=1)[0][1]

    def server_totals(self) -> dict:
        gates = self.counts_after.get("gates", {})
        return {g: {w: c[w] for w in ("entered", "left")} for g, c in gates.items()}

    async def console_settles(self) -> None:
        """Wait (--console-within and --settle at most) for the console's totals to be the
        server's."""
        ends = time.monotonic() + self.options.console_within + self.options.settle
        while self.console_totals() != self.server_totals() and time.monotonic() < ends:
            self.door_frame.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.door_frame.wait(), ends - time.monotonic())

    def console_caught_up_at(self) -> float | None:
        """When the console's totals first equalled the server's."""
        final = self.server_totals()
        return next((at for at, totals in self.console_states() if totals == final), None)

    # --- the gates ---------------------------------------------------------------------------

    def plan(self) -> list[tuple[str, int]]:
        """Every ticket's entry and the forged codes, shuffled; a share of the entries made two
        gates' at one instant ("twin"); repeats ("again") and replays placed at least two
        rounds of the gates after the entry they follow."""
        options, n = self.options, len(self.tickets)
        draw = random.sample(range(n), n)
        repeats = draw[: round(options.repeat_share * n)]
        replays = draw[len(repeats) : len(repeats) + round(options.replay_share * n)]
        twins = set(repeats[: len(repeats) // 2])
        plan = [("twin" if i in twins else "entry", i) for i in range(n)]
        plan += [("forged", random.randrange(n)) for _ in range(round(options.forged_share * n))]
        random.shuffle(plan)
        slots = [(float(at), job) for at, job in enumerate(plan)]
        entered = {i: at for at, (kind, i) in slots if kind != "forged"}
        later = 2 * options.gates
        for kind, tickets in (("again", repeats[len(twins) :]), ("replay", replays)):
            slots += [
                (random.uniform(entered[i] + later, len(plan) + later), (kind, i)) for i in tickets
            ]
        return [job for _, job in sorted(slots)]

    async def scan_all(self) -> None:
        options = self.options
        plan = self.plan()
        self.answered = {i: asyncio.Event() for i in range(len(self.tickets))}
        jobs = iter(plan)
        interval = options.gates / options.rate if options.rate else 0.0
        self.progress(f"scanning {len(plan)} jobs")

        async def gate(g: int) -> None:
            next_at = time.monotonic() + random.random() * interval
            for kind, i in jobs:
                await asyncio.sleep(max(0.0, next_at - time.monotonic()))
                next_at = max(next_at + interval, time.monotonic() - interval)
                await self.job(kind, i, g)

        await asyncio.gather(*(gate(g) for g in range(options.gates)))

    async def job(self, kind: str, i: int, g: int) -> None:
        ticket, code = self.tickets[i]
        gate = f"Gate {g + 1}"
        if kind == "entry":
            await self.scan(kind, i, self.body(code, gate))
            self.answered[i].set()
        elif kind == "twin":  # the same ticket at this gate and the next, at one instant
            other = f"Gate {(g + 1) % self.options.gates + 1}"
            await asyncio.gather(
                self.scan(kind, i, self.body(code, gate)),
                self.scan(kind, i, self.body(code, other)),
            )
            self.answered[i].set()
        elif kind == "forged":
            at = random.randrange(len(code))
            changed = random.choice(BASE32.replace(code[at], ""))
            await self.scan(kind, None, self.body(code[:at] + changed + code[at + 1 :], gate))
        else:
            await self.answered[i].wait()
            earlier = self.let_in.get(i)
            if earlier is not None:  # none: not let in, which the verdict says
                body = earlier if kind == "replay" else self.body(code, gate)
                await self.scan(kind, i, body)

    def body(self, code: str, gate: str) -> dict:
        at, nonce = datetime.now(UTC).isoformat(), uuid.uuid4().hex
        return {"code": code, "gate": gate, "direction": "entry", "scanned_at": at, "nonce": nonce}

    async def scan(self, kind: str, i: int | None, body: dict) -> None:
        url = f"{self.base}/api/door/events/{self.event}/scans/"
        headers = {**self.bearer(self.options.door_token), "Content-Type": "application/json"}
        started = time.monotonic()
        try:
            async with self.http.post(url, data=orjson.dumps(body), headers=headers) as answer:
                status, raw = answer.status, await answer.read()
            said = orjson.loads(raw)
        except (*TRANSPORT_ERRORS, orjson.JSONDecodeError) as exc:
            status, said = 0, {"code": f"transport:{type(exc).__name__}"}
        at = time.monotonic()
        code = "ok" if status == 200 else str(said.get("code") or f"http_{status}")
        if code == "ok" and kind in ("entry", "twin"):
            self.let_in[i] = body
            self.last_check_in = at
        self.scans.append(
            (kind, i, body["gate"], status, code, said.get("ticket"), (at - started) * 1e3, at)
        )
        if len(self.scans) % 1000 == 0:
            self.progress(f"{len(self.scans)} scans")

    # --- the verdict and figures -------------------------------------------------------------

    def judged(self) -> list[str]:
        why = list(self.failures)
        if not self.tickets:
            return [*why, "no ticket was booked: nothing was scanned"]
        by_ticket: dict[int, list[tuple]] = defaultdict(list)
        wrong: Counter[str] = Counter()
        for kind, i, _gate, _status, code, answered, *_ in self.scans:
            if kind == "forged":
                wrong["forged not refused invalid_ticket"] += code != "invalid_ticket"
            elif kind == "replay":
                wanted = ("ok", self.tickets[i][0])
                wrong["replay not ok for its ticket"] += (code, answered) != wanted
            else:
                by_ticket[i].append((code, answered))
        for i, (ticket, _code) in enumerate(self.tickets):
            answers = by_ticket[i]
            oks = [answered for code, answered in answers if code == "ok"]
            wrong["tickets not let in"] += not oks
            wrong["tickets let in more than once"] += len(oks) > 1
            wrong["tickets let in as another"] += any(a != ticket for a in oks)
            others = Counter(code for code, _ in answers if code != "ok")
            wrong["repeats not refused already_inside"] += sum(
                n for code, n in others.items() if code != "already_inside"
            )
        why += [f"{n} {what}" for what, n in wrong.items() if n]
        if any(code.startswith(("transport", "http_5")) for *_, code, _, _, _ in self.scans):
            why.append("scans unanswered or answered 5xx")
        moved = self.moved()
        ours = Counter(
            gate for kind, _i, gate, _s, code, *_ in self.scans if code == "ok" and kind != "replay"
        )
        if moved != {g: {"entered": n, "left": 0} for g, n in ours.items()}:
            why.append(f"the server's counts moved {moved}, its answers let in {dict(ours)}")
        if self.console_totals() != self.server_totals():
            why.append(
                f"the console shows {self.console_totals()}, the server {self.server_totals()}"
            )
        elif (worst := max(self.check_in_lags(), default=0.0)) > self.options.console_within:
            why.append(f"the console showed a check-in {worst:.2f} s after its answer")
        return why

    def moved(self) -> dict:
        before = self.counts_before.get("gates", {})
        moved = {}
        for gate, after in self.server_totals().items():
            was = before.get(gate, {"entered": 0, "left": 0})
            delta = {w: after[w] - was[w] for w in ("entered", "left")}
            if any(delta.values()):
                moved[gate] = delta
        return moved

    def final_lag_s(self) -> float:
        """From the last check-in's answer to the console's totals equal to the server's."""
        caught_up = self.console_caught_up_at()
        return float("inf") if caught_up is None else max(0.0, caught_up - self.last_check_in)

    def check_in_lags(self) -> list[float]:
        """Each check-in's lag: the k-th let in at a gate, answered, to the console's first
        frame of that gate at k or more (inf: none came)."""
        lags = []
        base = self.counts_before.get("gates", {})
        seen: dict[str, list[tuple[float, int]]] = defaultdict(list)
        for at, gate, counts in self.frames:
            seen[gate].append((at, counts["entered"]))
        answered: dict[str, list[float]] = defaultdict(list)
        for kind, _i, gate, _s, code, _t, _ms, at in self.scans:
            if code == "ok" and kind != "replay":
                answered[gate].append(at)
        for gate, ats in answered.items():
            start = base.get(gate, {}).get("entered", 0)
            for k, at in enumerate(sorted(ats), start=start + 1):
                reached = next((f for f, entered in seen[gate] if entered >= k), None)
                lags.append(max(0.0, reached - at) if reached is not None else float("inf"))
        return lags

    def result(self) -> dict:
        options = self.options
        why = self.judged()
        lags = self.check_in_lags()
        n = len(self.scans)
        return {
            "config": {k: v for k, v in vars(options).items() if "token" not in k},
            "door": {
                "tickets": len(self.tickets),
                "gates": options.gates,
                "scans": n,
                "offered_per_s": options.rate or None,
                "scans_per_s": round(n / self.scanning_s, 1) if self.scanning_s else None,
                "answers": {
                    kind: dict(Counter(s[4] for s in self.scans if s[0] == kind))
                    for kind in ("entry", "twin", "again", "replay", "forged")
                },
                "scan_ms": quantiles([s[6] for s in self.scans]),
                "console_frames": len(self.frames),
                "console_lag_ms": quantiles([lag for lag in lags if lag < float("inf")], 1e3),
                "console_final_lag_ms": (  # None: its totals never came to the server's
                    round(lag * 1e3, 1) if (lag := self.final_lag_s()) < float("inf") else None
                ),
                "server_cpu_ms_per_scan": (
                    round(self.server_cpu / n * 1e3, 3) if options.server_pid and n else None
                ),
                "counts_moved": self.moved(),
            },
            "verdict": {"passed": not why, "failures": why, "notes": []},
        }

    def bearer(self, token: str) -> dict:
        return {"Authorization": f"Bearer {token}"}

    def progress(self, said: str) -> None:
        if not self.options.quiet:
            print(f"door: {said}", file=sys.stderr)
