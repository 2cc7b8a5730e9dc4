"""The browser's tokens (reservations/api/browser_tokens.py): the access token in the answer,
the refresh token only in an HttpOnly cookie, rotated on refresh and revoked at logout (the
rotation's rules: test_refresh_families.py)."""

import pytest
from rest_framework.test import APIClient

from reservations.api.browser_tokens import REFRESH_COOKIE

from .factories import PASSWORD

pytestmark = pytest.mark.django_db


def _browser_login(browser, user):
    return browser.post(
        "/api/token/cookie/", {"username": user.username, "password": PASSWORD}, format="json"
    )


def _browser_refresh(browser):
    return browser.post("/api/token/cookie/refresh/", {}, format="json")


def test_login_answers_an_access_token_and_keeps_the_refresh_token_from_page_scripts(alice):
    browser = APIClient()
    response = _browser_login(browser, alice)

    assert response.status_code == 200
    assert set(response.json()) == {"access"}
    cookie = response.cookies[REFRESH_COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/api/token/cookie/refresh/"
    me = APIClient()
    me.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    assert me.get("/api/me/").json()["username"] == "alice"


def test_a_wrong_password_sets_no_cookie(alice):
    browser = APIClient()
    response = browser.post(
        "/api/token/cookie/", {"username": "alice", "password": "wrong"}, format="json"
    )

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"
    assert REFRESH_COOKIE not in response.cookies


def test_refresh_rotates_the_cookie_and_a_replay_of_the_old_token_is_refused(alice, settings):
    settings.REFRESH_REUSE_GRACE_SECONDS = 0  # (the grace: test_refresh_families.py)
    browser = APIClient()
    _browser_login(browser, alice)
    first = browser.cookies[REFRESH_COOKIE].value

    answer = _browser_refresh(browser)

    assert answer.status_code == 200
    assert set(answer.json()) == {"access"}
    second = browser.cookies[REFRESH_COOKIE].value
    assert second != first
    replay = APIClient()
    replay.cookies[REFRESH_COOKIE] = first
    refused = _browser_refresh(replay)
    assert refused.status_code == 401
    assert refused.json()["code"] == "not_authenticated"
    assert refused.cookies[REFRESH_COOKIE].value == ""  # cleared


def test_refresh_without_the_cookie_is_not_authenticated():
    refused = _browser_refresh(APIClient())

    assert refused.status_code == 401
    assert refused.json()["code"] == "not_authenticated"


def test_a_refresh_token_sent_in_the_body_is_not_taken_from_the_cookie_endpoint(api, alice):
    tokens = api.post(
        "/api/token/", {"username": "alice", "password": PASSWORD}, format="json"
    ).json()
    refused = APIClient().post(
        "/api/token/cookie/refresh/", {"refresh": tokens["refresh"]}, format="json"
    )

    assert refused.status_code == 401


def test_logout_revokes_the_cookies_refresh_token_and_clears_it(alice):
    browser = APIClient()
    access = _browser_login(browser, alice).json()["access"]
    spent = browser.cookies[REFRESH_COOKIE].value
    browser.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")

    response = browser.post("/api/logout/", {}, format="json")

    assert response.status_code == 200
    assert response.cookies[REFRESH_COOKIE].value == ""
    replay = APIClient()
    replay.cookies[REFRESH_COOKIE] = spent
    assert _browser_refresh(replay).status_code == 401


@pytest.mark.parametrize("door", ["/api/token/", "/api/token/cookie/", "/api/login/"])
def test_a_password_with_spaces_around_it_logs_in_at_every_door(door):
    """Register keeps a password as typed (spaces and all): so must every login door."""
    password = "  correct horse battery 9 "
    api = APIClient()
    made = api.post("/api/register/", {"username": "carol", "password": password}, format="json")
    assert made.status_code == 201, made.content

    answer = api.post(door, {"username": "carol", "password": password}, format="json")

    assert answer.status_code == 200, answer.content
    trimmed = api.post(door, {"username": "carol", "password": password.strip()}, format="json")
    assert trimmed.status_code == 401
