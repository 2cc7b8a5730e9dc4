"""The load tester's modules go to one worker; every other module is a unit of its own."""

from xdist.scheduler import LoadFileScheduling, LoadScopeScheduling

from harness.scheduling import LoadTesterOnOneWorker


def test_the_load_testers_modules_are_one_unit_and_every_other_module_its_own():
    unit = object.__new__(LoadTesterOnOneWorker)._split_scope  # no workers needed to split
    assert unit("loadtest/tests/test_season.py::test_a") == "loadtest/tests"
    assert unit("loadtest/tests/test_queue.py::T::test_b[x]") == "loadtest/tests"
    assert unit("reservations/tests/test_races.py::test_c") == "reservations/tests/test_races.py"
    assert unit("loadtest_like/tests/test_d.py::test_d") == "loadtest_like/tests/test_d.py"


def test_xdist_still_splits_its_work_with_the_method_overridden():
    """A private method of xdist's: should an upgrade rename it, the override would go unused
    and three workers would each start a load-tester stack again."""
    assert "_split_scope" in vars(LoadFileScheduling)
    assert "_split_scope" in LoadScopeScheduling.schedule.__code__.co_names
