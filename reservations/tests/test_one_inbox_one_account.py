"""One verified address, one active account (API.md "E-mail verification"): however many
accounts register with one inbox, its links verify one of them; the others' are refused 409
`email_taken`, also when two are read at the same instant. An address is compared whole and
case-insensitively; it is free again once the account that has it changes address or ends."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from reservations.accounts.email_verification import email_change, verification_token
from reservations.accounts.models import Account
from reservations.users import user_create, user_deactivate

from .factories import PASSWORD
from .races import run_together

pytestmark = pytest.mark.django_db


def registered(username: str, email: str):
    return user_create(username=username, password=PASSWORD, email=email)


def verify(user):
    return APIClient().post(
        "/api/verify-email/", {"token": verification_token(user)}, format="json"
    )


def verified_accounts(address: str) -> list[str]:
    return sorted(
        Account.objects.filter(
            verified_email__iexact=address, email_verified_at__isnull=False
        ).values_list("user__username", flat=True)
    )


def test_three_accounts_of_one_inbox_verify_once():
    accounts = [registered(name, "scalper@example.org") for name in ("one", "two", "three")]
    assert verify(accounts[0]).status_code == 200
    for other in accounts[1:]:
        refused = verify(other)
        assert refused.status_code == 409
        assert refused.json()["code"] == "email_taken"
    assert verified_accounts("scalper@example.org") == ["one"]
    assert verify(accounts[0]).status_code == 200  # its own link, read again, still verifies


def test_an_address_is_compared_whole_and_regardless_of_case():
    first = registered("first", "Jan.Doe@Example.org")
    assert verify(first).status_code == 200
    assert verify(registered("shouting", "JAN.DOE@EXAMPLE.ORG")).json()["code"] == "email_taken"
    assert verify(registered("tagged", "jan.doe+tickets@example.org")).status_code == 200


@pytest.mark.parametrize("ends", ["changes its address", "is deactivated"])
def test_the_address_is_free_once_the_account_that_had_it_lets_it_go(ends):
    first, second = registered("first", "jan@example.org"), registered("second", "jan@example.org")
    assert verify(first).status_code == 200
    assert verify(second).json()["code"] == "email_taken"
    if ends == "changes its address":
        email_change(user=first, email="jan@elsewhere.example")
    else:
        user_deactivate(user=first)
    assert verify(second).status_code == 200
    assert verified_accounts("jan@example.org") == ["second"]


@pytest.mark.django_db(transaction=True)
def test_two_links_of_one_address_read_at_the_same_instant_verify_one_account():
    accounts = [registered(f"racer{n}", "twin@example.org") for n in range(2)]
    answers = run_together([lambda user=user: verify(user) for user in accounts])
    codes = sorted(
        answer.json()["code"] if answer.status_code != 200 else "ok" for answer in answers
    )
    assert codes == ["email_taken", "ok"]
    assert len(verified_accounts("twin@example.org")) == 1


def test_the_migration_leaves_each_address_verified_on_the_account_that_verified_it_first():
    """Migration 0031 on a database of before: an address verified on several accounts stays
    with the first, one the account no longer has (or an inactive account's) is forgotten; the
    index then holds."""
    from importlib import import_module

    from django.apps import apps
    from django.db import connection
    from django.utils import timezone

    migration = import_module("reservations.migrations.0031_accounts")
    (index,) = [op.constraint for op in migration.Migration.operations if hasattr(op, "constraint")]
    with connection.schema_editor() as editor:  # as it was before: no index (rolled back after)
        editor.remove_constraint(Account, index)
    now = timezone.now()
    for name, email, verified, minutes in [
        ("first", "jan@example.org", "jan@example.org", 1),
        ("later", "JAN@example.org", "JAN@example.org", 2),
        ("moved", "jan@elsewhere.example", "jan@example.org", 0),
        ("gone", "gone@example.org", "gone@example.org", 0),
    ]:
        user = registered(name, email)
        Account.objects.filter(pk=user.pk).update(
            verified_email=verified, email_verified_at=now + timezone.timedelta(minutes=minutes)
        )
    get_user_model().objects.filter(username="gone").update(is_active=False)

    with connection.schema_editor() as editor:
        migration.one_account_per_verified_address(apps, editor)
        editor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as between a migration's statements
        editor.add_constraint(Account, index)
    verified = Account.objects.filter(email_verified_at__isnull=False)
    assert list(verified.values_list("user__username", "verified_email")) == [
        ("first", "jan@example.org")
    ]
