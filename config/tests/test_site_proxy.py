"""A site's proxy settings without editing a tracked file (docs/DEPLOY.md "TLS at the proxy"):
compose.conf rendered as the nginx image renders it (envsubst of TRUSTED_PROXY and
FORWARDED_PROTO only, from compose's environment and .env), run in Debian's nginx in front of a
server that says what it was told."""

import json
import os
import re
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
import yaml

from harness.nginx import nginx_in_front_of

ROOT = Path(__file__).resolve().parents[2]
PROXY = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["proxy"]


class _Told(BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps(
            {
                "for": self.headers.get("X-Forwarded-For"),
                "proto": self.headers.get("X-Forwarded-Proto"),
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Told)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def rendered(**site: str) -> str:
    """compose.conf as the image writes it: compose's defaults, what the site's .env sets."""
    env = {
        name: re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", str(value)).replace("$$", "$")
        for name, value in PROXY["environment"].items()
    }
    env |= site
    return subprocess.run(
        ["envsubst", "${TRUSTED_PROXY} ${FORWARDED_PROTO}"],
        input=(ROOT / "config" / "nginx" / "compose.conf").read_text(),
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def told(server: str, conf: str) -> dict:
    """What the server is told of a request that claims to come for 203.0.113.9."""
    proto = re.search(r"\$seatmap_forwarded_proto \{ default (\S+); \}", conf).group(1)
    server_block = conf.split("listen 80;", 1)[1].split("include /etc/nginx/seatmap.conf;")[0]
    with nginx_in_front_of(server, server_lines=server_block, forwarded_proto=proto) as proxy:
        return httpx.get(f"{proxy}/api/", headers={"X-Forwarded-For": "203.0.113.9"}).json()


def test_as_shipped_the_proxy_believes_nobody_and_says_its_own_scheme(server):
    assert told(server, rendered()) == {"for": "127.0.0.1", "proto": "http"}


def test_behind_a_sites_tls_proxy_two_settings_say_the_buyer_and_https(server):
    conf = rendered(TRUSTED_PROXY="127.0.0.1", FORWARDED_PROTO="https")
    assert told(server, conf) == {"for": "203.0.113.9", "proto": "https"}
