"""Fail closed: no default secret outside DEBUG, DEBUG off unless asked for, `check --deploy`
clean with a real secret, compose refusing to start without one."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


_OWN_SETTINGS = {"DJANGO_SETTINGS_MODULE", "DEBUG", "SECRET_KEY", "COOKIE_SECURE", "NUM_PROXIES"}


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return _run("manage.py", *args, **env)


def _run(*args: str, **env: str) -> subprocess.CompletedProcess:
    """`python *args` in the project with config.settings and only `env` of its own."""
    base = {k: v for k, v in os.environ.items() if k not in _OWN_SETTINGS}
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _setting(name: str, **env: str) -> str:
    """A setting as config.settings makes it from `env` (read alone: no app is loaded)."""
    shown = _run("-c", f"from django.conf import settings; print(settings.{name})", **env)
    assert shown.returncode == 0, shown.stderr
    return shown.stdout.strip().splitlines()[-1]


def test_without_a_secret_key_and_without_debug_the_project_refuses_to_start():
    result = _manage("check")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_debug_is_off_unless_asked_for():
    assert _setting("DEBUG", SECRET_KEY=secrets.token_urlsafe(50)) == "False"
    assert _setting("DEBUG", DEBUG="1") == "True"


def test_check_deploy_is_clean_with_debug_off_a_real_secret_and_a_mail_server():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=secrets.token_hex(32),
        EMAIL_URL="smtp://mail.example.com:587",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_mail_goes_only_to_the_console():
    result = _manage("check", "--deploy", DEBUG="0", SECRET_KEY=secrets.token_hex(32))
    assert "seatmap.W001" in result.stderr + result.stdout
    assert "no buyer can verify an address" in result.stderr + result.stdout


def _compose_environment() -> dict[str, str]:
    """The web processes' environment as `docker compose up` gives it, with nothing set by the
    user but the secrets (.env.example): each `${VAR:-default}` is its default."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    resolved = {}
    for name, value in compose["x-app"]["environment"].items():
        value = re.sub(r"\$\{[A-Z_]+:\?[^}]*\}", lambda _: secrets.token_hex(32), str(value))
        resolved[name] = re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)
    return resolved


def test_check_deploy_is_clean_with_the_compose_environment():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **_compose_environment())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_cookies_are_secure_unless_the_operator_opts_out_and_make_run_does():
    key = secrets.token_hex(32)
    assert _setting("SESSION_COOKIE_SECURE", DEBUG="1") == "True"
    assert _setting("CSRF_COOKIE_SECURE", DEBUG="0", SECRET_KEY=key) == "True"
    assert _setting("COOKIE_SECURE", DEBUG="1", COOKIE_SECURE="0") == "False"
    assert "run: export COOKIE_SECURE ?= 0" in (ROOT / "Makefile").read_text().splitlines()


_HSTS_OF_A_CLAIMED_HTTPS_REQUEST = (
    "from django.test import Client;"
    "answer = Client().get('/api/no-such-route/', HTTP_X_FORWARDED_PROTO='https');"
    "print(answer.headers.get('Strict-Transport-Security'))"
)


def test_x_forwarded_proto_earns_hsts_only_from_a_proxy_of_ours():
    direct = _manage(
        "shell", "-c", _HSTS_OF_A_CLAIMED_HTTPS_REQUEST, DEBUG="0", SECRET_KEY=secrets.token_hex(32)
    )
    assert direct.returncode == 0, direct.stderr
    assert direct.stdout.strip().splitlines()[-1] == "None"  # the client's own word
    proxied = _manage(
        "shell",
        "-c",
        _HSTS_OF_A_CLAIMED_HTTPS_REQUEST,
        DEBUG="0",
        NUM_PROXIES="1",
        SECRET_KEY=secrets.token_hex(32),
    )
    assert proxied.stdout.strip().splitlines()[-1].startswith("max-age="), proxied.stderr


def test_compose_refuses_to_start_without_a_secret_key_and_trusts_its_one_proxy():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    environment = compose["x-app"]["environment"]
    assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert environment["DEBUG"] == "0"
    assert environment["NUM_PROXIES"] == "1"


def test_make_run_asks_for_debug():
    makefile = (ROOT / "Makefile").read_text()
    assert "run: export DEBUG ?= 1" in makefile.splitlines()


def test_the_server_keeps_what_it_loads_at_start_out_of_the_garbage_collectors_scans():
    """Its channel layer among it: the first broadcast of an on-sale does not import it."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    program = (
        "import gc, sys, config.asgi; print(gc.get_freeze_count(), 'channels_redis' in sys.modules)"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", program],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert loaded.returncode == 0, loaded.stderr
    frozen, layer_loaded = loaded.stdout.split()
    assert int(frozen) > 50_000  # Django, the apps and the libraries
    assert layer_loaded == "True"
