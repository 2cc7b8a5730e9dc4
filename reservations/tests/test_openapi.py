"""The OpenAPI document is true: schemathesis, run against a live server from `/api/schema/`,
finds no server error and no answer the document does not describe (status, content type,
body), with a bearer token, bounded and seeded so a run is repeatable."""

import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from django.core.management import call_command
from django.db import connection

from harness.servers import full_stack_env, running_server, token
from reservations.tests.factories import UserFactory, event_with_seats

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_schema_conformance"
)


def test_the_api_answers_only_what_its_openapi_document_says(settings, tmp_path):
    event = event_with_seats(rows=2, seats_per_row=5)
    UserFactory(username="alice")
    name = connection.settings_dict["NAME"]
    env = full_stack_env(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{name}",
        REDIS_URL=settings.REDIS_URL,
        AUTH_THROTTLE_RATE="100000/min",
        AUTH_USERNAME_THROTTLE_RATE="100000/min",
    )
    config = tmp_path / "schemathesis.toml"
    # Real ids, so the operations on an event reach their rules and not only their 404.
    config.write_text(f'[parameters]\n"path.event_id" = {event.id}\n')
    with running_server(env) as base:
        assert httpx.get(f"{base}/api/schema/").status_code == 200
        result = subprocess.run(
            [
                str(Path(sys.executable).with_name("st")),
                "--config-file",
                str(config),
                "run",
                f"{base}/api/schema/",
                "--checks",
                CHECKS,
                "--header",
                f"Authorization: {token(base, 'alice')['Authorization']}",
                "--phases",
                "examples,coverage,fuzzing,stateful",
                "--max-examples",
                "25",
                "--seed",
                "20261122",
                "--workers",
                "1",  # Hypothesis's source cache is not thread-safe on Python 3.11
                "--request-timeout",
                "10",
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]


@pytest.mark.django_db
def test_the_document_is_built_once_per_process_not_per_request(api, monkeypatch):
    """Building it costs ~40 ms of CPU and writing it as YAML ~30 ms: no anonymous caller may
    make the server do that again and again."""
    from drf_spectacular.generators import SchemaGenerator

    built = []
    build = SchemaGenerator.get_schema
    monkeypatch.setattr(
        SchemaGenerator,
        "get_schema",
        lambda self, *args, **kwargs: built.append(1) or build(self, *args, **kwargs),
    )

    answers = [api.get("/api/schema/") for _ in range(3)]
    as_json = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert {answer.status_code for answer in answers} == {200}
    assert len({answer.content for answer in answers}) == 1
    assert answers[0]["Content-Type"].startswith("application/vnd.oai.openapi")
    assert b"/api/token/cookie/refresh/" in answers[0].content
    assert as_json.json()["info"]["title"] == "Live seat map API"
    assert len(built) <= 1  # by this test, or already by an earlier one in this process


def test_the_clients_copy_of_the_schema_is_the_one_the_server_serves(tmp_path):
    """frontend/src/lib/api-schema.yaml is what the client's types are generated from
    (npm run gen:api): refresh it with `manage.py spectacular --file` when the API changes."""
    served = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(served))
    committed = Path(__file__).resolve().parents[2] / "frontend" / "src" / "lib" / "api-schema.yaml"
    assert committed.read_text() == served.read_text()
