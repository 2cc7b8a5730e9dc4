"""The verdict of a run, read back through the API once the pushes have settled.

No seat in two live orders, no seat held by two users, booked seats shown reserved (and those of
orders awaiting payment paying),
every watcher's final model equal to the server's list, and the server's own inventory check of
the event (its ledger replayed against its seats and reservations: `GET
/api/events/{id}/inventory/`, the operator's route) without a disagreement; then what the
profile adds (its `judge`: loadtest/profiles/). What could not be checked is said in the
verdict's notes, one line each, never passed over.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import TYPE_CHECKING

import orjson

from .api import fetch_seats, get_pages
from .clickers import TRANSPORT_ERRORS, Clicker
from .stats import hold_refusals
from .watchers import Watcher

if TYPE_CHECKING:
    from .run import Run


class Verdict:
    def __init__(self):
        self.passed = True
        self.failures: list[str] = []
        self.notes: list[str] = []  # what could not be checked, one line each
        self.figures: dict = {}

    def fail(self, text: str) -> None:
        self.passed = False
        self.failures.append(text)

    def note(self, text: str) -> None:
        self.notes.append(text)

    def as_dict(self) -> dict:
        return {
            "passed": self.passed,
            "failures": self.failures,
            "notes": self.notes,
            **self.figures,
        }


def verdict_line(v: dict) -> str:
    """The report's verdict row of `Verdict.as_dict()`: PASS, or FAIL and why; then each note."""
    said = "PASS" if v["passed"] else "FAIL: " + "; ".join(v["failures"])
    return said + "".join(f" ({note})" for note in v.get("notes", []))


def nothing_tested(run: Run, verdict: Verdict) -> None:
    """A run that tested nothing fails, and says why in one line: clickers asked for and no
    booking call answered (logins refused, throttled, no seat on sale), or none answered 2xx;
    watchers asked for and half of them or more without their snapshot."""
    options, rec = run.options, run.rec
    if run.clickers or getattr(options, "clickers", 0):
        if run.clickers and not run.available and run.profile.clicks_shares:
            verdict.fail(f"event {options.event} had no seat on sale when the run began")
        elif not rec.requests:
            logins = ", ".join(f"{what} x{n}" for what, n in sorted(rec.auth.items()))
            verdict.fail(f"no booking call was made (logins answered: {logins or 'none'})")
        elif not any(200 <= status < 300 for _, status, *_ in rec.requests):
            codes = Counter(f"{status} {code}" for _, status, code, *_ in rec.requests)
            verdict.fail(f"no booking call succeeded: {dict(codes.most_common(3))}")
    asked, ready = getattr(options, "watchers", 0), len(rec.first_snapshot_ns)
    if asked and 2 * ready <= asked:
        verdict.fail(f"{asked - ready:,} of the {asked:,} watchers received no snapshot")


# What to change when most holds met a limit, by the limit met most.
LIMIT_ADVICE = {
    "purchase_limit": "an event whose purchase limit is above each clicker's share of its seats "
    "(the organiser's, or the server's SEAT_PURCHASE_LIMIT), or more users",
    "hold_limit": "--hold-limit as the server's SEAT_HOLD_LIMIT",
    "throttled": "the load host in the server's LIMITS_EXEMPT_NETWORKS",
    "address_hold_limit": "the load host in the server's LIMITS_EXEMPT_NETWORKS",
    "seat_pass_refused": "the load host in the server's LIMITS_EXEMPT_NETWORKS",
    "hold_cap_reached": "a shorter --duration, or the server's SEAT_HOLD_MAX_SECONDS",
}


def limits_verdict(requests: list[tuple], verdict: Verdict, *, expected: bool) -> None:
    """More than half of the holds refused by a limit (stats.LIMIT_CODES): the run measured
    the server's refusals, not its load, and fails saying which; a profile that sets out to
    meet the limits (`expected`: hoard, best) is told so in a note instead."""
    asked, refused = hold_refusals(requests)
    count = sum(refused.values())
    if not asked or 2 * count <= asked:
        return
    codes = ", ".join(f"{code} {n:,}" for code, n in refused.most_common())
    said = f"{count:,} of {asked:,} holds refused by a limit ({codes})"
    if expected:
        verdict.note(f"{said}, as this profile sets out to")
    else:
        advice = LIMIT_ADVICE[refused.most_common(1)[0][0]]
        verdict.fail(f"{said}: it measured the limits, not the load; run with {advice}")


