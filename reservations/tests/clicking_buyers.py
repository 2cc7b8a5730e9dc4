"""Buyers clicking on a real server, each on a thread of their own, every answer kept; and what
the database must show after them.

Each buyer holds and lets go of two seats of their own, round after round: lock one, unlock
it, lock both at once (all or none), unlock each. Their seats are nobody else's, so the
database's rows can be checked against what each buyer was told: a seat answered 2xx last is as
the answer said; one whose last answer was 503 may be either (the commit may or may not have
happened), but a lock of both answered 503 left both seats held or neither.
"""

import threading
import time
from collections.abc import Sequence
from typing import NamedTuple

import httpx
import psycopg

from harness.servers import TLS

ROUND = (("lock", (0,)), ("unlock", (0,)), ("lock", (0, 1)), ("unlock", (0,)), ("unlock", (1,)))


class Buyer(NamedTuple):
    user_id: int
    token: str  # a bearer access token
    seats: tuple[int, int]


class Answer(NamedTuple):
    buyer: int  # user id
    call: str  # "lock" or "unlock"
    seats: tuple[int, ...]
    status: int  # 0: no answer (the connection broke or timed out)
    code: str | None  # the error's code; None for a 2xx
    retry_after: str | None
    fast: bool  # answered by the fast path (X-Seatmap-Path)
    started: float  # time.monotonic()
    seconds: float


def clicking(
    base: str,
    event_id: int,
    buyers: Sequence[Buyer],
    *,
    rounds: int | None = None,
    stop: threading.Event | None = None,
) -> list[Answer]:
    """Every buyer clicks through `rounds` rounds, or until `stop` is set, each on a thread; all
    their answers, in the order each buyer got them."""
    answers: list[list[Answer]] = [[] for _ in buyers]
    threads = [
        threading.Thread(
            target=_click, args=(base, event_id, buyer, rounds, stop, answers[i]), daemon=True
        )
        for i, buyer in enumerate(buyers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return [answer for kept in answers for answer in kept]


def _click(base, event_id, buyer: Buyer, rounds, stop, kept: list[Answer]) -> None:
    headers = {"Authorization": f"Bearer {buyer.token}"}
    with httpx.Client(base_url=base, headers=headers, timeout=15, verify=TLS) as http:
        done = 0
        while (rounds is None or done < rounds) and not (stop and stop.is_set()):
            for call, which in ROUND:
                kept.append(_call(http, event_id, buyer, call, [buyer.seats[i] for i in which]))
            done += 1


def reading(base: str, path: str, *, token: str | None, stop: threading.Event) -> list[Answer]:
    """GET `path` again and again until `stop` is set (with a bearer `token`, or none); every
    answer, as a call "read" of no seats by nobody."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answers = []
    with httpx.Client(base_url=base, headers=headers, timeout=15, verify=TLS) as http:
        while not stop.is_set():
            answers.append(_answer(0, "read", (), lambda: http.get(path)))
    return answers


def _call(http: httpx.Client, event_id: int, buyer: Buyer, call: str, seats: list[int]) -> Answer:
    if len(seats) == 1:
        request = (f"/api/events/{event_id}/seats/{seats[0]}/{call}/", {})
    else:
        request = (f"/api/events/{event_id}/{call}/", {"seat_ids": seats})
    return _answer(
        buyer.user_id, call, tuple(seats), lambda: http.post(request[0], json=request[1])
    )


def _answer(user_id: int, call: str, seats: tuple[int, ...], send) -> Answer:
    started = time.monotonic()
    try:
        response = send()
    except httpx.HTTPError:
        return Answer(user_id, call, seats, 0, None, None, False, started, 0.0)
    seconds = time.monotonic() - started
    code = None if response.is_success else _code(response)
    return Answer(
        user_id,
        call,
        seats,
        response.status_code,
        code,
        response.headers.get("retry-after"),
        response.headers.get("x-seatmap-path") == "fast",
        started,
        seconds,
    )


def _code(response: httpx.Response) -> str:
    try:
        return response.json()["code"]
    except (ValueError, KeyError, TypeError):
        return f"not the API's error shape: {response.text[:200]!r}"


def settled(base: str, event_id: int, buyers: Sequence[Buyer]) -> list[Answer]:
    """Every buyer lets go of both seats: each answer must be 200, or 409 `not_holder` for a
    seat the buyer did not hold after all."""
    answers = []
    for buyer in buyers:
        with httpx.Client(base_url=base, timeout=15, verify=TLS) as http:
            http.headers["Authorization"] = f"Bearer {buyer.token}"
            answers.extend(_call(http, event_id, buyer, "unlock", [s]) for s in buyer.seats)
    return answers


def what_buyers_were_told(answers: Sequence[Answer]) -> dict[int, tuple[str, object]]:
    """Each seat's state by its buyer's last answer about it: ("held", user id), ("free", None),
    or ("unknown", the 503'd answer: its commit may or may not have happened)."""
    told: dict[int, tuple[str, object]] = {}
    for answer in answers:  # in each buyer's order; the buyers' seats do not overlap
        for seat in answer.seats:
            if answer.status == 200:
                told[seat] = ("held", answer.buyer) if answer.call == "lock" else ("free", None)
            elif answer.code == "not_holder":
                told[seat] = ("free", None)
            else:
                told[seat] = ("unknown", answer)
    return told


def seat_rows(database_url: str, event_id: int) -> dict[int, tuple]:
    """(status, held_by, held_until) of every seat of the event, read from PostgreSQL itself."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT id, status, held_by_id, held_until FROM reservations_seat WHERE event_id = %s",
            [event_id],
        ).fetchall()
    return {seat: rest for seat, *rest in rows}


def half_written(rows: dict[int, tuple], answers: Sequence[Answer]) -> list[str]:
    """What in the database is not what a committed or rolled-back transaction leaves: a row
    half-changed, a seat not as its buyer was told, a lock of two seats in for one only."""
    problems = []
    for seat, (status, held_by, held_until) in rows.items():
        locked = status == "locked"
        if locked != (held_by is not None) or locked != (held_until is not None):
            problems.append(f"seat {seat}: status {status}, held by {held_by} until {held_until}")
    told = what_buyers_were_told(answers)
    for seat, (state, who) in told.items():
        status, held_by, _ = rows[seat]
        now = ("held", held_by) if status == "locked" else ("free", None)
        if state != "unknown" and now != (state, who):
            problems.append(f"seat {seat}: {now} in the database, its buyer was told {state, who}")
    for answer in {who for state, who in told.values() if state == "unknown"}:
        both = [told[seat] == ("unknown", answer) for seat in answer.seats]
        states = {rows[seat][0] for seat in answer.seats}
        if len(answer.seats) > 1 and all(both) and len(states) > 1:
            problems.append(f"the lock of {answer.seats} left them {states}")
    return problems
