"""The booking path's health as the waiting room's tick reads it (path_health.py): slow holds,
5xx answers or waits for a database connection slow admission down, over every process."""

import pytest

from reservations.waiting_room import path_health


@pytest.fixture(autouse=True)
def empty_window(settings):
    settings.QUEUE_SLOW_HOLD_MS = 500
    yield
    path_health.forget()


def test_a_quick_path_is_not_slow():
    for _ in range(100):
        path_health.hold_answered(0.02, 200)
    assert path_health.summary()["p95_ms"] == pytest.approx(20)
    assert not path_health.slow_now()


def test_holds_slower_than_the_bound_at_p95_are_slow():
    for _ in range(90):
        path_health.hold_answered(0.02, 200)
    for _ in range(10):
        path_health.hold_answered(0.9, 409)
    assert path_health.summary()["p95_ms"] == pytest.approx(900)
    assert path_health.slow_now()


def test_a_5xx_answer_or_a_pool_wait_is_slow():
    path_health.hold_answered(0.01, 503)
    assert path_health.slow_now()
    path_health._calls.clear()
    path_health.connection_waited(0.01)  # a short wait is no wait
    assert not path_health.slow_now()
    path_health.connection_waited(0.2)
    assert path_health.slow_now()


def test_a_slow_process_anywhere_slows_the_tick_of_another(settings):
    """Each process shares its window in Redis; the ticking one reads them all."""
    for _ in range(20):
        path_health.hold_answered(2.0, 200)
    path_health.share_this_process()
    path_health._calls.clear()  # this process is quick now; the shared summary is not
    assert path_health.slow_now()
