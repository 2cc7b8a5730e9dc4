"""Settings for the browser tests' server (frontend/e2e/e2e.env): the shipped settings, with the
Python suite's password hasher. The browser tests log in or take a token some hundred times a
run, and the shipped hasher (PBKDF2) costs ~0.5 s of CPU each time; what they test is the page."""

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
