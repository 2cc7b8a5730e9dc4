"""What the API tests share: the error shape of API.md, times as it writes them, a browser's
session client."""

import re

from rest_framework.test import APIClient

from .factories import PASSWORD

ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert isinstance(body["error"], str) and body["error"]
    assert "Traceback" not in body["error"]
    return body


def session_client(user) -> APIClient:
    """A browser-like client: session cookie, CSRF enforced."""
    client = APIClient(enforce_csrf_checks=True)
    client.get("/api/csrf/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/api/login/",
        {"username": user.username, "password": PASSWORD},
        format="json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 200
    client.csrf = client.cookies["csrftoken"].value
    return client
