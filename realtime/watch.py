"""Watch an event's seat map from the command line: `python -m realtime.watch [URL] EVENT_ID`.

Prints each message of the socket as it comes (a snapshot is summarised), with the push
latency of `seats` messages measured from their commit stamp (same host clocks only).
"""

import argparse
import asyncio
import contextlib
import json
import time
from collections import Counter

import websockets


async def watch(url: str) -> None:
    async for socket in websockets.connect(url):  # reconnects with backoff
        try:
            async for frame in socket:
                message = json.loads(frame)
                kind = message.get("type")
                if kind == "snapshot":
                    counts = Counter(seat["status"] for seat in message["seats"])
                    print(f"snapshot seq={message['seq']} epoch={message['epoch']} {dict(counts)}")
                elif kind == "seats":
                    latency = (time.time_ns() - message.get("ts", time.time_ns())) / 1e6
                    changes = ", ".join(
                        f"{c['id']}:{c['status']}@v{c['version']}" for c in message["changes"]
                    )
                    print(f"seats seq={message['seq']} +{latency:.1f} ms  {changes}")
                else:
                    print(frame)
        except websockets.ConnectionClosed as closed:
            print(f"closed ({closed.rcvd.code if closed.rcvd else 'no code'}); reconnecting")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", default="http://127.0.0.1:8000", help="server address")
    parser.add_argument("event_id", type=int)
    args = parser.parse_args()
    base = args.url.rstrip("/").replace("http://", "ws://").replace("https://", "wss://")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(watch(f"{base}/ws/events/{args.event_id}/"))


if __name__ == "__main__":
    main()
