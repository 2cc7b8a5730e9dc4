"""Who a live map's socket says it is: the account of an access token, checked as the API
checks a bearer token (signature, expiry, type), without a database read. A socket that says
who it is learns that account's own seats (PROTOCOL.md "Your own seats") and nothing else."""

from typing import NamedTuple

from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import AccessToken


class TokenIdentity(NamedTuple):
    account: int
    expires_at: float  # a Unix time
    family: str | None  # the login it came from (api/tokens.py): its revocation ends it too


def access_token_account(raw: str) -> TokenIdentity | None:
    """Whose a good access token is, until when, and of which login; None for anything else."""
    try:
        token = AccessToken(raw)
    except TokenError:
        return None
    try:
        family = token.get("fam")
        return TokenIdentity(
            int(token.get(api_settings.USER_ID_CLAIM)),
            float(token["exp"]),
            None if family is None else str(family),
        )
    except (TypeError, ValueError, KeyError):
        return None
