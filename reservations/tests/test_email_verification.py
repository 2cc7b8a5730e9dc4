"""E-mail verification (reservations/accounts/), end to end through the HTTP API with the
verification e-mail read back from a real SMTP server (aiosmtpd): a new place in a waiting room
asks for a verified address, and so does a hold of an event whose organiser says so; the link
verifies that address of that account and nothing else; links sent again are limited; the admin
shows accounts made from one address in bursts."""

import re
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.utils import timezone
from redis import Redis
from rest_framework.test import APIClient

from reservations.accounts.email_verification import SALT, verification_token
from reservations.accounts.models import Account
from reservations.accounts.verification_emails import verifications_send_due
from reservations.models import Event, QueueEntry, Seat
from reservations.outbox import MAIL_RETRY_SECONDS

from .conftest import bearer_client
from .factories import PASSWORD, UserFactory, event_with_seats
from .queue_rooms import event_with_room
from .races import code_of, users

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/verify-email\?token=\S+")


def register(username: str, email: str = "", address: str = "127.0.0.1") -> APIClient:
    """A bearer client of a new account registered through the API from `address`."""
    client = APIClient(REMOTE_ADDR=address)
    body = {"username": username, "password": PASSWORD, **({"email": email} if email else {})}
    assert client.post("/api/register/", body, format="json").status_code == 201
    credentials = {"username": username, "password": PASSWORD}
    tokens = client.post("/api/token/", credentials, format="json").json()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    return client


def join(client: APIClient, event):
    return client.post(f"/api/events/{event.id}/queue/join/", {}, format="json")


def token_in(message) -> str:
    """The token of the link in the e-mail's text part (the HTML part's link is the same)."""
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    (link,) = LINK.findall(text)
    assert f'href="{link}"' in html
    return parse_qs(urlsplit(link).query)["token"][0]


def test_a_buyer_verifies_the_address_they_registered_with_then_joins_the_room(smtp, settings):
    settings.PUBLIC_URL = "https://tickets.example.org"
    smtp.start()
    event = event_with_room()
    dora = register("dora", "dora@example.org")

    refused = join(dora, event)
    assert refused.status_code == 403
    assert refused.json()["code"] == "email_unverified"
    assert "dora@example.org" in refused.json()["error"]
    assert not QueueEntry.objects.exists()

    assert verifications_send_due() == 1
    (message,) = smtp.messages
    assert message["To"] == "dora@example.org"
    assert message["Subject"] == "Confirm your e-mail address"
    assert (
        "https://tickets.example.org/verify-email?token="
        in message.get_body(("plain",)).get_content()
    )
    verified = APIClient().post("/api/verify-email/", {"token": token_in(message)}, format="json")
    assert verified.status_code == 200
    assert verified.json() == {
        "username": "dora",
        "email": "dora@example.org",
        "email_verified": True,
    }

    assert join(dora, event).status_code == 200
    assert QueueEntry.objects.filter(user__username="dora").count() == 1
    assert dora.get("/api/me/").json()["email_verified"] is True
    assert verifications_send_due() == 0  # sent once


def test_an_account_without_an_address_is_told_to_add_one_and_the_added_one_is_sent_a_link(smtp):
    smtp.start()
    event = event_with_room()
    erin = register("erin")

    refused = join(erin, event)
    assert refused.status_code == 403
    assert refused.json() == {
        "error": "Add your e-mail address to join the queue, then open the link we send to it.",
        "code": "email_unverified",
        "email": "",
    }
    assert erin.post("/api/me/email/resend/", {}, format="json").json()["code"] == "no_email"

    added = erin.post("/api/me/email/", {"email": "erin@example.org"}, format="json")
    assert added.status_code == 202
    assert added.json() == {"email": "erin@example.org", "email_verified": False}
    verifications_send_due()
    (message,) = smtp.messages
    assert message["To"] == "erin@example.org"
    APIClient().post("/api/verify-email/", {"token": token_in(message)}, format="json")
    assert join(erin, event).status_code == 200


def test_a_link_for_an_address_the_account_no_longer_has_verifies_nothing(smtp):
    smtp.start()
    event = event_with_room()
    fred = register("fred", "fred@example.org")
    verifications_send_due()
    old_link = token_in(smtp.messages[0])
    fred.post("/api/me/email/", {"email": "fred@example.net"}, format="json")

    refused = APIClient().post("/api/verify-email/", {"token": old_link}, format="json")

    assert refused.status_code == 400
    assert refused.json()["code"] == "verification_link_invalid"
    assert "no longer has" in refused.json()["error"]
    assert Account.objects.get(user__username="fred").email_verified_at is None
    assert join(fred, event).json()["code"] == "email_unverified"


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda token: token[:-2], id="cut-short"),
        pytest.param(lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"), id="tampered"),
        pytest.param(
            lambda token: signing.dumps(signing.loads(token, salt=SALT), salt="another.purpose"),
            id="signed-for-another-purpose",
        ),
        pytest.param(
            lambda token: signing.dumps(
                signing.loads(token, salt=SALT), salt=SALT, key="another-server-key-0123456789abc"
            ),
            id="signed-by-another-server",
        ),
        pytest.param(lambda token: "not a token", id="garbage"),
    ],
)
def test_a_link_that_is_not_ours_is_refused_with_the_json_error_and_verifies_nothing(spoil):
    gail = UserFactory(username="gail", email="gail@example.org")

    answer = APIClient().post(
        "/api/verify-email/", {"token": spoil(verification_token(gail))}, format="json"
    )

    assert answer.status_code == 400
    assert answer.json()["code"] == "verification_link_invalid"
    assert not Account.objects.filter(email_verified_at__isnull=False).exists()


