"""The pay window's end under load (API.md "Paying"): `orders` orders of two seats each whose
windows end in the same second, settled by the real sweeper process (`manage.py sweep_locks`)
and pushed to a watcher of the event. The figure is what a buyer watching the map gets: from
the windows' end to the last of their seats seen `available` on the socket. The orders are
made straight in the database (their making is not what is measured); the verdict is the
inventory check's: none sold twice, none lost."""

import asyncio
import json
import subprocess
import time
from datetime import UTC, datetime, timedelta

import psycopg
import websockets

from .bench_databases import new_event, seat_ids
from .bench_servers import PY, SERVER_ROOT, server_env, servers

LEAD_SECONDS = 4.0  # the windows end this long after the orders are made: the sweeper is up


def _orders_made(event: int, orders: int) -> tuple[datetime, list[int]]:
    """`orders` orders of one load user, two seats each, `paying`, their windows ending at the
    same whole second; that second and the seats."""
    ends = (datetime.now(UTC) + timedelta(seconds=LEAD_SECONDS)).replace(microsecond=0)
    with psycopg.connect(server_env()["DATABASE_URL"]) as db:
        db.execute("SELECT set_config('seatmap.via', 'command', true)")
        (buyer,) = db.execute("SELECT min(id) FROM auth_user").fetchone()
        seats = seat_ids(event)[: orders * 2]
        for pair in zip(seats[::2], seats[1::2], strict=True):
            (order,) = db.execute(
                "INSERT INTO reservations_reservation (user_id, event_id, total_price, "
                "amount_taken, refunded, status, created_at, pay_by, channel, buyer_name, "
                "buyer_email, payment) VALUES (%s, %s, 50, 0, 0, 'awaiting_payment', now(), %s, "
                "'online', '', '', '') RETURNING id",
                (buyer, event, ends),
            ).fetchone()
            for seat in pair:
                db.execute(
                    "INSERT INTO reservations_reservedseat (reservation_id, seat_id, price, "
                    "is_active, ended) VALUES (%s, %s, 25, true, '')",
                    (order, seat),
                )
        db.execute(
            "UPDATE reservations_seat SET status = 'paying', reserved_by_id = %s, "
            "version = version + 1 WHERE id = ANY(%s)",
            (buyer, seats),
        )
    return ends, seats


async def _last_freed(url: str, event: int, seats: set[int], within: float) -> float:
    """Watch the event until each of `seats` is pushed `available`: when the last came."""
    waiting, last = set(seats), 0.0
    async with websockets.connect(f"{url.replace('http', 'ws')}/ws/events/{event}/") as socket:
        deadline = time.time() + within
        while waiting and time.time() < deadline:
            frame = json.loads(await asyncio.wait_for(socket.recv(), deadline - time.time()))
            for change in frame.get("changes", ()):
                if change["status"] == "available" and change["id"] in waiting:
                    waiting.discard(change["id"])
                    last = time.time()
    if waiting:
        raise RuntimeError(f"{len(waiting)} seats never pushed available")
    return last


def pay_windows(orders: int):
    def run(ctx):
        event = new_event(f"pay windows {orders}", rows=orders // 25, per_row=50)
        with servers("uvicorn") as (urls, _pids):
            sweeper = subprocess.Popen(
                [PY, "manage.py", "sweep_locks"], cwd=SERVER_ROOT, env=server_env()
            )
            try:
                ends, seats = _orders_made(event, orders)
                last = asyncio.run(_last_freed(urls[0], event, set(seats), LEAD_SECONDS + 30))
            finally:
                sweeper.terminate()
                sweeper.wait(10)
        inventory = subprocess.run(
            [PY, "manage.py", "check_inventory", "--event", str(event)],
            cwd=SERVER_ROOT,
            env=server_env(),
            capture_output=True,
            text=True,
        )
        with psycopg.connect(server_env()["DATABASE_URL"]) as db:
            (expired,) = db.execute(
                "SELECT count(*) FROM reservations_reservation WHERE event_id = %s "
                "AND status = 'expired'",
                (event,),
            ).fetchone()
        return {
            "name": ctx["name"],
            "orders": orders,
            "expired": expired,
            "settled_and_pushed_s": round(last - ends.timestamp(), 3),
            "inventory": inventory.stdout.strip().splitlines()[-1:],
            "exit": inventory.returncode or int(expired != orders),
        }

    return run
