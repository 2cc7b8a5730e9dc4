"""Content-Security-Policy on every page, the built React app (served by WhiteNoise) included;
Swagger UI from the project's own static files."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = (part.strip().split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in directives}


@pytest.fixture
def built_app(settings, tmp_path):
    """A stand-in for frontend/dist: index.html and a hashed asset, served as in production."""
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(
        '<!doctype html><script type="module" src="/assets/index-1.js"></script>'
    )
    (tmp_path / "assets" / "index-1.js").write_text("console.log('seat map')")
    settings.FRONTEND_DIST = tmp_path
    settings.WHITENOISE_ROOT = tmp_path
    return Client()  # a new client builds its middleware (WhiteNoise) with these settings


@pytest.mark.parametrize("path", ["/index.html", "/assets/index-1.js", "/", "/events/1"])
def test_the_app_and_its_files_carry_the_policy(built_app, path):
    response = built_app.get(path)
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'", "'wasm-unsafe-eval'"]  # the door's QR decoder
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'self'" in policy["connect-src"]
    assert "ws://testserver" in policy["connect-src"]


def test_a_page_over_https_allows_its_wss_socket(built_app, settings):
    settings.ALLOWED_HOSTS = ["seats.example"]
    response = built_app.get("/", secure=True, HTTP_HOST="seats.example")
    assert "wss://seats.example" in _policy(response)["connect-src"]


def test_the_admin_carries_it_too_and_json_answers_go_without(client):
    assert "Content-Security-Policy" in client.get("/admin/login/")
    # Data, not a document; and the same bytes as the fast path's answers.
    assert "Content-Security-Policy" not in client.get("/api/health/")


def test_cors_allowed_origins_may_be_reached_over_http_and_websocket():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY="test-only-secret-key-of-at-least-32-bytes",
        CORS_ALLOWED_ORIGINS="https://app.example,http://localhost:5173",
    )
    code = (
        "from django.conf import settings; "
        "print(' '.join(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['connect-src']))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    sources = result.stdout.strip().splitlines()[-1].split()
    for source in [
        "'self'",
        "https://app.example",
        "wss://app.example",
        "http://localhost:5173",
        "ws://localhost:5173",
    ]:
        assert source in sources


class TestSwaggerUi:
    def test_the_docs_page_loads_swagger_ui_from_our_own_static_files(self, client):
        response = client.get("/api/docs/")
        assert response.status_code == 200
        page = response.content.decode()
        assert "cdn.jsdelivr.net" not in page and "unpkg.com" not in page
        assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
        assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css" in page
        assert "<script>" not in page  # every script is a file: the policy allows no inline one
        assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")

    def test_its_init_script_is_a_file_of_its_own_and_the_policy_holds(self, client):
        page = client.get("/api/docs/")
        policy = _policy(page)
        assert policy["script-src"] == ["'self'", "'wasm-unsafe-eval'"]  # no JavaScript eval
        assert "'unsafe-inline'" in policy["style-src"]  # its page's one small <style>
        script = client.get("/api/docs/?script=")
        assert script.status_code == 200
        assert script["Content-Type"].startswith("application/javascript")
        assert "/api/schema/" in script.content.decode()
