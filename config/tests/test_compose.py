"""docker-compose.yml is safe to put on a host as shipped, read from the file (no Docker here):
the demo only when asked, every password from the environment, Redis asking for one, the port
on 127.0.0.1 unless told, restart policies, hosts from the environment. Its shell start-ups are
run for real, with the tools they call (sh, redis-server) on this machine."""

import os
import re
import subprocess
from pathlib import Path

import pytest
import redis
import yaml

from harness.engines import REDIS_SERVER
from harness.servers import free_port
from reservations.redis_primary import SENTINEL_MASTER

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
LONG_RUNNING = [name for name in SERVICES if name != "migrate"]


def with_defaults(value: str) -> str:
    """A value as compose gives it when the user sets nothing: `${X:-d}` is d."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", str(value))


def as_compose_runs(script: str) -> str:
    """A command's shell text after compose's own interpolation (`$$` is a literal `$`)."""
    return script.replace("$$", "$")


def test_no_password_is_written_in_the_file_and_every_one_is_required():
    text = (ROOT / "docker-compose.yml").read_text()
    for name, value in _every_environment():
        if "PASSWORD" in name or name == "SECRET_KEY":
            assert re.fullmatch(r"\$\{[A-Z_]+:\?[^}]+\}", str(value)), (name, value)
    for url in re.findall(r"[a-z]+://[^\s\"']+", text):
        credentials = url.split("://", 1)[1].partition("@")[0] if "@" in url else ""
        if credentials:
            user, _, password = credentials.partition(":")
            assert password.startswith("${") and password.endswith("}"), url
    assert not (ROOT / "config" / "pgbouncer" / "compose-userlist.txt").exists()
    assert "auth_file = /tmp/userlist.txt" in (ROOT / "config/pgbouncer/compose.ini").read_text()


def _every_environment():
    for service in [COMPOSE["x-app"], *SERVICES.values()]:
        yield from (service.get("environment") or {}).items()


def test_the_demo_is_seeded_only_when_asked(tmp_path):
    fake_python = tmp_path / "python"
    fake_python.write_text('#!/bin/sh\necho "$@" >> "$CALLS"\n')
    fake_python.chmod(0o755)
    script = as_compose_runs(SERVICES["migrate"]["command"][-1])

    def calls(seed_demo: str) -> list[str]:
        log = tmp_path / f"calls-{seed_demo}"
        env = {"PATH": f"{tmp_path}:{os.environ['PATH']}", "CALLS": str(log)}
        env["SEED_DEMO"] = with_defaults(SERVICES["migrate"]["environment"]["SEED_DEMO"])
        if seed_demo:
            env["SEED_DEMO"] = seed_demo
        subprocess.run(["sh", "-c", script], env=env, check=True)
        return log.read_text().splitlines()

    assert calls("") == ["manage.py migrate --noinput"]  # compose's default
    assert calls("1") == ["manage.py migrate --noinput", "manage.py seed_demo"]


def test_the_web_port_is_published_on_127_0_0_1_unless_told():
    published = [
        (name, with_defaults(port))
        for name, service in SERVICES.items()
        for port in service.get("ports", [])
    ]
    # and the mail catcher's inbox, on this host only (until EMAIL_URL names a real server)
    assert published == [("proxy", "127.0.0.1:8000:80"), ("mailpit", "127.0.0.1:8025:8025")]
    assert SERVICES["proxy"]["ports"] == ["${WEB_ADDRESS:-127.0.0.1}:${WEB_PORT:-8000}:80"]


def test_every_long_running_service_restarts_and_migrate_runs_once():
    for name in LONG_RUNNING:
        assert SERVICES[name].get("restart") == "unless-stopped", name
    assert SERVICES["migrate"]["restart"] == "no"


def test_hosts_and_origins_come_from_the_environment():
    environment = COMPOSE["x-app"]["environment"]
    assert environment["ALLOWED_HOSTS"].startswith("${ALLOWED_HOSTS:-")
    assert environment["CSRF_TRUSTED_ORIGINS"].startswith("${CSRF_TRUSTED_ORIGINS:-")
    assert with_defaults(environment["ALLOWED_HOSTS"]) == "localhost,127.0.0.1"


def test_the_health_checks_ask_the_liveness_route():
    web_check = " ".join(SERVICES["web"]["healthcheck"]["test"])
    assert "/api/health/live/" in web_check
    assert SERVICES["proxy"]["depends_on"]["web"] == {"condition": "service_healthy"}


def test_env_example_names_every_variable_compose_requires():
    text = (ROOT / "docker-compose.yml").read_text()
    required = set(re.findall(r"\$\{([A-Z_]+):\?", text))
    example = (ROOT / ".env.example").read_text()
    assert required == {"SECRET_KEY", "POSTGRES_PASSWORD", "REDIS_PASSWORD"}
    for name in required:
        assert re.search(rf"^{name}=$", example, flags=re.MULTILINE), name  # to be filled in
    optional = set(re.findall(r"\$\{([A-Z_]+):-", text))
    for name in optional:
        assert re.search(rf"^#?{name}=", example, flags=re.MULTILINE), name


@pytest.fixture
def compose_redis(tmp_path):
    """Compose's Redis start-up, run here: its script writes its file and starts redis-server
    (docker-entrypoint.sh, the image's, is a stand-in that adds a free port)."""
    port = free_port()
    shim = tmp_path / "docker-entrypoint.sh"
    shim.write_text(f'#!/bin/sh\nexec {REDIS_SERVER} "$2" --port {port} --bind 127.0.0.1\n')
    shim.chmod(0o755)
    script = as_compose_runs(COMPOSE["x-redis"]["command"][-1]).replace("/data/", f"{tmp_path}/")
    env = {
        "PATH": f"{tmp_path}:{os.environ['PATH']}",
        "REDIS_PASSWORD": "a1b2c3compose",
        "REPLICA_OF": "",
    }
    process = subprocess.Popen(["sh", "-c", script], env=env, cwd=tmp_path)
    try:
        yield port, tmp_path
    finally:
        process.kill()
        process.wait(timeout=10)


def test_compose_redis_asks_for_its_password_and_keeps_it_off_the_command_line(compose_redis):
    port, directory = compose_redis
    for _ in range(100):
        try:
            redis.Redis(port=port, password="a1b2c3compose", socket_timeout=1).ping()
            break
        except redis.ConnectionError:
            __import__("time").sleep(0.1)
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(port=port, socket_timeout=1).ping()
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(port=port, password="guess", socket_timeout=1).ping()
    assert redis.Redis(port=port, password="a1b2c3compose", socket_timeout=1).ping()
    assert "a1b2c3compose" not in COMPOSE["x-redis"]["command"][-1]
    assert oct((directory / "redis.conf").stat().st_mode)[-3:] == "600"


def test_the_sentinels_watch_the_primary_the_server_asks_for_and_log_in_to_it(tmp_path):
    shim = tmp_path / "redis-sentinel"
    shim.write_text('#!/bin/sh\ncat "$1"\n')
    shim.chmod(0o755)
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "sentinel.conf").write_text(
        (ROOT / "config" / "redis" / "sentinel.conf").read_text()
    )
    script = (
        as_compose_runs(COMPOSE["x-sentinel"]["command"][-1])
        .replace("/etc/redis/", f"{tmp_path}/etc/")
        .replace("/data/", f"{tmp_path}/")
    )
    env = {"PATH": f"{tmp_path}:{os.environ['PATH']}", "REDIS_PASSWORD": "s3cretsentinel"}
    written = subprocess.run(["sh", "-c", script], env=env, capture_output=True, text=True)
    monitored = re.findall(r"^sentinel monitor (\S+)", written.stdout, flags=re.MULTILINE)
    assert monitored == [SENTINEL_MASTER]
    assert f'sentinel auth-pass {SENTINEL_MASTER} "s3cretsentinel"' in written.stdout


def test_the_webhook_worker_reaches_postgresql_and_the_internet_and_nothing_else_of_the_stack():
    """It posts to URLs an organiser typed (issue 60): Redis, PgBouncer, the web processes
    and the mail catcher are not on its networks."""
    worker = set(SERVICES["webhooks"]["networks"])
    assert "default" not in worker
    neighbours = {
        name
        for name, service in SERVICES.items()
        if name != "webhooks" and worker & set(service.get("networks", ["default"]))
    }
    assert neighbours == {"postgres"}
    internal = {n for n in worker if (COMPOSE["networks"][n] or {}).get("internal")}
    assert internal == {"webhook-database"}  # its way out is the other one
