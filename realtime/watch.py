"""Watch an event's seat map from the command line: `python -m realtime.watch [URL] EVENT_ID`.

Prints each message of the socket as it comes, one line each (a snapshot summarised, presence
and the waiting room's frames in words), with the push latency of `seats` messages measured
from their commit stamp (same host clocks only).
"""

import argparse
import asyncio
import contextlib
import json
import time
from collections import Counter

import websockets

from .protocol import STATE_OF_LETTER


def line_of(message: dict, now_ns: int) -> str:
    """One message of the socket as a line a person reads (PROTOCOL.md's frames)."""
    kind = message.get("type")
    if kind == "state":  # a snapshot: the only form an anonymous socket gets (PROTOCOL.md)
        statuses = [STATE_OF_LETTER[letter] for letter in message["status"]]
        return f"snapshot seq={message['seq']} epoch={message['epoch']} {dict(Counter(statuses))}"
    if kind == "seats":
        latency = (now_ns - message.get("ts", now_ns)) / 1e6
        changes = ", ".join(f"{c['id']}:{c['status']}@v{c['version']}" for c in message["changes"])
        return f"seats seq={message['seq']} +{latency:.1f} ms  {changes}"
    if kind == "presence":
        return f"presence: {message['watchers']} watching"
    if kind == "queue":
        return (
            f"queue: {message.get('state')}, serving {message.get('serving')}"
            f" of {message.get('entrants')}, {message.get('seats_left')} seats left"
        )
    if kind == "own":
        return f"own: holding {len(message['seats'])}, booked {len(message['booked'])}"
    if kind == "error":
        return f"error: {message.get('code')}"
    return json.dumps(message)


async def watch(url: str) -> None:
    async for socket in websockets.connect(url):  # reconnects with backoff
        try:
            async for frame in socket:
                print(line_of(json.loads(frame), time.time_ns()))
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
