"""The step drivers: a table parameter (sql.Table) on each database."""

import pytest

from reservations.booking.runner import _rendered, run
from reservations.booking.sql import Statement, Table

pytestmark = pytest.mark.django_db


def _pairs(count: int) -> Table:
    return Table(("bigint", "integer"), [(10 + n, n) for n in range(count)])


def test_a_table_gives_postgresql_one_text_however_many_rows_it_has():
    statement = Statement("SELECT * FROM (%(pairs)s) AS p (a, b)", {"pairs": _pairs(1)})
    longer = statement._replace(params={"pairs": _pairs(300)})
    text, params = _rendered(statement, postgres=True)
    assert _rendered(longer, postgres=True)[0] == text
    assert params == {"pairs__0": [10], "pairs__1": [0]}


def test_a_table_reads_back_as_its_rows():
    def steps(table):
        rows = yield Statement(
            "SELECT a, b FROM (%(pairs)s) AS p (a, b) ORDER BY a", {"pairs": table}
        )
        return rows

    assert run(steps(_pairs(3))) == [(10, 0), (11, 1), (12, 2)]
    assert run(steps(_pairs(0))) == []


@pytest.mark.parametrize("count", [0, 2])
def test_elsewhere_a_table_is_a_values_list_of_its_rows(count):
    text, params = _rendered(
        Statement("SELECT * FROM (%(pairs)s) AS p", {"pairs": _pairs(count)}), postgres=False
    )
    if count:
        assert "VALUES (%(pairs__0_0)s, %(pairs__0_1)s), (%(pairs__1_0)s, %(pairs__1_1)s)" in text
        assert params == {"pairs__0_0": 10, "pairs__0_1": 0, "pairs__1_0": 11, "pairs__1_1": 1}
    else:
        assert "WHERE 1 = 0" in text and params == {}
