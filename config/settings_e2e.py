"""The shipped settings with a password hasher that costs nothing: the browser tests' server's
(frontend/e2e/e2e.env), and the base of the Python suite's (settings_test.py). The browser tests
log in or take a token some seventy times a run, and the shipped hasher (PBKDF2) cost ~0.5 s of
CPU each time (34 of the run's 260 CPU-s); what they test is the page."""

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