def test_a_link_older_than_its_max_age_is_refused(settings):
    hal = UserFactory(username="hal", email="hal@example.org")
    token = verification_token(hal)
    settings.EMAIL_VERIFICATION_MAX_AGE = 3600
    assert (
        APIClient().post("/api/verify-email/", {"token": token}, format="json").status_code == 200
    )
    Account.objects.all().delete()

    settings.EMAIL_VERIFICATION_MAX_AGE = 0
    time.sleep(1.1)  # a signature's age is counted in whole seconds
    answer = APIClient().post("/api/verify-email/", {"token": token}, format="json")

    assert answer.status_code == 400
    assert answer.json()["code"] == "verification_link_invalid"
    assert "old" in answer.json()["error"]
    assert not Account.objects.exists()


def test_links_sent_again_are_limited_per_account(smtp, settings):
    settings.EMAIL_VERIFICATION_RATE = "2/hour"
    smtp.start()
    # Counts live in Redis for the hour, and an earlier run's account may have had this id.
    redis = Redis.from_url(settings.REDIS_URL)
    for key in redis.scan_iter("limits:verification_mail:*"):
        redis.delete(key)
    ivy = UserFactory(username="ivy", email="ivy@example.org")
    client = bearer_client(ivy)

    answers = [client.post("/api/me/email/resend/", {}, format="json") for _ in range(3)]

    assert [a.status_code for a in answers] == [202, 202, 429]
    assert answers[2].json()["code"] == "throttled"
    assert int(answers[2]["Retry-After"]) > 0
    assert verifications_send_due() == 1  # one link due, however often it was asked for


def test_a_link_the_mail_server_did_not_take_is_tried_again_later(smtp):
    register("lou", "lou@example.org")
    # The SMTP server is not started: nothing answers on its port.
    assert verifications_send_due() == 0
    account = Account.objects.get(user__username="lou")
    assert account.verification_attempts == 1
    first_wait = timedelta(seconds=MAIL_RETRY_SECONDS[0])
    assert account.verification_due_at - timezone.now() > first_wait - timedelta(seconds=5)

    smtp.start()
    assert verifications_send_due(now=account.verification_due_at) == 1
    assert [m["To"] for m in smtp.messages] == ["lou@example.org"]


def test_a_verified_address_is_not_sent_another_link():
    jan = register("jan", "jan@example.org")
    account = Account.objects.get(user__username="jan")
    Account.objects.filter(pk=account.pk).update(
        verified_email="jan@example.org", email_verified_at=account.user.date_joined
    )
    answer = jan.post("/api/me/email/resend/", {}, format="json")
    assert answer.status_code == 409
    assert answer.json()["code"] == "email_already_verified"


def test_with_the_rule_off_an_unverified_account_joins(settings):
    settings.WAITING_ROOM_REQUIRES_VERIFIED_EMAIL = False
    event = event_with_room()
    assert join(register("kim"), event).status_code == 200


def test_the_admin_lists_how_many_accounts_one_address_made_within_the_hour(admin_client):
    for n, address in enumerate(["2001:db8:1:2::1", "2001:db8:1:2::99", "2001:db8:1:2:ffff::3"]):
        register(f"burst{n}", address=address)  # one /64: one client
    register("loner", address="2001:db8:9:9::1")

    listed = admin_client.get("/admin/auth/user/", {"registered_near": "2"}).content.decode()

    assert Account.objects.get(user__username="burst0").registered_from == "2001:db8:1:2::/64"
    assert all(f">burst{n}<" in listed for n in range(3))
    assert ">loner<" not in listed
    assert ">3</td>" in listed


# --- Holds that ask for a verified e-mail (the organiser's switch) ------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["django", "fast"], indirect=True)
def test_an_event_that_asks_for_verified_buyers_refuses_holds_by_the_others(path):
    """On both paths (races.py's posters: Django's in this process, a server's fast path).
    Negative control: without the check of `BuyerPolicy.account` the lock and lock
    several are held (200) on both paths; without best available's, its block is."""
    event = event_with_seats(rows=1, seats_per_row=6)
    Event.objects.filter(pk=event.pk).update(holds_need_verified_email=True)
    ids = list(event.seats.order_by("id").values_list("id", flat=True))
    unverified, verified = users(2, prefix="mail")
    type(verified).objects.filter(pk=verified.pk).update(email="v@example.org")
    Account.objects.create(
        user=verified, verified_email="V@example.org", email_verified_at=timezone.now()
    )
    as_unverified, as_verified = path.poster(unverified), path.poster(verified)

    for url, body in [
        (f"/api/events/{event.id}/seats/{ids[0]}/lock/", {}),
        (f"/api/events/{event.id}/lock/", {"seat_ids": ids[:2]}),
        (f"/api/events/{event.id}/best/", {"count": 2}),
    ]:
        refused = as_unverified(url, body)
        assert refused.status_code == 403 and code_of(refused) == "email_unverified"
        assert "to hold seats of this event" in refused.json()["error"]
    assert not Seat.objects.filter(event=event).exclude(status="available").exists()
    assert code_of(as_verified(f"/api/events/{event.id}/seats/{ids[0]}/lock/", {})) == "ok"
    assert code_of(as_verified(f"/api/events/{event.id}/best/", {"count": 2})) == "ok"
    # The switch off: anyone holds again.
    Event.objects.filter(pk=event.pk).update(holds_need_verified_email=False)
    assert code_of(as_unverified(f"/api/events/{event.id}/seats/{ids[5]}/lock/", {})) == "ok"
