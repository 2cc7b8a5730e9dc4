"""Who a live map's socket says it is: the account of an access token, checked as the API
checks a bearer token (signature, expiry, type), without a database read. A socket that says
who it is learns that account's own seats (PROTOCOL.md "Your own seats") and nothing else."""

from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import AccessToken


def access_token_account(raw: str) -> tuple[int, float] | None:
    """(account id, expiry as a Unix time) of a good access token; None for anything else."""
    try:
        token = AccessToken(raw)
    except TokenError:
        return None
    try:
        return int(token.get(api_settings.USER_ID_CLAIM)), float(token["exp"])
    except (TypeError, ValueError, KeyError):
        return None
