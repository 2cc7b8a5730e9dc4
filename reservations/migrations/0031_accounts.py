from django.db import migrations, models
from django.db.models import F, Q
from django.db.models.functions import Lower


def one_account_per_verified_address(apps, schema_editor):
    """Before the index: an address verified on an account that has another address now, or is
    inactive, is forgotten; of those left, the account that verified an address first keeps
    it, the others are unverified (their owners read a new link, refused while it is taken)."""
    Account = apps.get_model("reservations", "Account")
    verified = Account.objects.filter(email_verified_at__isnull=False)
    stale = verified.exclude(user__is_active=True, user__email__iexact=F("verified_email"))
    stale.update(verified_email="", email_verified_at=None)
    kept = set()
    for pk, address in verified.order_by("email_verified_at", "pk").values_list(
        "pk", Lower("verified_email")
    ):
        if address in kept:
            Account.objects.filter(pk=pk).update(verified_email="", email_verified_at=None)
        kept.add(address)


class Migration(migrations.Migration):
    dependencies = [
        ("reservations", "0030_money"),
    ]

    operations = [
        migrations.RunPython(one_account_per_verified_address, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="account",
            constraint=models.UniqueConstraint(
                Lower("verified_email"),
                condition=Q(email_verified_at__isnull=False),
                name="account_one_verified_email",
            ),
        ),
    ]
