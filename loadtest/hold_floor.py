"""The hold's floor: a bare ASGI app doing the least a correct hold does, run by the bench in the
same minutes as the project (`holds-wrk-50-floor` beside `holds-wrk-50`), as the fan-out bench
runs its bare loop (fanout/floor.py). What the project's hold costs above this is what its rules,
its ledger and its framework cost.

    DATABASE_URL=... REDIS_URL=... SECRET_KEY=... \\
        python -m uvicorn loadtest.hold_floor:app --loop uvloop --http httptools --port 8765

`POST /api/events/{event}/seats/{seat}/lock/` and `.../unlock/`, with the project's bearer JWT
(HS256 on SECRET_KEY, as SimpleJWT signs it): one conditional UPDATE that takes the seat only if
it is free or its hold lapsed and the buyer holds fewer than 10 of the event (unlock: only the
holder's), through psycopg's async pool with prepared statements, committed, then one Redis
PUBLISH of a small frame. The answer says `"mine":true` for a hold, as the project's does (the
wrk script reads it). Any `GET` answers 200 (ready). It imports nothing of the project.
"""

import os
import re

import jwt
import orjson
import redis.asyncio as redis
from psycopg_pool import AsyncConnectionPool

HOLD_SECONDS = 300
HOLD_LIMIT = int(os.environ.get("SEAT_HOLD_LIMIT", "10"))  # the project's setting, its default
POOL_SIZE = 10  # the project's fast path's pool (bench_wrk.BENCH_POOL_SIZE)

LOCK = f"""
UPDATE reservations_seat SET status = 'locked', held_by_id = %(user)s, version = version + 1,
  held_since = now(), held_until = now() + interval '{HOLD_SECONDS} seconds'
WHERE id = %(seat)s AND event_id = %(event)s AND NOT blocked
  AND (status = 'available' OR (status = 'locked' AND held_until <= now()))
  AND (SELECT count(*) FROM reservations_seat
       WHERE event_id = %(event)s AND held_by_id = %(user)s AND status = 'locked'
         AND held_until > now()) < {HOLD_LIMIT}
RETURNING version, held_until
"""
UNLOCK = """
UPDATE reservations_seat SET status = 'available', held_by_id = NULL, held_since = NULL,
  held_until = NULL, version = version + 1
WHERE id = %(seat)s AND event_id = %(event)s AND status = 'locked' AND held_by_id = %(user)s
RETURNING version, held_until
"""
ROUTE = re.compile(r"^/api/events/(\d+)/seats/(\d+)/(lock|unlock)/$")


class HoldFloor:
    def __init__(self):
        self.secret = os.environ["SECRET_KEY"]
        self.pool = AsyncConnectionPool(
            os.environ["DATABASE_URL"],
            min_size=POOL_SIZE,
            max_size=POOL_SIZE,
            open=False,
            kwargs={"prepare_threshold": 0},
        )
        self.redis = redis.Redis.from_url(os.environ["REDIS_URL"])

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            await self.lifespan(receive, send)
        elif scope["type"] == "http":
            await receive()  # the request's (empty) body
            status, body = await self.answer(scope)
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": orjson.dumps(body)})

    async def lifespan(self, receive, send):
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await self.pool.open(wait=True)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def answer(self, scope) -> tuple[int, dict]:
        if scope["method"] == "GET":  # ready (the bench asks before it runs)
            return 200, {}
        route = ROUTE.match(scope["path"])
        if scope["method"] != "POST" or not route:
            return 404, {"code": "not_found"}
        bearer = dict(scope["headers"]).get(b"authorization", b"")[7:]
        try:
            user = int(jwt.decode(bearer, self.secret, algorithms=["HS256"])["user_id"])
        except (jwt.InvalidTokenError, KeyError, ValueError):
            return 401, {"code": "not_authenticated"}
        event, seat, action = int(route[1]), int(route[2]), route[3]
        params = {"user": user, "seat": seat, "event": event}
        async with self.pool.connection() as connection:  # commits on leaving
            row = await (
                await connection.execute(LOCK if action == "lock" else UNLOCK, params)
            ).fetchone()
        if row is None:
            return 409, {"code": "seat_unavailable"}
        version, until = row
        frame = {"type": "seat", "id": seat, "version": version, "held": action == "lock"}
        await self.redis.publish(f"floor-event-{event}", orjson.dumps(frame))
        return 200, {
            "id": seat,
            "version": version,
            "mine": action == "lock",
            "held_until": until.isoformat() if until else None,
        }


app = HoldFloor()
