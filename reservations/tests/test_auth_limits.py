"""The login doors' limits: per client address (as NUM_PROXIES trusted proxies vouch for it)
and per username, on register, login, token and the admin's login form."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from reservations.api.client_address import client_address, scope_client_address

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(settings):
    """Set the auth rates for one test, on a clean throttle cache."""

    def set_rates(*, address: str = "10000/min", username: str = "10000/min"):
        throttle_rates = {"auth": address, "auth_username": username}
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": throttle_rates,
        }

    cache.clear()
    yield set_rates
    cache.clear()


def _token(client, username, forwarded_for=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    return client.post(
        "/api/token/", {"username": username, "password": "wrong-password"}, format="json", **extra
    )


class TestClientAddress:
    def test_without_proxies_the_header_is_ignored(self, settings):
        settings.NUM_PROXIES = 0
        assert client_address(peer="198.51.100.1", forwarded_for="203.0.113.9") == "198.51.100.1"

    def test_behind_one_proxy_the_entry_it_appended_is_the_client(self, settings):
        settings.NUM_PROXIES = 1
        address = client_address(peer="10.0.0.2", forwarded_for="1.2.3.4, 203.0.113.9")
        assert address == "203.0.113.9"
        assert client_address(peer="10.0.0.2", forwarded_for=None) == "10.0.0.2"

    def test_behind_two_proxies_the_second_entry_from_the_right_is_the_client(self, settings):
        settings.NUM_PROXIES = 2
        address = client_address(peer="10.0.0.2", forwarded_for="1.2.3.4, 203.0.113.9, 10.0.0.3")
        assert address == "203.0.113.9"

    def test_an_asgi_scope_gives_the_same_answer(self, settings):
        settings.NUM_PROXIES = 1
        scope = {
            "client": ("10.0.0.2", 5555),
            "headers": [(b"x-forwarded-for", b"1.2.3.4"), (b"x-forwarded-for", b"203.0.113.9")],
        }
        assert scope_client_address(scope) == "203.0.113.9"
        settings.NUM_PROXIES = 0
        assert scope_client_address(scope) == "10.0.0.2"


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


class TestPerUsername:
    @pytest.mark.parametrize("path", ["/api/token/", "/api/login/"])
    def test_one_username_from_many_addresses_is_throttled(self, rates, settings, path):
        settings.NUM_PROXIES = 1
        rates(username="5/min")
        api = APIClient()

        def attempt(username, address):
            return api.post(
                path,
                {"username": username, "password": "wrong-password"},
                format="json",
                HTTP_X_FORWARDED_FOR=address,
            )

        statuses = [attempt("alice", f"203.0.113.{i}").status_code for i in range(6)]
        assert statuses == [401] * 5 + [429]
        throttled = attempt("alice", "198.51.100.1")
        assert throttled.status_code == 429
        assert throttled.json()["code"] == "throttled"
        assert int(throttled["Retry-After"]) >= 1
        # The same person written in another case or width shares the count; others do not.
        assert attempt("ALICE", "198.51.100.2").status_code == 429
        assert attempt("ａｌｉｃｅ", "198.51.100.3").status_code == 429
        assert attempt("bob", "198.51.100.4").status_code == 401


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

    def test_the_admin_login_is_throttled_per_username_too(self, rates, client, settings):
        settings.NUM_PROXIES = 1
        rates(username="2/min")
        statuses = [
            client.post(
                "/admin/login/",
                {"username": "root", "password": "wrong-password"},
                HTTP_X_FORWARDED_FOR=f"203.0.113.{i}",
            ).status_code
            for i in range(3)
        ]
        assert statuses == [200, 200, 429]

    def test_the_admin_login_page_itself_is_not_counted(self, rates, client):
        rates(address="1/min")
        assert [client.get("/admin/login/").status_code for _ in range(3)] == [200] * 3
