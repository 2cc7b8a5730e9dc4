"""Real Redis engines on this machine, started and stopped by the tests and the multi-server
stack (harness/stack.py): plain `redis-server` processes, primaries with a replica each, and
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
class SentinelShards:
    """Primaries `seatmap-0`, `seatmap-1`... each with a replica, and Sentinels watching all."""

    masters: list[str]
    primaries: list[RedisProcess]
    replicas: list[RedisProcess]
    sentinels: list[RedisProcess] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        """The server settings that name these Sentinels and shards (README "Redis")."""
        return {
            # The host part is not used with Sentinels: the database number is.
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "REDIS_SHARDS": ",".join(self.masters),
            "REDIS_SENTINELS": ",".join(f"127.0.0.1:{s.port}" for s in self.sentinels),
        }

    def primary_port(self, shard: int) -> int:
        """The port of the shard's primary as the Sentinels tell it now."""
        for sentinel in self.sentinels:
            with contextlib.suppress(redis.RedisError):
                host, port = sentinel.client().sentinel_get_master_addr_by_name(self.masters[shard])
                return int(port)
        raise RuntimeError("no Sentinel answers")

    def shard_holding(self, key: str) -> int:
        """The shard whose primary holds `key` (an event's keys live on one: redis_shards.py)."""
        for shard in range(len(self.masters)):
            if redis.Redis(port=self.primary_port(shard), socket_timeout=2).exists(key):
                return shard
        raise LookupError(f"no shard holds {key}")

    def kill_primary(self, shard: int) -> RedisProcess:
        """SIGKILL the shard's current primary; the one killed."""
        port = self.primary_port(shard)
        doomed = next(p for p in self.primaries + self.replicas if p.port == port)
        doomed.kill()
        return doomed

    def wait_failover(self, shard: int, away_from: int, within: float = 30) -> int:
        """Wait until the Sentinels name another primary than `away_from` and it answers as
        one; its port."""

        def promoted() -> int | None:
            port = self.primary_port(shard)
            if port == away_from:
                return None
            role = redis.Redis(port=port, socket_timeout=1).role()[0]
            return port if role in (b"master", "master") else None

        return _wait_for(promoted, f"no failover of shard {shard} within {within} s", within)


@contextlib.contextmanager
def sentinel_shards(shards: int = 1, sentinels: int = 3) -> Iterator[SentinelShards]:
    """`shards` primaries with a replica each, and `sentinels` Sentinels (quorum: a majority)
    watching them; all stopped afterwards."""
    with tempfile.TemporaryDirectory(prefix="seatmap-sentinel-") as tmp:
        directory = Path(tmp)
        primaries, replicas = [], []
        for _ in range(shards):
            port = free_port()
            primary = RedisProcess(port, _redis_args(port, directory))
            primary.start()
            replica_port = free_port()
            replica = RedisProcess(
                replica_port,
                _redis_args(replica_port, directory, "--replicaof", "127.0.0.1", str(port)),
            )
            replica.start()
            primaries.append(primary)
            replicas.append(replica)
        engines = SentinelShards([f"seatmap-{i}" for i in range(shards)], primaries, replicas)
        try:
            for primary in primaries:
                _wait_for(lambda p=primary: _replicas_of(p) >= 1, "the replica did not attach")
            quorum = sentinels // 2 + 1
            for number in range(sentinels):
                port = free_port()
                config = directory / f"sentinel-{number}.conf"
                lines = [f"port {port}", "bind 127.0.0.1", f"dir {directory}"]
                for master, primary in zip(engines.masters, primaries, strict=True):
                    lines += [
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
            for process in engines.sentinels + replicas + primaries:
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
