"""Where a webhook may go (reservations/webhooks/reach.py, issue 60 row 3): nowhere inside, at
save and again at connect, unless the operator names the receiver in WEBHOOK_ALLOWED_HOSTS."""

import pytest

from reservations.models import WebhookDelivery, WebhookEndpoint
from reservations.webhooks import sending
from reservations.webhooks.reach import is_public

from .webhook_receiver import CONFIRMED, endpoint_for

pytestmark = pytest.mark.django_db(transaction=True)

INSIDE = [
    "127.0.0.1",
    "127.8.9.10",
    "10.0.0.5",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",  # a cloud's metadata service
    "100.64.0.1",  # CGNAT
    "224.0.0.1",  # multicast
    "239.255.255.250",
    "0.0.0.0",
    "::1",
    "::",
    "fd00::1",  # unique-local
    "fe80::1",  # link-local
    "ff02::1",  # multicast
    "::ffff:127.0.0.1",  # IPv4 loopback written as IPv6
    "::ffff:10.0.0.1",
]


@pytest.mark.parametrize("address", INSIDE)
def test_no_address_inside_is_public(address):
    assert not is_public(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111"])
def test_an_address_on_the_internet_is(address):
    assert is_public(address)


def _url(address: str) -> str:
    return f"http://[{address}]:8080/hook" if ":" in address else f"http://{address}:8080/hook"


@pytest.mark.parametrize("url", [*map(_url, INSIDE), "http://localhost:8080/hook"])
def test_an_endpoint_inside_is_refused_at_save(admin_client, settings, url):
    settings.WEBHOOK_ALLOWED_HOSTS = []
    page = admin_client.post(
        "/admin/reservations/webhookendpoint/add/",
        {"url": url, "event": "", "event_types": [CONFIRMED], "enabled": "on"},
    )
    assert page.status_code == 200 and "not on the public internet" in page.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_a_receiver_named_in_the_setting_is_taken_and_so_is_the_internet(admin_client, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["LocalHost"]
    for url in ["http://localhost:8080/hook", "https://8.8.8.8/hook"]:
        form = {"url": url, "event": "", "event_types": [CONFIRMED], "enabled": "on"}
        added = admin_client.post("/admin/reservations/webhookendpoint/add/", form)
        assert added.status_code == 302, url
    assert WebhookEndpoint.objects.count() == 2


def test_an_endpoint_inside_is_refused_at_connect_too(receiver, settings):
    """Saved before the rule (or its name resolving elsewhere since): the attempt checks the
    address it connects to, and never reaches the receiver."""
    endpoint = endpoint_for(receiver, CONFIRMED)
    settings.WEBHOOK_ALLOWED_HOSTS = []
    with sending.http_pool() as pool:
        delivery = sending.test_sent(endpoint, by="test", pool=pool)
    assert receiver.arrivals == []
    assert delivery.last_status is None
    assert delivery.last_answer.startswith("Unreachable: 127.0.0.1 resolves to 127.0.0.1")

    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    with sending.http_pool() as pool:
        delivery = WebhookDelivery.objects.select_related("message", "endpoint").get()
        again = sending.post(pool, delivery)
    assert again.status == 200 and len(receiver.arrivals) == 1


def test_a_name_that_resolves_inside_is_refused_at_connect(receiver, settings):
    """localhost is a name, not an address: the check is of what it resolves to."""
    endpoint = endpoint_for(receiver, CONFIRMED)
    endpoint.url = receiver.url.replace("127.0.0.1", "localhost")
    endpoint.save()
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]  # the address, not the name
    with sending.http_pool() as pool:
        delivery = sending.test_sent(endpoint, by="test", pool=pool)
    assert receiver.arrivals == [] and "not on the public internet" in delivery.last_answer
