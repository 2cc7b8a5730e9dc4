"""These tests are pure: no database. The root conftest's autouse session fixture asks for the
test database (to end its sessions at the end of the run); here it asks for nothing, so a run
of these tests alone neither creates a database nor fails when DATABASE_URL names one that does
not exist. pytest-django still blocks any database access, so a test that touched it would
fail."""

import pytest


@pytest.fixture(scope="session", autouse=True)
def test_database_left_alone_at_the_end():
    yield
