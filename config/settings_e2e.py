"""Settings for the browser tests' server (frontend/e2e/e2e.env): the shipped settings, with the
Python suite's password hasher. The browser tests log in or take a token some seventy times a
run, and the shipped hasher (PBKDF2) cost ~0.5 s of CPU each time (34 of the run's 260 CPU-s);
what they test is the page."""

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
