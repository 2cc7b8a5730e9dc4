"""Debian's nginx with the project's proxy configuration (config/nginx/), in front of server
processes on this machine: for the proxy tests and the multi-server stack (harness/stack.py).
It runs as docker-compose.yml runs it: the same seatmap.conf and limits.conf, an upstream
`seatmap_web` of the given processes.
"""

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from .servers import LOCAL_HTTP, ROOT, free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
STARTED_WITHIN = 10.0


@contextlib.contextmanager
def nginx_in_front_of(
    *bases: str,
    server_lines: str = "",
    exempt_networks: tuple[str, ...] = (),
    forwarded_proto: str = "$scheme",
) -> Iterator[str]:
    """nginx proxying to the server processes at `bases` (http://host:port), with a test's own
    `server_lines` before the project's; yields its base URL once it answers the health check.

    A process that stops answering is skipped for 5 s (max_fails=1), as compose.conf does.
    `exempt_networks` (load hosts) are listed in limits.conf's geo block, as an operator would:
    their sockets count against no per-client cap. `forwarded_proto` is what compose.conf maps
    from FORWARDED_PROTO."""
    assert Path(NGINX).exists(), "nginx is missing: `make test` installs it (apt-get install nginx)"
    port = free_port()
    upstreams = "\n".join(
        f"    server {base.removeprefix('http://')} max_fails=1 fail_timeout=5s;" for base in bases
    )
    with tempfile.TemporaryDirectory(prefix="seatmap-nginx-") as tmp:
        temp_paths = "\n".join(
            f"  {kind}_temp_path {tmp}/{kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        (Path(tmp) / "nginx.conf").write_text(
            f"""
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
{temp_paths}
  include {_limits(Path(tmp), exempt_networks)};
  map $host $seatmap_forwarded_proto {{ default {forwarded_proto}; }}
  upstream seatmap_web {{
{upstreams}
    keepalive 8;
  }}
  server {{
    listen 127.0.0.1:{port};
{server_lines}
    include {ROOT}/config/nginx/seatmap.conf;
  }}
}}
"""
        )
        process = subprocess.Popen(
            [NGINX, "-p", tmp, "-c", f"{tmp}/nginx.conf"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + STARTED_WITHIN
            while True:
                with contextlib.suppress(httpx.HTTPError):
                    if LOCAL_HTTP.get(f"{base}/api/health/live/", timeout=1).status_code == 200:
                        break
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"nginx did not start: {process.stderr.read().decode()}")
                time.sleep(0.1)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=10)


def _limits(directory: Path, exempt_networks: tuple[str, ...]) -> Path:
    """limits.conf, with `exempt_networks` in its geo block of load hosts."""
    shipped = ROOT / "config" / "nginx" / "limits.conf"
    if not exempt_networks:
        return shipped
    entries = "".join(f"    {network} 1;\n" for network in exempt_networks)
    text = shipped.read_text()
    geo = "geo $seatmap_socket_exempt {\n    default 0;\n"
    assert geo in text, "limits.conf's geo block of exempt networks has changed"
    (directory / "limits.conf").write_text(text.replace(geo, geo + entries))
    return directory / "limits.conf"
