"""Serve the app: `python -m config.server [--host H] [--port P]`.

The one place the server is configured, used by `make run`, docker-compose, the tests and the
benchmarks: uvicorn with the WebSocket limits of PROTOCOL.md (frames over 4 KiB refused before
they are read, keepalive pings, closes a stalled peer cannot hold up) and no per-message
deflate (measured: BENCHMARKS.md).
"""

import argparse
import os
import sys


def main(argv=None) -> None:
    if argv is None and "PYTHONMALLOC" not in os.environ:
        # Python's small-object allocator keeps a large map's memory in arenas that a few later
        # objects pin; the C library's gives it back (BENCHMARKS.md, the season). It is chosen
        # before the interpreter starts: the process starts again, as it was started.
        os.environ["PYTHONMALLOC"] = "malloc"
        os.execv(sys.executable, sys.orig_argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    parser = argparse.ArgumentParser(prog="python -m config.server", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--deflate", action="store_true", help="per-message deflate on")
    parser.add_argument("--access-log", action="store_true")
    parser.add_argument("--log-level", default="info", help="uvicorn's: warning keeps it quiet")
    args = parser.parse_args(argv)

    import django
    import uvicorn
    from django.conf import settings

    django.setup()
    from realtime.protocol import MAX_CLIENT_FRAME_BYTES
    from realtime.websocket_protocol import WebSocketProtocol
    from reservations.database_presence import missing_database_message

    if message := missing_database_message():
        sys.exit(message)

    uvicorn.run(
        "config.asgi:application",
        host=args.host,
        port=args.port,
        lifespan="on",  # config/asgi.py: the loop's pool opens and closes with the server
        ws=WebSocketProtocol,
        ws_max_size=MAX_CLIENT_FRAME_BYTES,
        ws_ping_interval=settings.WS_PING_INTERVAL,
        ws_ping_timeout=settings.WS_PING_TIMEOUT,
        ws_per_message_deflate=args.deflate,
        access_log=args.access_log,
        log_level=args.log_level,
        # Who the client is behind our proxies is settings.NUM_PROXIES's one rule
        # (reservations/client_address.py), not uvicorn's trusted-address list.
        proxy_headers=False,
    )


if __name__ == "__main__":
    main()
