"""The live progress says what a run is doing now: holds a second and the p99s over the last
seconds, and errors by code, from the same records as the result."""

import time

from loadtest.progress import Progress
from loadtest.stats import Recorder


def recorder_with(requests: list[tuple[str, int, str, float, float]]) -> Recorder:
    rec = Recorder()
    rec.requests.extend(requests)
    return rec


def test_holds_a_second_counts_granted_holds_of_the_last_seconds_only():
    now = time.monotonic()
    rec = recorder_with(
        [("lock", 200, "ok", 0.01, now - 1)] * 20  # 20 in the window: 4 a second
        + [("best", 200, "ok", 0.01, now - 2)] * 5  # best available holds too
        + [("lock", 409, "seat_unavailable", 0.01, now - 1)] * 7  # refused: not a hold
        + [("reserve", 201, "ok", 0.01, now - 1)] * 3  # a booking: not a hold
        + [("lock", 200, "ok", 0.01, now - 60)] * 100  # long ago
    )
    assert Progress(rec, quiet=True).fields()["holds/s"].startswith("5.0 ")


def test_the_request_p99_is_of_the_last_seconds():
    now = time.monotonic()
    rec = recorder_with(
        [("lock", 200, "ok", 0.020, now - 1)] * 99
        + [("lock", 200, "ok", 0.900, now - 1)] * 2
        + [("lock", 200, "ok", 9.0, now - 60)] * 50  # slow, but long ago
    )
    assert "p99 900 ms" in Progress(rec, quiet=True).fields()["requests"]


def test_errors_are_shown_by_code_most_first():
    now = time.monotonic()
    rec = recorder_with(
        [("lock", 409, "seat_unavailable", 0.01, now)] * 3
        + [("lock", 503, "http_503", 0.01, now)] * 5
        + [("lock", 200, "ok", 0.01, now)] * 9
    )
    rec.errors["push_without_ts"] += 1
    progress = Progress(rec, quiet=True)
    assert "errors http_503 5, seat_unavailable 3, push_without_ts 1" in progress.line()
    rec.requests.append(("lock", 409, "seat_unavailable", 0.01, now))
    assert "errors http_503 5, seat_unavailable 4, push_without_ts 1" in progress.line()
    assert "errors none" in Progress(Recorder(), quiet=True).line()
