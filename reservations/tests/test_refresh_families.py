"""Refresh tokens by RFC 9700 §4.14.2 (reservations/api/tokens.py): each is good for one
refresh, claimed atomically; a replay revokes its whole family; the token just rotated keeps
working for a few seconds (two tabs); logout with a bearer revokes its login's tokens; the
cookie routes refuse pages of other origins; refreshes are limited per user."""

import threading

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection
from rest_framework.test import APIClient

from reservations.api import limit_windows
from reservations.api.browser_tokens import REFRESH_COOKIE

from .factories import PASSWORD

REFRESH = "/api/token/cookie/refresh/"
EVIL = "https://evil.example"


def _tab_of(user) -> APIClient:
    """A browser logged in with the shipped client's login: the refresh token in its cookie."""
    browser = APIClient()
    response = browser.post(
        "/api/token/cookie/", {"username": user.username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    return browser


def _tab_with(cookie: str) -> APIClient:
    tab = APIClient()
    tab.cookies[REFRESH_COOKIE] = cookie
    return tab


def _refresh(tab: APIClient, **headers):
    return tab.post(REFRESH, {}, format="json", **headers)


def _cookie(tab: APIClient) -> str:
    return tab.cookies[REFRESH_COOKIE].value


def _together(*calls):
    """Run the calls on real threads, released at once by a barrier; their results in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_two_refreshes_with_one_cookie_at_once_rotate_it_exactly_once(alice, settings):
    settings.REFRESH_REUSE_GRACE_SECONDS = 0
    for _ in range(5):  # a race lost once is no proof: every round must have one winner
        token = _cookie(_tab_of(alice))
        answers = _together(*[lambda token=token: _refresh(_tab_with(token))] * 2)
        assert sorted(a.status_code for a in answers) == [200, 401]
        # Without the grace the loser is a replay: the family is revoked, the winner's too.
        winner = next(a for a in answers if a.status_code == 200)
        assert _refresh(_tab_with(winner.cookies[REFRESH_COOKIE].value)).status_code == 401


@pytest.mark.django_db(transaction=True)
def test_two_tabs_reloading_together_both_stay_logged_in_with_one_successor(alice):
    token = _cookie(_tab_of(alice))

    answers = _together(*[lambda: _refresh(_tab_with(token))] * 2)

    assert [a.status_code for a in answers] == [200, 200]
    first, second = (a.cookies[REFRESH_COOKIE].value for a in answers)
    assert first == second != token  # whichever the browser keeps, it is the current one
    assert all(a.json()["access"] for a in answers)
    assert _refresh(_tab_with(first)).status_code == 200


@pytest.mark.django_db
def test_a_replayed_token_revokes_its_family_and_leaves_other_logins_alone(alice, settings):
    settings.REFRESH_REUSE_GRACE_SECONDS = 0
    tab = _tab_of(alice)
    other_device = _tab_of(alice)
    stolen = _cookie(tab)
    assert _refresh(tab).status_code == 200  # the owner rotates it

    replay = _refresh(_tab_with(stolen))

    assert replay.status_code == 401
    assert replay.json()["code"] == "not_authenticated"
    refused = _refresh(tab)  # the owner's successor is revoked with its family
    assert refused.status_code == 401
    assert refused.cookies[REFRESH_COOKIE].value == ""
    assert _refresh(other_device).status_code == 200


@pytest.mark.django_db
def test_the_grace_ends_a_replay_of_the_token_just_rotated_revokes(alice, settings):
    tab = _tab_of(alice)
    rotated = _cookie(tab)
    assert _refresh(tab).status_code == 200
    assert _refresh(_tab_with(rotated)).status_code == 200  # within the grace

    settings.REFRESH_REUSE_GRACE_SECONDS = 0  # the grace has passed
    assert _refresh(_tab_with(rotated)).status_code == 401
    assert _refresh(tab).status_code == 401


@pytest.mark.django_db
def test_the_body_route_follows_the_same_rules(api, alice, settings):
    settings.REFRESH_REUSE_GRACE_SECONDS = 0
    first = api.post(
        "/api/token/", {"username": "alice", "password": PASSWORD}, format="json"
    ).json()["refresh"]
    second = api.post("/api/token/refresh/", {"refresh": first}, format="json").json()["refresh"]

    assert api.post("/api/token/refresh/", {"refresh": first}, format="json").status_code == 401
    assert api.post("/api/token/refresh/", {"refresh": second}, format="json").status_code == 401


@pytest.mark.django_db
def test_logout_with_only_a_bearer_revokes_the_refresh_tokens_of_its_login(alice):
    tab = _tab_of(alice)
    other_device = _tab_of(alice)
    access = _refresh(tab).json()["access"]
    script = APIClient()
    script.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")

    assert script.post("/api/logout/", {}, format="json").status_code == 200

    assert _refresh(tab).status_code == 401
    assert _refresh(other_device).status_code == 200


@pytest.mark.django_db
def test_the_cookie_goes_only_to_the_refresh_route(alice):
    cookie = _tab_of(alice).cookies[REFRESH_COOKIE]
    assert cookie["path"] == REFRESH
    assert cookie["httponly"] is True


@pytest.mark.django_db
def test_a_refresh_from_a_page_of_another_origin_is_refused_and_rotates_nothing(alice):
    tab = _tab_of(alice)
    token = _cookie(tab)

    refused = _refresh(tab, HTTP_ORIGIN=EVIL)

    assert refused.status_code == 403
    assert refused.json()["code"] == "origin_not_allowed"
    assert REFRESH_COOKIE not in refused.cookies  # neither rotated nor cleared
    assert _refresh(_tab_with(token), HTTP_ORIGIN="http://testserver").status_code == 200


@pytest.mark.django_db
def test_a_logout_from_a_page_of_another_origin_is_refused(alice):
    tab = _tab_of(alice)
    access = _refresh(tab).json()["access"]
    page = APIClient()
    page.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")

    refused = page.post("/api/logout/", {}, format="json", HTTP_ORIGIN=EVIL)

    assert refused.status_code == 403
    assert refused.json()["code"] == "origin_not_allowed"
    assert _refresh(tab).status_code == 200  # nothing was revoked


@pytest.mark.django_db
def test_the_allowed_origins_and_callers_without_an_origin_may_refresh(alice, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://shop.example"]
    tab = _tab_of(alice)
    assert _refresh(tab, HTTP_ORIGIN="https://shop.example").status_code == 200
    assert _refresh(tab).status_code == 200  # curl, a script: no Origin
    assert _refresh(tab, HTTP_ORIGIN="null").status_code == 403


@pytest.fixture
def fresh_counts():
    client = redis.Redis.from_url(django_settings.REDIS_URL)
    for key in client.scan_iter("limits:refresh_user:*"):
        client.delete(key)
    limit_windows.forget_all()
    yield
    limit_windows.forget_all()


@pytest.mark.django_db
@pytest.mark.usefixtures("fresh_counts")
def test_refreshes_are_limited_per_user(alice, bob, settings):
    settings.REFRESH_USER_RATE = "3/min"
    tab = _tab_of(alice)
    assert [_refresh(tab).status_code for _ in range(3)] == [200, 200, 200]

    throttled = _refresh(tab)

    assert throttled.status_code == 429
    assert throttled.json()["code"] == "throttled"
    assert int(throttled["Retry-After"]) >= 1
    assert REFRESH_COOKIE not in throttled.cookies  # the cookie stays as it was
    body_route = APIClient().post("/api/token/refresh/", {"refresh": _cookie(tab)}, format="json")
    assert body_route.status_code == 429  # one count for both routes
    assert _refresh(_tab_of(bob)).status_code == 200


@pytest.mark.django_db
def test_the_sweeper_forgets_logins_whose_last_token_has_expired(alice):
    from datetime import timedelta

    from django.utils import timezone

    from reservations.models import RefreshFamily
    from reservations.services import refresh_families_purge

    token = _cookie(_tab_of(alice))
    _tab_of(alice)  # a second login: two families
    lifetime = django_settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"]

    assert refresh_families_purge(now=timezone.now() + timedelta(hours=1)) == 0
    assert refresh_families_purge(now=timezone.now() + lifetime + timedelta(seconds=2)) == 2
    assert RefreshFamily.objects.count() == 0
    assert _refresh(_tab_with(token)).status_code == 401
