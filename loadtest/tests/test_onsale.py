"""The on-sale profile against a real server on the full stack: arrivals open a room's map as
the shipped client does, buyers among them hold near the stage and book at once, and the run
reports every figure of the on-sale with a verdict that passes."""

import pytest

from loadtest.commands import parse
from loadtest.figures import table
from loadtest.run import main_async

from .server_stack import Stack

pytestmark = pytest.mark.slow


async def test_thirty_arrivals_within_two_seconds_get_their_maps_and_six_buyers_book(
    stack: Stack,
):
    options = parse(
        "run",
        ["--url", stack.base, "--event", str(stack.room_event), "--users", str(stack.users)]
        + ["--profile", "onsale", "--arrivals", "30", "--arrive-within", "2"]
        + ["--click-share", "0.2", "--best-share", "0.3", "--cancel-share", "0.3"]
        + ["--return-share", "0.5", "--journey-seats", "1-3", "--auth", "bearer"]
        + ["--server-pid", str(stack.server_pid), "--duration", "20", "--idle", "0.2"]
        + ["--settle", "1.5", "--seed", "7", "--quiet"],
    )
    result = await main_async(options)
    print(table(result))

    assert result["verdict"]["passed"], result["verdict"]
    # Every socket's final map was compared with the server's, and every booking checked.
    assert result["verdict"]["watchers_checked"] == 30
    assert result["verdict"]["watchers_mismatched"] == 0
    assert result["verdict"]["bookings_checked"] == result["journey"]["bookings"] >= 1

    arrivals = result["arrivals"]
    # The client's arrival: the event, the static map (revalidated by the returning half), the
    # state and the caller's holds and booked seats, each once per arrival since none failed;
    # no seat list and no list of reservations.
    requests = arrivals["requests"]
    assert requests["event"]["statuses"] == {"200": 30}
    assert requests["state"]["statuses"] == {"200": 30}
    assert requests["holds"]["statuses"] == {"200": 30}
    assert "seats" not in requests and "layout" not in requests and "bookings" not in requests
    assert arrivals["sockets_resumed"] == 30  # each socket went on from its state: no snapshot
    cached = requests["map"]["statuses"]
    assert cached.get("304", 0) >= 5 and cached.get("200", 0) >= 5
    assert sum(cached.values()) == 30

    onsale = result["onsale"]
    assert onsale["arrivals"] == onsale["maps_usable"] == 30
    assert onsale["buyers"] == 6
    for quantile in ("p50", "p95", "p99"):
        assert onsale["time_to_map_ms"][quantile] > 0
    # What the wire carried: at least the bodies, compressed as sent.
    smallest_bodies = sum(requests[op]["body_bytes_per_answer"] for op in ("event", "state"))
    assert onsale["wire_bytes_per_arrival"]["p50"] > smallest_bodies > 200
    # A return visit revalidates the static map (304): it costs less than a first one.
    first, back = onsale["wire_bytes_first_visit"], onsale["wire_bytes_return_visit"]
    assert first["n"] + back["n"] == 30
    assert back["p50"] < first["p50"]
    assert onsale["server_cpu_ms_per_arrival"] > 0
    assert onsale["click_ms"]["p50"] is not None and onsale["click_ms"]["p99"] is not None
    assert onsale["holds_per_s"] > 0 and onsale["bookings_per_s"] > 0
    assert onsale["answers_503"] == 0
    assert onsale["push_p99_ms"] is not None
    assert onsale["deliveries_per_s"] > 0
    assert onsale["server_cpu_us_per_delivery"] > 0
    assert onsale["verdict"] is True
    # Every holder watched its own map: each push reached all 30 sockets.
    push = result["push"]
    assert push["delivered"] == push["expected"] > 0
