"""The multi-server stack on one machine, from real engines: N server processes behind nginx,
a Redis primary with a replica under three Sentinels, PgBouncer in transaction mode in
front of PostgreSQL. The fault tests run the on-sale through it while its parts are killed in
turn; an operator starts the same with one command and points the load tester at it:

    python -m harness.stack --database-url postgres://postgres@127.0.0.1:5432/seatmap_stack
    python -m loadtest run --url http://127.0.0.1:<port> --profile onsale ...   # the URL it prints

`--faults 10` kills a server process, PgBouncer and the Redis primary in turn, one every 10 s,
as the fault tests do (PgBouncer comes back 2 s later, as a supervisor would start it again;
the server and the primary stay dead: the rest carry on). docker-compose.yml
describes the same topology for hosts of their own.
"""

import argparse
import contextlib
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

from .engines import SentinelRedis, sentinel_redis
from .nginx import nginx_in_front_of
from .pgbouncer import PgBouncer, pgbouncer_in_front_of
from .servers import Server, full_stack_env, manage, server_processes

# Each process's two pools stay within PgBouncer's default max_client_conn (100) at four
# processes: 4 x (8 + 6) client connections, on PgBouncer's few server connections.
POOLS = {"DB_POOL_MAX": "8", "FAST_PATH_DB_POOL_MAX": "6"}
PGBOUNCER_POOL_SIZE = 10
# How long a killed PgBouncer stays away before it is started again (a supervisor's restart).
PGBOUNCER_AWAY_S = 2.0


@dataclass
class EngineStack:
    base: str  # nginx: where clients go
    servers: list[Server]
    redis: SentinelRedis
    pgbouncer: PgBouncer
    env: dict  # the servers' environment (DATABASE_URL through PgBouncer, the Sentinels)
    faults: list[tuple[float, str]] = field(default_factory=list)  # (monotonic time, what)

    @property
    def server_pids(self) -> list[int]:
        return [s.process.pid for s in self.servers]

    def kill_server(self, index: int) -> None:
        """SIGKILL one server process: its sockets drop, nginx skips it from then on."""
        self.servers[index].process.send_signal(signal.SIGKILL)
        self.servers[index].process.wait(timeout=10)
        self._record(f"server {self.servers[index].url} killed")

    def kill_redis_primary(self) -> int:
        """SIGKILL the Redis primary; wait for Sentinel to promote its replica; the new
        primary's port."""
        killed = self.redis.kill_primary()
        self._record(f"redis primary (port {killed.port}) killed")
        promoted = self.redis.wait_failover(away_from=killed.port)
        self._record(f"redis replica on {promoted} promoted")
        return promoted

    def restart_pgbouncer(self, away: float = PGBOUNCER_AWAY_S) -> None:
        """SIGKILL PgBouncer (every database connection of every process is cut) and start it
        again on the same port `away` seconds later."""
        self.pgbouncer.kill()
        self._record("pgbouncer killed")
        time.sleep(away)
        self.pgbouncer.start()
        self._record("pgbouncer started again")

    def faults_in_turn(self, every: float, stop: threading.Event) -> None:
        """A server process, PgBouncer, then the Redis primary: one every `every` s,
        until `stop` is set. The failover comes last so that a run's verdict, taken when its
        clicking ends, shows how soon after it every map was right again."""
        for fault in (
            lambda: self.kill_server(len(self.servers) - 1),
            self.restart_pgbouncer,
            self.kill_redis_primary,
        ):
            if stop.wait(every):
                return
            fault()

    def _record(self, what: str) -> None:
        self.faults.append((time.monotonic(), what))


@contextlib.contextmanager
def engine_stack(
    database_url: str,
    *,
    servers: int = 4,
    base_env: dict | None = None,
    exempt_networks: tuple[str, ...] = (),
    **settings: str,
) -> Iterator[EngineStack]:
    """The stack on `database_url`'s database (migrated already), started and stopped. The
    servers run with `base_env` (the tests' `full_stack_env` unless given), the stack's own
    settings, then `settings`; `exempt_networks` are load hosts nginx caps no sockets of."""
    with (
        sentinel_redis() as redis,
        pgbouncer_in_front_of(database_url, pool_size=PGBOUNCER_POOL_SIZE) as bouncer,
    ):
        env = {
            **(base_env if base_env is not None else full_stack_env()),
            "DATABASE_URL": bouncer.url,
            "DATABASE_POOLER": bouncer.pooler,
            **redis.env(),
            **POOLS,
            **settings,
        }
        with (
            server_processes(env, count=servers) as started,
            nginx_in_front_of(*(s.url for s in started), exempt_networks=exempt_networks) as base,
        ):
            yield EngineStack(base, started, redis, bouncer, env)


def prepare_database(database_url: str) -> None:
    """Create the database if it is missing, and migrate it (directly, not through PgBouncer)."""
    name = urlsplit(database_url).path.lstrip("/")
    server = urlsplit(database_url)._replace(path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True) as connection:
        query = "SELECT 1 FROM pg_database WHERE datname = %s"
        if connection.execute(query, [name]).fetchone() is None:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    manage(full_stack_env(DATABASE_URL=database_url), "migrate", "--noinput")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m harness.stack",
        description="Start N servers behind nginx, Redis under Sentinel, PgBouncer.",
    )
    parser.add_argument("--database-url", required=True, help="created and migrated if missing")
    parser.add_argument("--servers", type=int, default=4)
    parser.add_argument(
        "--faults", type=float, metavar="SECONDS", help="kill a part in turn, one every SECONDS"
    )
    options = parser.parse_args(argv)
    prepare_database(options.database_url)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with engine_stack(options.database_url, servers=options.servers) as stack:
        print(f"serving on {stack.base} ({options.servers} processes)", flush=True)
        print(f"Sentinels: {stack.env['REDIS_SENTINELS']}", flush=True)
        started = time.monotonic()
        with contextlib.suppress(KeyboardInterrupt):
            if options.faults:
                stack.faults_in_turn(options.faults, stop)
                for at, what in stack.faults:
                    print(f"{at - started:6.1f} s  {what}", flush=True)
            stop.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
