"""Who a live map's socket says it is: the account of an access token, checked as the API
checks a bearer token (signature, expiry, type), without a database read. A socket that says
who it is learns that account's own seats (PROTOCOL.md "Your own seats") and nothing else."""

from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import AccessToken


def account_of_access_token(raw: str) -> int | None:
    """The account id an access token names, or None for anything that is not a good one."""
    try:
        token = AccessToken(raw)
    except TokenError:
        return None
    account = token.get(api_settings.USER_ID_CLAIM)
    try:
        return int(account)
    except (TypeError, ValueError):
        return None
