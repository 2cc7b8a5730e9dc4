"""Real Redis engines on this machine, started and stopped by the tests and the multi-server
stack (harness/stack.py): plain `redis-server` processes, a primary with a replica, and
Debian's `redis-sentinel` watching them, each on a free port with its files in a temporary
directory. Nothing here is a fake: a failover is Sentinel's own.
"""

import contextlib
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import redis

from reservations.redis_primary import SENTINEL_MASTER

from .servers import free_port
from .waiting import eventually

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
REDIS_SENTINEL = shutil.which("redis-sentinel") or "/usr/bin/redis-sentinel"
# How long Sentinel waits before it calls a silent primary down: short, so a test's failover
# takes seconds; production keeps Sentinel's defaults or its own (SCALING.md).
DOWN_AFTER_MS = 1000
FAILOVER_TIMEOUT_MS = 5000


@dataclass
class RedisProcess:
    port: int
    args: list[str]
    process: subprocess.Popen | None = None
    binary = REDIS_SERVER

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=2, socket_connect_timeout=2)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, *self.args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _wait_for(lambda: self.client().ping(), f"{self.binary} on {self.port} did not start")

    def kill(self) -> None:
        """SIGKILL: the machine it ran on is gone, as far as anyone can tell."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def _redis_args(port: int, directory: Path, *extra: str) -> list[str]:
    return [
        *("--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory)),
        *("--save", "", "--appendonly", "no"),
        *extra,
    ]


@contextlib.contextmanager
def redis_server() -> Iterator[RedisProcess]:
    """One Redis of the caller's own, stopped afterwards."""
    with tempfile.TemporaryDirectory(prefix="seatmap-redis-") as tmp:
        port = free_port()
        server = RedisProcess(port, _redis_args(port, Path(tmp)))
        server.start()
        try:
            yield server
        finally:
            server.kill()


@dataclass
class SentinelRedis:
    """A primary with a replica, and Sentinels watching it as `seatmap` (redis_primary.py)."""

    primary: RedisProcess
    replica: RedisProcess
    sentinels: list[RedisProcess] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        """The server settings that name these Sentinels (docs/SETTINGS.md)."""
        return {
            # The host part is not used with Sentinels: the database number is.
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "REDIS_SENTINELS": ",".join(f"127.0.0.1:{s.port}" for s in self.sentinels),
        }

    def primary_port(self) -> int:
        """The port of the primary as the Sentinels tell it now."""
        for sentinel in self.sentinels:
            with contextlib.suppress(redis.RedisError):
                host, port = sentinel.client().sentinel_get_master_addr_by_name(SENTINEL_MASTER)
                return int(port)
        raise RuntimeError("no Sentinel answers")

    def kill_primary(self) -> RedisProcess:
        """SIGKILL the current primary; the one killed."""
        port = self.primary_port()
        doomed = next(p for p in (self.primary, self.replica) if p.port == port)
        doomed.kill()
        return doomed

    def wait_failover(self, away_from: int, within: float = 30) -> int:
        """Wait until the Sentinels name another primary than `away_from` and it answers as
        one; its port."""

        def promoted() -> int | None:
            port = self.primary_port()
            if port == away_from:
                return None
            role = redis.Redis(port=port, socket_timeout=1).role()[0]
            return port if role in (b"master", "master") else None

        return _wait_for(promoted, f"no failover within {within} s", within)


@contextlib.contextmanager
def sentinel_redis(sentinels: int = 3) -> Iterator[SentinelRedis]:
    """A primary with a replica, and `sentinels` Sentinels (quorum: a majority) watching it;
    all stopped afterwards."""
    with tempfile.TemporaryDirectory(prefix="seatmap-sentinel-") as tmp:
        directory = Path(tmp)
        port = free_port()
        primary = RedisProcess(port, _redis_args(port, directory))
        primary.start()
        replica_port = free_port()
        replica = RedisProcess(
            replica_port,
            _redis_args(replica_port, directory, "--replicaof", "127.0.0.1", str(port)),
        )
        replica.start()
        engines = SentinelRedis(primary, replica)
        try:
            _wait_for(lambda: _replicas_of(primary) >= 1, "the replica did not attach")
            quorum = sentinels // 2 + 1
            for number in range(sentinels):
                port = free_port()
                config = directory / f"sentinel-{number}.conf"
                master = SENTINEL_MASTER
                lines = [
                    *(f"port {port}", "bind 127.0.0.1", f"dir {directory}"),
                    f"sentinel monitor {master} 127.0.0.1 {primary.port} {quorum}",
                    f"sentinel down-after-milliseconds {master} {DOWN_AFTER_MS}",
                    f"sentinel failover-timeout {master} {FAILOVER_TIMEOUT_MS}",
                    f"sentinel parallel-syncs {master} 1",
                ]
                config.write_text("\n".join(lines) + "\n")  # Sentinel rewrites it: its state
                sentinel = _SentinelProcess(port, [str(config)])
                sentinel.start()
                engines.sentinels.append(sentinel)
            for sentinel in engines.sentinels:  # each knows the others and the replicas
                _wait_for(
                    lambda s=sentinel: all(
                        int(state["num-other-sentinels"]) >= sentinels - 1
                        and int(state["num-slaves"]) >= 1
                        for state in s.client().sentinel_masters().values()
                    ),
                    "the Sentinels did not find each other",
                )
            yield engines
        finally:
            for process in [*engines.sentinels, replica, primary]:
                process.kill()


class _SentinelProcess(RedisProcess):
    binary = REDIS_SENTINEL


def _replicas_of(primary: RedisProcess) -> int:
    return int(primary.client().info("replication")["connected_slaves"])


def _wait_for(check, failure: str, within: float = 20):
    def answer():
        with contextlib.suppress(redis.RedisError, OSError):
            return check()

    if answered := eventually(answer, within):
        return answered
    raise RuntimeError(failure)
