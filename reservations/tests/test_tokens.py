"""Tokens are revoked: refresh tokens rotate, logout revokes the one it is given, and a
gone account's refresh token is a clean 401 (families, replays, the grace:
test_refresh_families.py)."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from .factories import PASSWORD

pytestmark = pytest.mark.django_db


def _pair(api, user):
    response = api.post(
        "/api/token/", {"username": user.username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def _refresh(api, refresh):
    return api.post("/api/token/refresh/", {"refresh": refresh}, format="json")


def test_logout_with_a_refresh_token_revokes_it(api, alice):
    tokens = _pair(api, alice)
    response = api.post("/api/logout/", {"refresh": tokens["refresh"]}, format="json")
    assert response.status_code == 200
    assert response.json() == {"success": True}
    refused = _refresh(api, tokens["refresh"])
    assert refused.status_code == 401
    assert refused.json()["code"] == "not_authenticated"


def test_a_refresh_answers_the_next_refresh_token_and_the_old_one_is_spent(api, alice):
    first = _pair(api, alice)["refresh"]
    answer = _refresh(api, first)
    assert answer.status_code == 200
    second = answer.json()["refresh"]
    assert second != first
    assert _refresh(api, second).status_code == 200
    assert _refresh(api, first).status_code == 401  # neither current nor just rotated


def test_logout_stays_idempotent_for_a_token_that_is_no_longer_usable(api, alice):
    tokens = _pair(api, alice)
    assert api.post("/api/logout/", tokens, format="json").status_code == 200
    assert api.post("/api/logout/", tokens, format="json").status_code == 200
    assert api.post("/api/logout/", {"refresh": "not-a-token"}, format="json").status_code == 200


def test_logout_refuses_a_refresh_that_is_not_a_string(api):
    response = api.post("/api/logout/", {"refresh": ["x"]}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_session_logout_without_a_body_ends_the_session(alice):
    client = APIClient()
    client.post("/api/login/", {"username": "alice", "password": PASSWORD}, format="json")
    assert client.get("/api/me/").status_code == 200
    client.get("/api/csrf/")  # the session is authenticated: CSRF applies to the logout
    client.credentials(HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)
    assert client.post("/api/logout/").status_code == 200
    assert client.get("/api/me/").status_code == 401


def test_refreshing_a_deleted_users_token_is_401_not_a_server_error(api, bob):
    tokens = _pair(api, bob)
    bob.delete()
    response = _refresh(api, tokens["refresh"])
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/logout/", {"refresh": 123}),
        ("/api/token/refresh/", {"refresh": 123}),
        ("/api/register/", {"username": 12345, "password": "correct horse battery 9"}),
        ("/api/login/", {"username": "alice", "password": 12345678}),
        ("/api/token/", {"username": 12345, "password": "x"}),
        ("/api/token/cookie/", {"username": "alice", "password": 1.5}),
    ],
)
def test_a_number_where_a_string_belongs_is_400_invalid(api, alice, path, body):
    response = api.post(path, body, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "invalid")
    assert not get_user_model().objects.filter(username="12345").exists()
