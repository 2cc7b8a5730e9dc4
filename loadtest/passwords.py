"""`python -m loadtest passwords --users FILE`: give the load users a password to log in with.

`manage.py create_load_users` makes token-only users (nobody can log in with a password), which
is all `--auth bearer` needs. `--auth client` and `--auth session` log in as the shipped client
and a browser do, with a password: this sets one password for every user of FILE, in the
database of DATABASE_URL (Django's settings, as `manage.py` reads them), and writes it into
FILE as each user's `password`. One hash is made and stored for all of them, so this takes a
second, not one password hash per user.
"""

import argparse
import os
import secrets
import sys
from pathlib import Path

import orjson


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--users", required=True, help="the JSON file of create_load_users")
    p.add_argument("--password", help="the password (default: a random one)")


def main(args: argparse.Namespace) -> int:
    path = Path(args.users)
    users = orjson.loads(path.read_bytes())
    password = args.password or secrets.token_urlsafe(16)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    names = [u["username"] for u in users]
    updated = (
        get_user_model().objects.filter(username__in=names).update(password=make_password(password))
    )
    if updated != len(names):
        sys.stderr.write(f"{len(names) - updated} of the file's users are not in the database\n")
        return 1
    for u in users:
        u["password"] = password
    path.write_bytes(orjson.dumps(users))
    sys.stderr.write(f"{updated} users of {path} can log in with the password in the file\n")
    return 0
