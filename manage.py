#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import secrets
import sys

HELP = {"-h", "--help", "help"}


def main():
    """Run administrative tasks."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if HELP & set(sys.argv[1:]) and not os.environ.get("SECRET_KEY"):
        # Help signs nothing: a throwaway key lets it load the settings it lists commands from.
        os.environ["SECRET_KEY"] = secrets.token_urlsafe(32)
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        sys.exit(
            f"manage.py: {exc}. Against the demo's database (make run) say DEBUG=1 before the"
            " command, as the README's commands do."
        )


if __name__ == "__main__":
    main()
