"""The booking path's health as the waiting room's tick reads it (path_health.py): an event's
slow holds or 5xx answers slow that event's admission down, and waits for a database
connection every event's, over every process."""

import pytest

from reservations.waiting_room import path_health

EVENT, OTHER = 1, 2


@pytest.fixture(autouse=True)
def empty_window(settings):
    settings.QUEUE_SLOW_HOLD_MS = 500
    yield
    path_health.forget()


def test_a_quick_path_is_not_slow():
    for _ in range(100):
        path_health.hold_answered(0.02, 200, EVENT)
    assert path_health.summary()["events"][str(EVENT)]["p95_ms"] == pytest.approx(20)
    assert not path_health.slow_now(EVENT)


def test_holds_slower_than_the_bound_at_p95_are_slow_for_their_event_only():
    for _ in range(90):
        path_health.hold_answered(0.02, 200, EVENT)
    for _ in range(10):
        path_health.hold_answered(0.9, 409, EVENT)
    for _ in range(100):
        path_health.hold_answered(0.02, 200, OTHER)
    assert path_health.summary()["events"][str(EVENT)]["p95_ms"] == pytest.approx(900)
    assert path_health.slow_now(EVENT)
    assert not path_health.slow_now(OTHER)  # issue 40: one hot event halves no other room


def test_a_5xx_answer_slows_its_event_and_a_pool_wait_every_event():
    path_health.hold_answered(0.01, 503, EVENT)
    assert path_health.slow_now(EVENT) and not path_health.slow_now(OTHER)
    path_health._calls.clear()
    path_health.connection_waited(0.01)  # a short wait is no wait
    assert not path_health.slow_now(EVENT)
    path_health.connection_waited(0.2)
    assert path_health.slow_now(EVENT) and path_health.slow_now(OTHER)


def test_a_slow_process_anywhere_slows_the_tick_of_another(settings):
    """Each process shares its window in Redis; the ticking one reads them all."""
    for _ in range(20):
        path_health.hold_answered(2.0, 200, EVENT)
    path_health.share_this_process()
    path_health._calls.clear()  # this process is quick now; the shared summary is not
    assert path_health.slow_now(EVENT)
    assert not path_health.slow_now(OTHER)
