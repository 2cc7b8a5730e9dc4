"""docs/API.md is the HTTP contract, held to the code as PROTOCOL.md is (realtime/tests/
test_protocol.py): every route the server answers and every error it can answer is written
there, and nothing written there is gone from the code. The OpenAPI document (`/api/schema/`,
reservations/api/openapi.py) says the same: every operation has its refusals, each error
description names API.md's codes, and a status API.md gives a route is one the document gives
its operation. (Whether the server answers only what the document says is schemathesis's
question, reservations/tests/test_openapi.py.)"""

import ast
import re
from pathlib import Path

from reservations.api import openapi, urls
from reservations.api.loop_app import LoopApp
from reservations.exceptions import BookingError

ROOT = Path(__file__).resolve().parents[2]
API_MD = (ROOT / "docs" / "API.md").read_text()
ERRORS_TABLE = API_MD.split("\n## Errors\n", 1)[1].split("\n## ", 1)[0]
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")  # HEAD and OPTIONS come with every GET
# Not JSON: the metrics, the OpenAPI document itself and its page.
NOT_IN_THE_DOCUMENT = {"/api/metrics/", "/api/schema/", "/api/docs/"}
# A status and the code it answers, as API.md writes them: 409 `seat_unavailable`.
STATUS_AND_CODE = re.compile(r"\b([45]\d\d) `(\w+)`")


def normalised(path: str) -> str:
    """A path with each of its ids as `{}`, however it is spelt: API.md's `{id}`, Django's
    `<id:event_id>`, the loop's `(?P<event_id>[0-9]{1,18})`, OpenAPI's `{event_id}`."""
    return re.sub(r"\{[^}]*\}|<[^>]*>|\(\?P<\w+>[^)]*\)", "{}", path)


def documented_routes() -> set[tuple[str, str]]:
    found = re.findall(rf"\b({'|'.join(METHODS)}) (/api/[^\s`|?]*)", API_MD)
    return {(method, normalised(path)) for method, path in found}


def served_routes() -> set[tuple[str, str]]:
    """Django's routes under /api/ (but the catch-all's 404) and the loop's (loop_app.py)."""
    routes = set()
    for pattern in urls.urlpatterns:
        view = pattern.callback.view_class
        if view is urls.views.ApiNotFound:
            continue
        path = normalised(f"/api/{pattern.pattern}")
        routes |= {(m, path) for m in METHODS if hasattr(view, m.lower())}
    for row in LoopApp(django_app=None).routes:
        routes |= {(m, normalised(row.pattern.pattern)) for m in row.methods if m in METHODS}
    return routes


def documented_errors() -> set[tuple[int, str]]:
    """The rows of API.md's "Errors" table."""
    rows = re.findall(r"^\| (\d{3}) \| `(\w+)` \|", ERRORS_TABLE, re.MULTILINE)
    return {(int(status), code) for status, code in rows}


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def answered_errors() -> set[tuple[int, str]]:
    """Every status and code the server, or its proxy, can put in an error body: the domain
    errors' (all imported by the URLconf), every call that names a status and then a code
    (`error_response(403, "forbidden", ...)`), and the proxy's own answers."""
    errors = {(error.status_code, error.code) for error in _subclasses(BookingError)}
    for source in [*(ROOT / "reservations").rglob("*.py"), *(ROOT / "config").rglob("*.py")]:
        if "tests" in source.parts:
            continue
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Call):
                for status, code in zip(node.args, node.args[1:], strict=False):
                    if _literal(status, int) in range(400, 600) and _literal(code, str):
                        errors.add((status.value, code.value))
    for conf in (ROOT / "config" / "nginx").glob("*.conf"):
        answers = re.findall(r"return (\d{3}) '.*\"code\": \"(\w+)\"", conf.read_text())
        errors |= {(int(status), code) for status, code in answers}
    return errors


def _literal(node, kind):
    return node.value if isinstance(node, ast.Constant) and type(node.value) is kind else None


def operations() -> dict[tuple[str, str], dict]:
    """The OpenAPI document's operations, by method and normalised path."""
    return {
        (method.upper(), normalised(path)): operation
        for path, methods in openapi._schema()["paths"].items()
        for method, operation in methods.items()
    }


# --- Routes --------------------------------------------------------------------------------


def test_every_route_the_server_answers_is_in_api_md():
    assert served_routes() - documented_routes() == set()


def test_every_route_api_md_names_is_one_the_server_answers():
    assert documented_routes() - served_routes() == set()


# --- Error codes ---------------------------------------------------------------------------


def test_every_error_the_server_can_answer_is_a_row_of_api_mds_errors_table():
    assert answered_errors() - documented_errors() == set()


def test_every_row_of_api_mds_errors_table_is_an_error_the_server_can_answer():
    assert documented_errors() - answered_errors() == set()


def test_every_status_and_code_api_md_names_anywhere_is_a_row_of_its_errors_table():
    named = {(int(status), code) for status, code in STATUS_AND_CODE.findall(API_MD)}
    assert named - documented_errors() == set()


# --- The OpenAPI document ------------------------------------------------------------------


def test_every_operation_of_the_openapi_document_has_its_refusals_and_no_other_has():
    """An operation without a row answers, in the document, only 503: its 404 is what the
    fuzzer found undocumented (ST103) on `map/`."""
    ids = {operation["operationId"] for operation in operations().values()}
    assert set(openapi._REFUSALS) == ids


def test_each_error_description_of_the_openapi_document_names_api_mds_codes_of_its_status():
    """openapi.py's `_REASONS` name their codes as API.md does (`code`); 405 and 500 are no
    operation's answer (a method the route does not take; a bug)."""
    table = documented_errors()
    for status, reason in openapi._REASONS.items():
        named = set(re.findall(r"`(\w+)`", reason))
        assert named == {code for s, code in table if s == status}, status
    assert {status for status, _ in table} - set(openapi._REASONS) == {405, 500}


def test_a_status_api_md_gives_a_route_is_one_the_openapi_document_gives_its_operation():
    route_rows = re.findall(
        rf"^\| `({'|'.join(METHODS)}) (/api/[^`?]*)[^`]*` \|(.*)$", API_MD, re.M
    )
    documents = operations()
    missing = {}
    for method, path, row in route_rows:
        if path in NOT_IN_THE_DOCUMENT:
            continue
        operation = documents[method, normalised(path)]
        statuses = {status for status, _ in STATUS_AND_CODE.findall(row)}
        if gone := statuses - set(operation["responses"]):
            missing[operation["operationId"]] = gone
    assert missing == {}
