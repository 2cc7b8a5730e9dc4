"""The organiser's side, measured (issue 39): a box-office sale of ten seats, one request at a
time on a quiet server, and the bench's organiser that the console beside an on-sale logs in as
(bench_sales.on_sale)."""

import asyncio
import time

from .api import access_token, get_json, http_session, read_response
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
        token = await access_token(http, base, *CONSOLE_STAFF)
        # A connection a request, as the published figures were measured: opening it is timed.
        headers = {"Connection": "close", "Authorization": f"Bearer {token}"}
        listed = await get_json(http, f"{base}/api/events/{event}/seats/")
        seat_ids = [seat["id"] for seat in listed["seats"]]
        wait_quiet()
        before = proc_sample(pids)
        times = []
        for sale in range(sales):
            sold = {"seat_ids": seat_ids[sale * seats : (sale + 1) * seats], "payment": "cash"}
            started = time.perf_counter()
            answer, body = await read_response(
                http.post(
                    f"{base}/api/staff/events/{event}/box-office/", json=sold, headers=headers
                )
            )
            times.append(time.perf_counter() - started)
            assert answer.status == 201, (answer.status, body)
        after = proc_sample(pids)
    return {
        "sales": sales,
        "seats_per_sale": seats,
        "answer_ms": quantiles(times, 1e3),
        "server_cpu_ms_per_sale": round((after["cpu_s"] - before["cpu_s"]) / sales * 1e3, 2),
    }
