"""The hold's floor (loadtest/hold_floor.py) is a correct hold, however bare: the bench's ratio
against it means something only if it refuses what the project refuses and tells the map."""

import httpx
import orjson
import psycopg
import redis

from harness.servers import FLOOR, server_processes

from .server_stack import DB_URL, create_event


def test_the_floor_holds_a_free_seat_once_tells_the_map_and_keeps_the_hold_limit(stack):
    env = stack.env()
    event = create_event(env, "Floor", 2, 10)
    with psycopg.connect(DB_URL) as db:
        seats = [
            i
            for (i,) in db.execute(
                "SELECT id FROM reservations_seat WHERE event_id = %s ORDER BY id", (event,)
            )
        ]
    alice, bob = (f"Bearer {u['access']}" for u in orjson.loads(stack.users.read_bytes())[:2])
    listener = redis.Redis.from_url(stack.redis_url).pubsub()
    listener.subscribe(f"floor-event-{event}")
    with (
        server_processes(env, kind=FLOOR, ready_path="/") as [floor],
        httpx.Client(base_url=floor.url) as http,
    ):

        def call(who: str, seat: int, action: str) -> httpx.Response:
            path = f"/api/events/{event}/seats/{seat}/{action}/"
            return http.post(path, headers={"Authorization": who}, content=b"{}")

        held = call(alice, seats[0], "lock")
        assert held.status_code == 200 and held.json()["mine"] is True
        assert call(bob, seats[0], "lock").status_code == 409
        assert call(bob, seats[0], "unlock").status_code == 409
        assert call("Bearer forged", seats[1], "lock").status_code == 401
        assert [call(alice, seat, "lock").status_code for seat in seats[1:11]] == [200] * 9 + [409]
        assert call(alice, seats[0], "unlock").json()["mine"] is False
        assert call(bob, seats[0], "lock").status_code == 200

    with psycopg.connect(DB_URL) as db:
        holders = dict(
            db.execute(
                "SELECT id, held_by_id FROM reservations_seat"
                " WHERE event_id = %s AND status = 'locked'",
                (event,),
            )
        )
    assert len(holders) == 10 and seats[10] not in holders
    frames = [listener.get_message(timeout=1) for _ in range(15)]
    told = [orjson.loads(m["data"]) for m in frames if m and m["type"] == "message"]
    assert [f["id"] for f in told][:2] == [seats[0], seats[1]] and len(told) == 12
