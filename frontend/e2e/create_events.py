"""`manage.py create_event` for the browser tests, answered over HTTP on 127.0.0.1 by one process
that e2e/server.sh starts beside the server: a test's event costs the command's work, not a new
Python process loading Django (helpers.ts `createEvent`, some 60 events a run).

    POST /  ["--name", "Grid", "--rows", "2", ...]   ->  200 and the command's output
"""

import argparse
import io
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import close_old_connections

    class CreateEvent(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            args = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            output = io.StringIO()
            close_old_connections()
            try:
                call_command("create_event", *args, stdout=output, stderr=io.StringIO())
                status, body = 200, output.getvalue()
            except Exception as exc:  # the test that asked fails with it (curl retries no 4xx)
                status, body = 400, f"create_event {args} failed: {type(exc).__name__}: {exc}"
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, format: str, *args) -> None:
            pass  # one line a request would bury the server's log

    HTTPServer(("127.0.0.1", port), CreateEvent).serve_forever()


if __name__ == "__main__":
    main()
