"""The organiser's side, measured (issue 39): a box-office sale of ten seats, one request at a
time on a quiet server, and the bench's organiser that the console beside an on-sale logs in as
(bench_sales.on_sale)."""

import asyncio
import json
import time

from .api import get_json, http_session, read_response
from .bench_databases import new_event
from .bench_machine import wait_quiet
from .bench_servers import manage, servers
from .stats import proc_sample, quantiles

CONSOLE_STAFF = ("organiser", "console-bench-password-1")


def console_staff() -> None:
    """The bench's organiser (a superuser: every console permission), made once per database."""
    username, password = CONSOLE_STAFF
    manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model as m; U = m();"
        f" U.objects.filter(username='{username}').exists()"
        f" or U.objects.create_superuser('{username}', '', '{password}')",
    )


async def _post(http, url: str, body: dict, token: str | None = None) -> tuple[int, dict]:
    # A connection a request, as the published figures were measured: opening it is timed too.
    headers = {"Connection": "close"} | ({"Authorization": f"Bearer {token}"} if token else {})
    answer, answer_body = await read_response(http.post(url, json=body, headers=headers))
    answer.raise_for_status()
    return answer.status, json.loads(answer_body)


def box_office(sales: int, seats: int = 10):
    """`sales` box-office sales of `seats` seats each on a 1,000-seat event, one after another
    (the organiser's request as the console sends it): the answer's time and the server's CPU."""

    def run(ctx):
        console_staff()
        event = new_event(ctx["name"])
        with servers("uvicorn") as (urls, pids):
            figures = asyncio.run(_sell(urls[0], event, pids, sales, seats))
        return {"name": ctx["name"], **figures}

    return run


async def _sell(base: str, event: int, pids: list[int], sales: int, seats: int) -> dict:
    async with http_session(total_timeout=30) as http:
        login = {"username": CONSOLE_STAFF[0], "password": CONSOLE_STAFF[1]}
        _, tokens = await _post(http, f"{base}/api/token/", login)
        token = tokens["access"]
        listed = await get_json(http, f"{base}/api/events/{event}/seats/")
        seat_ids = [seat["id"] for seat in listed["seats"]]
        wait_quiet()
        before = proc_sample(pids)
        times = []
        for sale in range(sales):
            chosen = seat_ids[sale * seats : (sale + 1) * seats]
            started = time.perf_counter()
            status, _ = await _post(
                http,
                f"{base}/api/staff/events/{event}/box-office/",
                {"seat_ids": chosen, "payment": "cash"},
                token,
            )
            times.append(time.perf_counter() - started)
            assert status == 201, status
        after = proc_sample(pids)
    return {
        "sales": sales,
        "seats_per_sale": seats,
        "answer_ms": quantiles(times, 1e3),
        "server_cpu_ms_per_sale": round((after["cpu_s"] - before["cpu_s"]) / sales * 1e3, 2),
    }
