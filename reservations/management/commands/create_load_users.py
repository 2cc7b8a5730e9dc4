"""Users with bearer tokens for the load tester's clickers, made without the throttled
register endpoint: ``create_load_users --count 1000 --output users.json``. Their e-mail is
verified without a link (NAME@example.invalid), so they may join waiting rooms."""

import json
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rest_framework_simplejwt.tokens import RefreshToken

from reservations.accounts.email_verification import accounts_verified_without_link


class Command(BaseCommand):
    help = (
        "Create COUNT users named PREFIX-0..PREFIX-(COUNT-1) (existing ones are reused) and "
        "write JSON [{id, username, access, refresh}] to --output (default: stdout). Their e-mail "
        "counts as verified (NAME@example.invalid, no link sent), so they may join waiting "
        "rooms."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument("--prefix", default="load")
        parser.add_argument("--output", default="-", help="a file path, or - for stdout")

    @transaction.atomic  # a file it cannot write makes nobody
    def handle(self, *args, **options):
        count, prefix = options["count"], options["prefix"]
        if count < 1:
            raise CommandError("--count must be at least 1")
        User = get_user_model()
        longest = User._meta.get_field("username").max_length - len(f"-{count - 1}")
        if len(prefix) > longest:
            raise CommandError(f"--prefix must be at most {longest} characters for {count} users")
        names = [f"{prefix}-{i}" for i in range(count)]
        unusable = make_password(None)  # token-only users: nobody can log in with a password
        User.objects.bulk_create(
            [User(username=name, password=unusable) for name in names],
            ignore_conflicts=True,
            batch_size=1000,
        )
        users = {u.username: u for u in User.objects.filter(username__in=names)}
        accounts_verified_without_link(user_ids=[user.pk for user in users.values()])
        rows = []
        for name in names:
            refresh = RefreshToken.for_user(users[name])
            rows.append(
                {
                    "id": users[name].pk,
                    "username": name,
                    "access": str(refresh.access_token),
                    "refresh": str(refresh),
                }
            )
        text = json.dumps(rows)
        if options["output"] == "-":
            sys.stdout.write(text + "\n")
        else:  # live tokens: under an ignored folder (loadtest-results/), made if need be
            output = Path(options["output"])
            try:
                output.parent.mkdir(parents=True, exist_ok=True)
                output.write_text(text)
            except OSError as exc:
                raise CommandError(f"cannot write {output}: {exc.strerror}") from exc
            self.stderr.write(f"Wrote {len(rows)} users with tokens to {options['output']}.")
