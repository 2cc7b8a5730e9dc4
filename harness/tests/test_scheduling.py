"""The load tester's modules go to one worker; every other module is a unit of its own."""

from xdist.scheduler import LoadFileScheduling, LoadScopeScheduling

from harness.scheduling import LoadTesterOnOneWorker, in_handing_order


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


class Item:
    """What `in_handing_order` reads of a collected test."""

    def __init__(self, nodeid: str, slow: bool = False):
        self.nodeid = nodeid
        self.path = nodeid.split("::")[0]
        self.slow = slow

    def get_closest_marker(self, name):
        return name if name == "slow" and self.slow else None


def test_the_load_tester_goes_first_then_modules_with_slow_tests_then_the_rest_in_their_order():
    items = [
        Item("config/tests/test_a.py::test_quick"),
        Item("reservations/tests/test_b.py::test_quick"),
        Item("reservations/tests/test_b.py::test_server", slow=True),
        Item("realtime/tests/test_c.py::test_quick"),
        Item("loadtest/tests/test_d.py::test_run", slow=True),
        Item("loadtest/tests/test_e.py::test_quick"),
    ]
    in_handing_order(items)
    assert [item.nodeid for item in items] == [
        "loadtest/tests/test_d.py::test_run",
        "loadtest/tests/test_e.py::test_quick",
        "reservations/tests/test_b.py::test_quick",  # its module's order kept
        "reservations/tests/test_b.py::test_server",
        "config/tests/test_a.py::test_quick",
        "realtime/tests/test_c.py::test_quick",
    ]


def test_the_scheduler_hands_units_out_in_the_collected_order():
    """xdist would sort the units by their number of tests (`--loadscope-reorder`, on by
    default), undoing `in_handing_order`."""

    class Config:
        class option:
            loadscopereorder = True

        def getvalue(self, name):
            return {"tx": ["3*popen"]}[name]

    config = Config()
    LoadTesterOnOneWorker(config)
    assert config.option.loadscopereorder is False
