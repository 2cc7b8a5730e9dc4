"""The login doors' limits (reservations/api/login_limits.py): attempts per client address (as
NUM_PROXIES trusted proxies vouch for it, an IPv6 client by its /64), failed logins per
(username, address) slowed down before they are refused, and password hashing bounded, on
register, login, token and the admin's login form. Nobody can lock another person out."""

import threading
import time

import pytest
import redis
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from reservations.api import limit_windows, login_limits
from reservations.api.login_limits import hashing_slots

from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _forget_counts():
    client = redis.Redis.from_url(django_settings.REDIS_URL)
    for pattern in ("limits:*", "*login-known:*", "*challenge-used:*"):
        for key in client.scan_iter(pattern):
            client.delete(key)
    limit_windows.forget_all()


@pytest.fixture
def rates(settings):
    """Set the auth rates for one test, on a clean throttle cache."""

    # These tests count failures; proof of work after them has tests of its own.
    settings.LOGIN_CHALLENGE_AFTER = 10_000

    def set_rates(*, address: str = "10000/min", username: str = "10000/min"):
        throttle_rates = {"auth": address, "auth_username": username}
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": throttle_rates,
        }

    _forget_counts()
    yield set_rates
    _forget_counts()


def _token(client, username, forwarded_for=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    return client.post(
        "/api/token/", {"username": username, "password": "wrong-password"}, format="json", **extra
    )


class TestPerAddress:
    def test_sixty_wrong_passwords_with_sixty_forwarded_for_headers_are_throttled(self, rates):
        rates(address="30/min")
        api = APIClient()
        statuses = [_token(api, f"user{i}", f"203.0.113.{i}").status_code for i in range(60)]
        assert statuses[:30] == [401] * 30
        assert statuses[30:] == [429] * 30

    def test_behind_a_proxy_each_real_client_has_its_own_count(self, rates, settings):
        settings.NUM_PROXIES = 1
        rates(address="5/min")
        api = APIClient()
        statuses = [
            _token(api, f"user{i}", f"spoofed-{i}, 203.0.113.7").status_code for i in range(6)
        ]
        assert statuses == [401] * 5 + [429]
        assert _token(api, "someone", "spoofed, 203.0.113.8").status_code == 401

    def test_registration_is_throttled_per_address(self, rates):
        rates(address="3/min")
        api = APIClient()
        statuses = [
            api.post(
                "/api/register/",
                {"username": f"mass{i}", "password": "a-long-enough-pass-9"},
                format="json",
                HTTP_X_FORWARDED_FOR=f"203.0.113.{i}",
            ).status_code
            for i in range(4)
        ]
        assert statuses == [201, 201, 201, 429]


def _login(api, path, username, password, address):
    return api.post(
        path, {"username": username, "password": password}, format="json", REMOTE_ADDR=address
    )


class TestNoLockouts:
    """Failures count per (username, address): a stranger's wrong passwords slow down and then
    refuse the stranger, never the account's owner elsewhere."""

    @pytest.mark.parametrize("path", ["/api/token/", "/api/login/", "/api/token/cookie/"])
    def test_ten_wrong_passwords_from_elsewhere_leave_the_right_one_working(
        self, rates, settings, path
    ):
        settings.LOGIN_SLOWDOWN_AFTER = 3
        rates(username="10/min")
        UserFactory(username="alice")
        api = APIClient()
        attacker = [_login(api, path, "alice", "wrong-password", "203.0.113.66") for _ in range(10)]
        assert {a.status_code for a in attacker} <= {401, 429}
        assert attacker[-1].status_code == 429

        mine = _login(api, path, "alice", PASSWORD, "198.51.100.7")

        assert mine.status_code == 200, mine.content

    def test_strangers_cannot_lock_the_superuser_out_of_the_admin(self, rates, client):
        rates(username="10/min")
        get_user_model().objects.create_superuser("root", password=PASSWORD)
        for _ in range(12):
            client.post(
                "/admin/login/",
                {"username": "root", "password": "wrong-password"},
                REMOTE_ADDR="203.0.113.66",
            )

        mine = client.post(
            "/admin/login/?next=/admin/",
            {"username": "root", "password": PASSWORD},
            REMOTE_ADDR="198.51.100.7",
        )

        assert mine.status_code == 302 and mine["Location"] == "/admin/"

    def test_only_failures_count_not_attempts(self, rates):
        rates(username="2/hour")
        UserFactory(username="alice")
        api = APIClient()
        statuses = [
            _login(api, "/api/token/", "alice", PASSWORD, "198.51.100.7").status_code
            for _ in range(5)
        ]
        assert statuses == [200] * 5

    def test_failures_slow_down_then_refuse_the_name_from_that_address(self, rates, settings):
        settings.LOGIN_SLOWDOWN_AFTER = 2
        rates(username="3/hour")  # an hour: the test never meets a window's edge
        UserFactory(username="alice")
        api = APIClient()

        def attempt(password="wrong-password", address="203.0.113.66"):
            return _login(api, "/api/token/", "alice", password, address)

        first, second = attempt(), attempt()
        assert (first.status_code, first.get("Retry-After")) == (401, None)
        # From the second failure on, the answer says how long the next attempt waits...
        assert (second.status_code, second["Retry-After"]) == (401, "1")
        # ... and one that does not wait is refused before any password is checked.
        early = attempt(PASSWORD)
        assert (early.status_code, early.json()["code"], early["Retry-After"]) == (
            429,
            "throttled",
            "1",
        )
        time.sleep(1.05)  # the rule is about time: the pause of one second passes
        third = attempt()
        assert third.status_code == 401
        assert int(third["Retry-After"]) > 1  # the rate is spent: the rest of the window
        assert attempt(PASSWORD).status_code == 429
        # The same name from another address, and another name from this one, are untouched.
        assert attempt(PASSWORD, "198.51.100.7").status_code == 200
        assert _login(api, "/api/token/", "bob", "x-wrong-1", "203.0.113.66").status_code == 401

    def test_the_name_counts_case_and_width_folded(self, rates, settings):
        settings.LOGIN_SLOWDOWN_AFTER = 1
        rates(username="10/min")
        api = APIClient()
        assert _login(api, "/api/token/", "alice", "wrong-pw-1", "203.0.113.66").status_code == 401
        for name in ("ALICE", "ａｌｉｃｅ"):
            refused = _login(api, "/api/token/", name, "wrong-pw-1", "203.0.113.66")
            assert refused.status_code == 429, name

    def test_whitespace_around_the_name_is_the_same_name(self, rates, settings):
        # The views trim the name before they check it (and count its failure): so must the
        # limit, or " alice", "alice " ... would each start a count of their own.
        settings.LOGIN_SLOWDOWN_AFTER = 1
        rates(username="10/min")
        UserFactory(username="alice")
        api = APIClient()
        assert _login(api, "/api/token/", "alice", "wrong-pw-1", "203.0.113.66").status_code == 401
        for name in (" alice", "alice ", "\talice\u3000"):
            refused = _login(api, "/api/token/", name, "wrong-pw-1", "203.0.113.66")
            assert refused.status_code == 429, name


class TestPasswordHashingBound:
    def test_with_every_hashing_slot_taken_a_login_waits_a_bounded_time_then_is_503(
        self, rates, settings, client, monkeypatch
    ):
        monkeypatch.setattr(login_limits, "SLOT_WAIT_SECONDS", 0.3)
        settings.PASSWORD_HASH_CONCURRENCY = 1
        UserFactory(username="alice")
        api = APIClient()
        assert hashing_slots.take("192.0.2.1")  # another login is hashing its password now
        try:
            started = time.monotonic()
            busy = _login(api, "/api/token/", "alice", PASSWORD, "198.51.100.7")
            waited = time.monotonic() - started
            register = api.post(
                "/api/register/", {"username": "newbie", "password": PASSWORD}, format="json"
            )
            admin = client.post("/admin/login/", {"username": "alice", "password": PASSWORD})
        finally:
            hashing_slots.give_back("192.0.2.1")
        assert (busy.status_code, busy.json()["code"], busy["Retry-After"]) == (
            503,
            "login_busy",
            "1",
        )
        assert 0.3 <= waited < 2.0
        assert register.status_code == 503
        assert (admin.status_code, admin["Retry-After"]) == (503, "1")
        # The slot given back, and the refused ones held none: logins go on.
        assert _login(api, "/api/token/", "alice", PASSWORD, "198.51.100.7").status_code == 200
        assert _login(api, "/api/token/", "alice", PASSWORD, "198.51.100.7").status_code == 200


def test_a_host_failing_logins_at_full_speed_holds_half_the_slots_and_keeps_nobody_else_out(
    rates, settings, monkeypatch
):
    """Issue 40 row 1. Before: a host's failing logins took every hashing slot, and another
    account's right password from elsewhere was answered 503 at once."""
    monkeypatch.setattr(login_limits, "SLOT_WAIT_SECONDS", 0.3)
    settings.PASSWORD_HASH_CONCURRENCY = 2
    UserFactory(username="alice")
    api, attacker = APIClient(), "203.0.113.9"
    assert hashing_slots.take(attacker)  # one of its failing logins is hashing now
    try:
        second = _login(api, "/api/token/", "nobody", "wrong-pw-1", attacker)
        alice = _login(api, "/api/token/", "alice", PASSWORD, "198.51.100.20")
    finally:
        hashing_slots.give_back(attacker)
    assert (second.status_code, second.json()["code"]) == (503, "login_busy")  # its share: 1
    assert alice.status_code == 200  # the other slot was there for her


class TestIPv6Prefixes:
    def test_31_logins_from_one_64_meet_the_address_limit(self, rates):
        rates(address="30/min")
        api = APIClient()
        statuses = [
            _login(api, "/api/token/", f"user{i}", "wrong-pw-1", f"2001:db8:1:2::{i:x}").status_code
            for i in range(1, 32)
        ]
        assert statuses == [401] * 30 + [429]
        other = _login(api, "/api/token/", "someone", "wrong-pw-1", "2001:db8:1:3::1")
        assert other.status_code == 401


class TestAdminLogin:
    def test_the_admin_login_form_is_throttled(self, rates, client):
        rates(address="3/min")
        statuses = [
            client.post(
                "/admin/login/", {"username": f"root{i}", "password": "wrong-password"}
            ).status_code
            for i in range(4)
        ]
        assert statuses == [200, 200, 200, 429]

    def test_the_admin_login_slows_down_failures_per_username_and_address(
        self, rates, client, settings
    ):
        settings.LOGIN_SLOWDOWN_AFTER = 2
        rates(username="10/min")
        attempts = [
            client.post(
                "/admin/login/",
                {"username": "root", "password": "wrong-password"},
                REMOTE_ADDR="203.0.113.66",
            )
            for i in range(3)
        ]
        assert [a.status_code for a in attempts] == [200, 200, 429]
        assert attempts[1]["Retry-After"] == "1"
        assert attempts[2]["Content-Type"].startswith("text/plain")
        elsewhere = client.post(
            "/admin/login/",
            {"username": "root", "password": "wrong-password"},
            REMOTE_ADDR="198.51.100.7",
        )
        assert elsewhere.status_code == 200

    def test_the_admin_login_page_itself_is_not_counted(self, rates, client):
        rates(address="1/min")
        assert [client.get("/admin/login/").status_code for _ in range(3)] == [200] * 3


class TestFailuresPerAddress:
    """Issue 40 row 1: only failures count against an address, and an account at an address it
    knows is let in past them, and goes first for a hashing slot."""

    def test_right_passwords_from_one_address_never_meet_its_limit(self, rates):
        rates(address="3/min")
        for name in ("ann", "ben", "cat"):
            UserFactory(username=name)
        api = APIClient()
        statuses = [
            _login(api, "/api/token/", name, PASSWORD, "198.51.100.40").status_code
            for name in ("ann", "ben", "cat") * 4
        ]
        assert statuses == [200] * 12  # a school's shared address: twelve logins, no refusal

    def test_past_its_failures_an_address_is_refused_except_to_an_account_that_knows_it(
        self, rates
    ):
        rates(address="3/min")
        UserFactory(username="alice")
        UserFactory(username="bob")
        api, shared = APIClient(), "198.51.100.41"
        assert _login(api, "/api/token/", "alice", PASSWORD, shared).status_code == 200
        failures = [
            _login(api, "/api/token/", f"guess{i}", "wrong-pw-1", shared).status_code
            for i in range(3)
        ]
        assert failures == [401, 401, 401]
        refused = _login(api, "/api/token/", "bob", PASSWORD, shared)  # new here: refused
        assert (refused.status_code, refused.json()["code"]) == (429, "throttled")
        assert int(refused["Retry-After"]) >= 1
        assert _login(api, "/api/token/", "alice", PASSWORD, shared).status_code == 200
        assert _login(api, "/api/token/", "bob", PASSWORD, "198.51.100.42").status_code == 200

    def test_registration_still_counts_every_attempt(self, rates):
        rates(address="2/min")
        api = APIClient()
        statuses = [
            api.post(
                "/api/register/",
                {"username": f"new{i}", "password": PASSWORD},
                format="json",
                REMOTE_ADDR="198.51.100.43",
            ).status_code
            for i in range(3)
        ]
        assert statuses == [201, 201, 429]


def test_a_known_address_goes_first_for_a_freed_hashing_slot(settings):
    """With the one slot taken and a stranger's attempt waiting, an account's login from an
    address it knows, arriving later, gets the slot when it is freed; the stranger waits on."""
    settings.PASSWORD_HASH_CONCURRENCY = 1
    slots = login_limits._HashingSlots()
    for _ in range(5):  # each round would go either way about half the time without the rule
        assert slots.take("192.0.2.1")
        taken: list[str] = []

        def attempt(name: str, known: bool, taken: list[str]) -> None:
            if slots.take(name, wait=3.0, known=known):
                taken.append(name)

        stranger = threading.Thread(target=attempt, args=("203.0.113.5", False, taken))
        stranger.start()
        time.sleep(0.05)
        regular = threading.Thread(target=attempt, args=("198.51.100.9", True, taken))
        regular.start()
        time.sleep(0.05)
        slots.give_back("192.0.2.1")
        regular.join(timeout=1.0)
        assert taken == ["198.51.100.9"]  # and the stranger still waits
        slots.give_back("198.51.100.9")
        stranger.join(timeout=1.0)
        assert taken == ["198.51.100.9", "203.0.113.5"]
        slots.give_back("203.0.113.5")


def _solved(challenge: dict) -> str:
    """What a browser's `altcha/lib` sends back: the challenge with the counter it found."""
    import altcha

    asked = altcha.Challenge.from_dict(challenge)
    return altcha.Payload(asked, altcha.solve_challenge(asked)).to_base64()


def test_past_its_failures_an_address_asks_accounts_new_there_for_proof_of_work(rates, settings):
    """Issue 40 row 1: from LOGIN_CHALLENGE_AFTER failures on, a script guessing from that
    address pays CPU for each try; a person solves it once; an account known there is let in."""
    rates()
    settings.LOGIN_CHALLENGE_AFTER, settings.CHALLENGE_WORK = 2, 2000
    for name in ("alice", "bob", "carol"):
        UserFactory(username=name)
    api, shared = APIClient(), "198.51.100.60"
    assert _login(api, "/api/token/", "alice", PASSWORD, shared).status_code == 200  # known here
    for i in range(2):
        assert _login(api, "/api/token/", f"guess{i}", "wrong-pw-1", shared).status_code == 401

    asked = _login(api, "/api/token/", "bob", PASSWORD, shared)
    assert (asked.status_code, asked.json()["code"]) == (403, "challenge_required")
    solved = _solved(asked.json()["challenge"])
    body = {"username": "bob", "password": PASSWORD, "altcha": solved}
    answer = api.post("/api/token/", body, format="json", REMOTE_ADDR=shared)
    assert answer.status_code == 200
    carol = body | {"username": "carol"}  # the same solution again: taken once only
    again = api.post("/api/token/", carol, format="json", REMOTE_ADDR=shared)
    assert again.json()["code"] == "challenge_required"
    asked = _login(api, "/api/token/", "carol", PASSWORD, shared).json()["challenge"]
    forged = _solved(asked | {"signature": "0" * 64})  # solved, but not a challenge of ours
    answer = api.post("/api/token/", carol | {"altcha": forged}, format="json", REMOTE_ADDR=shared)
    assert answer.json()["code"] == "challenge_required"
    assert _login(api, "/api/token/", "alice", PASSWORD, shared).status_code == 200
    assert _login(api, "/api/token/", "bob", PASSWORD, "198.51.100.61").status_code == 200
