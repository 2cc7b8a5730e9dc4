"""What a bench scenario cost the engines besides the servers: Redis's commands by name and
the bench database's PostgreSQL transactions, read before and after it (issue 26's unit costs:
per click, per arrival; docs/SCALING.md)."""

from collections import Counter

import psycopg
import redis

from .bench_servers import DB, PG, REDIS_URL


def counted(scenario):
    """The scenario, with what it cost the engines added to its figures (`engine_counts`):
    Redis's commands by name (server-wide: measure on a quiet machine) and the bench
    database's PostgreSQL transactions, from before its event is made to after its verdict,
    so setting up and checking count too: per click or per arrival, an upper bound."""

    def run(ctx):
        before = _engine_counts()
        result = scenario(ctx)
        after = _engine_counts()
        transactions = after["postgres_transactions"] - before["postgres_transactions"]
        result["engine_counts"] = {
            "redis_calls": dict(Counter(after["redis_calls"]) - Counter(before["redis_calls"])),
            "postgres_transactions": transactions,
        }
        return result

    return run


def _engine_counts() -> dict:
    stats = redis.Redis.from_url(REDIS_URL).info("commandstats")
    query = "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s"
    with psycopg.connect(f"{PG}/postgres") as connection:
        (transactions,) = connection.execute(query, (DB,)).fetchone()
    return {
        "redis_calls": {name.removeprefix("cmdstat_"): v["calls"] for name, v in stats.items()},
        "postgres_transactions": int(transactions or 0),
    }
