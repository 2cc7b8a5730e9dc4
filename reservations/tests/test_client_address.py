"""The client a request or socket comes from (reservations/client_address.py): the address
NUM_PROXIES trusted proxies vouch for, and the bucket it counts in (an IPv6 client by its
prefix). The limits that count by it: test_auth_limits.py, test_address_holds.py."""

from reservations.client_address import address_key, client_address, scope_client_address


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


class TestAddressKey:
    def test_an_ipv6_address_counts_as_its_64(self, settings):
        settings.IPV6_PREFIX_LENGTH = 64
        assert address_key("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
        assert address_key("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
        assert address_key("2001:db8:1:3::1") == "2001:db8:1:3::/64"
        assert address_key("::ffff:203.0.113.9") == "203.0.113.9"
        assert address_key("203.0.113.9") == "203.0.113.9"
        settings.IPV6_PREFIX_LENGTH = 56
        assert address_key("2001:db8:1:2ff::1") == "2001:db8:1:200::/56"
