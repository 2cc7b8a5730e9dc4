import pytest

from .stack import stack_up


@pytest.fixture(scope="package")
def stack(tmp_path_factory):
    """One server for every load tester test that needs one (loadtest/tests/stack.py)."""
    with stack_up(tmp_path_factory.mktemp("load")) as running:
        yield running