async def check(run: Run, verdict: Verdict) -> None:
    options, rec, watchers = run.options, run.rec, run.watchers
    nothing_tested(run, verdict)
    limits_verdict(rec.requests, verdict, expected=run.profile.limits_expected)
    seats = await fetch_seats(run.admin, options.url[0], options.event)
    server = {s["id"]: (s["status"], s["version"]) for s in seats}
    figures = verdict.figures
    figures["changes_committed"] = sum(
        s["version"] - run.initial_versions.get(s["id"], 0) for s in seats
    )
    if watchers:
        figures["changes_pushed"] = sum(
            1 for ts in rec.version_ts.values() if ts >= rec.measure_from_ns
        )
    checked, mismatched = watchers_verdict(watchers, server)
    examples = list(mismatched)
    for payload in run.child_results:  # --procs: each child checked its own watchers
        checked += payload["watchers_checked"]
        examples += [tuple(m) for m in payload["mismatched"]]
    count = len(mismatched) + sum(p["mismatched_count"] for p in run.child_results)
    figures["watchers_checked"] = checked
    figures["watchers_mismatched"] = count
    if count:
        index, bad = examples[0]
        verdict.fail(
            f"{count} watcher(s) differ from the server's seat list, e.g. watcher "
            f"{index} on seats {bad}: model {[_model_state(watchers, index, i) for i in bad]} "
            f"server {[server.get(i) for i in bad]}"
        )
    await _check_clickers(run, server, verdict)
    await inventory_verdict(
        run.admin, options.url[0], options.event, verdict, token=options.metrics_token
    )


async def inventory_verdict(client, base: str, event_id: int, verdict: Verdict, *, token=None):
    """The server's inventory check of the event (API.md "Operations"): any disagreement fails
    the verdict; a check that could not run (refused: the load tester is neither in the
    server's METRICS_ALLOWED_NETWORKS nor given --metrics-token; unreachable; a server without
    the route) is one note."""
    url = f"{base}/api/events/{event_id}/inventory/"
    headers = {"Authorization": f"Bearer {token}"} if token else None
    try:
        async with client.get(url, headers=headers) as response:
            if response.status != 200:
                why = {
                    403: "refused (403): give --metrics-token or run from the server's "
                    "METRICS_ALLOWED_NETWORKS",
                    404: "no such route or event (404)",
                }
                verdict.note(
                    f"inventory check not run: {why.get(response.status, response.status)}"
                )
                return
            found = orjson.loads(await response.read())
    except TRANSPORT_ERRORS as exc:
        verdict.note(f"inventory check not run: {url} unreachable ({exc!r})")
        return
    verdict.figures["inventory_seconds"] = found["seconds"]
    if found["agrees"]:
        verdict.figures["inventory"] = "agrees"
    else:
        verdict.figures["inventory"] = f"{found['disagreement_count']} disagreement(s)"
        verdict.fail(
            f"the server's inventory check found {found['disagreement_count']} disagreement(s),"
            f" e.g. {found['disagreements'][:3]}"
        )


def watchers_verdict(watchers, server: dict) -> tuple[int, list]:
    """How many watchers were checked, and the ones whose model differs from `server`."""
    # Each watcher's model: only the seats where its base or its own changes differ from the
    # server need looking at; the base diff is computed once per shared base.
    base_diffs: dict[int, list] = {}
    mismatched = []
    checked = 0
    for w in watchers:
        if not w.ready.is_set() or w.failed is not None:
            continue  # never had a snapshot: counted in `watcher_not_ready_in_time` or refused
        if w.closed and isinstance(w, Watcher) and w.index >= 0:
            continue
        checked += 1
        model = w.model
        diff = base_diffs.get(id(model.base))
        if diff is None:
            diff = base_diffs[id(model.base)] = [
                i for i in server.keys() | model.base.keys() if model.base.get(i) != server.get(i)
            ]
        bad = [
            i
            for i in set(diff) | model.own.keys()
            if (model.own.get(i) or model.base.get(i)) != server.get(i)
        ]
        if bad:
            mismatched.append((w.index, bad[:5]))
    return checked, mismatched


async def _check_clickers(run: Run, server: dict, verdict: Verdict) -> None:
    options, client, clickers = run.options, run.admin, run.clickers
    active = [c for c in clickers if c.succeeded]
    holders: Counter = Counter()
    sem = asyncio.Semaphore(50)

    async def inspect(c: Clicker):
        async with sem:
            mine = await fetch_seats(client, c.base, options.event, c.auth.headers)
            for s in mine:
                if s["mine"] and s["status"] == "locked":
                    holders[s["id"]] += 1
            c.owned = sum(1 for s in mine if s["mine"])
            everything = await get_pages(client, f"{c.base}/api/reservations/", c.auth.headers)
            c.reservations = [r for r in everything if r["event"]["id"] == options.event]

    await asyncio.gather(*(inspect(c) for c in active))
    doubly_held = [i for i, n in holders.items() if n > 1]
    verdict.figures["clickers_checked"] = len(active)
    verdict.figures["seats_held"] = len(holders)
    if doubly_held:
        verdict.fail(f"seats held by two users: {doubly_held[:10]}")
    sales_verdict(active, server, verdict)
    run.profile.judge(clickers, verdict)


# A live order's state, and how the server shows its seats (API.md "Paying").
SHOWN = {"confirmed": "reserved", "awaiting_payment": "paying"}


def sales_verdict(clickers: list, server: dict, verdict: Verdict) -> None:
    """No seat in two live orders (confirmed or awaiting payment, whoever's), every sold seat
    shown reserved and every seat of an order awaiting payment shown paying.

    `clickers`: each with its `reservations` of the event as the API lists them; `server`:
    seat id -> (status, version) from the seat list.
    """
    live = [(r["status"], s["id"]) for c in clickers for r in c.reservations for s in r["seats"]]
    taken: Counter = Counter(seat for status, seat in live if status in SHOWN)
    verdict.figures["seats_booked"] = sum(1 for status, _ in live if status == "confirmed")
    verdict.figures["seats_paying"] = sum(1 for status, _ in live if status == "awaiting_payment")
    doubly_booked = [i for i, n in taken.items() if n > 1]
    if doubly_booked:
        verdict.fail(f"seats in two live orders: {doubly_booked[:10]}")
    for status, shown in SHOWN.items():
        wrong = [i for s, i in live if s == status and server.get(i, ("",))[0] != shown]
        if wrong:
            verdict.fail(f"seats of {status} orders not shown {shown}: {wrong[:10]}")


def journey_verdict(clickers: list, verdict: Verdict) -> None:
    """Every booking a buyer was answered 201 for is on the server (its `reservations`) with
    the seats it held, confirmed, or cancelled if the buyer was answered that it is."""
    wrong: list[str] = []
    bookings = cancellations = 0
    for c in clickers:
        listed = {r["id"]: r for r in c.reservations}
        for reservation_id, seats in c.booked.items():
            bookings += 1
            cancelled = reservation_id in c.cancelled
            cancellations += cancelled
            r = listed.get(reservation_id)
            expected = "cancelled" if cancelled else "confirmed"
            if r is None:
                wrong.append(f"{reservation_id} of {c.user['username']}: not listed")
            elif r["status"] != expected:
                wrong.append(f"{reservation_id}: {r['status']}, answered {expected}")
            elif sorted(s["id"] for s in r["seats"]) != sorted(seats):
                wrong.append(f"{reservation_id}: seats {[s['id'] for s in r['seats']]} != {seats}")
    verdict.figures["bookings_checked"] = bookings
    verdict.figures["cancellations_checked"] = cancellations
    if wrong:
        verdict.fail(f"{len(wrong)} booking(s) not as the buyer was answered, e.g. {wrong[:3]}")


def _model_state(watchers, index, seat_id):
    return next((w.model.state(seat_id) for w in watchers if w.index == index), None)
