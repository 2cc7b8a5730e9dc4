"""The login doors: ``POST /api/register/``, ``/api/login/``, ``/api/token/``,
``/api/token/cookie/`` and the admin's login form, each wrapped in ``login_door`` (the URL
confs).

Three limits, none of which lets a stranger lock an account:

* **Failures per address** (``AUTH_THROTTLE_RATE``, an IPv6 client by its /64): one host
  guessing at full speed is refused for the rest of the window once it has failed that often;
  it can only refuse itself, and the logins that succeed there (a school's or a venue's shared
  address) count for nothing. Registration counts every attempt instead: an account made is no
  failure, and accounts made in bulk are what it limits. A load-test host
  (``LIMITS_EXEMPT_NETWORKS``) is not counted here, and an account logging in from an address
  it has logged in from before (in the last ``KNOWN_LOGIN_DAYS``) is not refused by it.
* **Failed logins per (username, address)** (``AUTH_USERNAME_THROTTLE_RATE``): failures
  count, not attempts, and only from where they came. From the ``LOGIN_SLOWDOWN_AFTER``-th
  failure on, the next attempt of that name from that address waits 1, 2, 4 ... seconds (at
  most ``LOGIN_SLOWDOWN_MAX_SECONDS``; the 401 says how long in ``Retry-After``); past the rate,
  it is refused for the rest of the window. The same name from anywhere else is untouched, so
  ten wrong passwords for ``alice`` (or the superuser) from one address leave her own login,
  from her own, as it was. Counted with Django's ``user_login_failed`` signal, which every
  path that checks a password sends (``authenticate``).
* **Password hashing at once** (``PASSWORD_HASH_CONCURRENCY`` per process): a hash costs
  ~0.5 s of CPU (PBKDF2, unknown names too), and request threads are few. A door waits for a
  slot at most ``SLOT_WAIT_SECONDS``, one address holding at most half the slots and keeping at
  most ``WAITING_PER_ADDRESS`` attempts waiting, then answers 503 ``login_busy`` with
  ``Retry-After: 1``: a few hosts failing logins at full speed cannot keep others out, and the
  waits are bounded, so logins cannot take every request thread. An account logging in from an
  address it knows goes first: while one waits, a freed slot is its.

And from ``LOGIN_CHALLENGE_AFTER`` failures from an address in the window on, its logins by
accounts new there ask for proof of work first (403 ``challenge_required``, reservations/
challenges.py): each guess of a script there costs it CPU, a person a second once.

Refused before any password is hashed; the API answers in its JSON shape (429 ``throttled``),
the admin form as plain text. The counts are limit_windows.py's (per process when Redis is
gone).
"""

import hashlib
import math
import threading
import time
from collections import Counter
from contextlib import suppress
from functools import wraps

import orjson
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.http import HttpResponse
from django.http.multipartparser import MultiPartParserError
from rest_framework.settings import api_settings

from reservations.challenges import LOGIN, REGISTRATION, challenge_new, challenge_passed
from reservations.client_address import is_exempt, request_address_key, request_client_address
from reservations.exceptions import ChallengeRequired
from reservations.users import username_key

from . import limit_windows
from .errors import error_response, exception_response
from .limit_windows import Rule

# How long an attempt waits for a password-hashing slot, and how many of one address's may wait.
SLOT_WAIT_SECONDS = 2.0
WAITING_PER_ADDRESS = 2
# The request attribute by which a failure tells its door how long the next attempt waits.
_WAIT_ATTRIBUTE = "login_retry_after"
# The request attribute by which a failure tells its door that the attempt failed.
_FAILED_ATTRIBUTE = "login_failed"
# How long an address is known for an account after it logged in there.
KNOWN_LOGIN_DAYS = 180


class _HashingSlots:
    """PASSWORD_HASH_CONCURRENCY slots per process, shared fairly between addresses: one
    address (an IPv6 /64) holds at most half of them and keeps at most WAITING_PER_ADDRESS
    attempts waiting; an attempt waits at most SLOT_WAIT_SECONDS for a slot, then is refused.
    So a few addresses failing logins at full speed slow only themselves, and the wait is
    bounded: logins never hold every request thread. A load-test host (LIMITS_EXEMPT_NETWORKS)
    is not held to a share."""

    def __init__(self):
        self._free = threading.Condition()
        self._taken = 0
        self._held: Counter[str] = Counter()  # slots by address
        self._waiting: Counter[str] = Counter()  # attempts waiting, by address
        self._known_waiting = 0  # attempts from an address their account knows, waiting

    def take(
        self, address: str = "", *, wait: float = 0.0, shared: bool = True, known: bool = False
    ) -> bool:
        deadline = time.monotonic() + wait
        with self._free:
            if self._waiting[address] >= WAITING_PER_ADDRESS:
                return False
            self._waiting[address] += 1
            self._known_waiting += known
            try:
                while not self._may_take(address, shared, known):
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return False
                    self._free.wait(left)
                self._taken += 1
                self._held[address] += 1
                return True
            finally:
                self._known_waiting -= known
                self._waiting[address] -= 1
                if not self._waiting[address]:
                    del self._waiting[address]

    def _may_take(self, address: str, shared: bool, known: bool) -> bool:
        slots = settings.PASSWORD_HASH_CONCURRENCY
        share = max(1, slots // 2) if shared else slots
        first = known or not self._known_waiting  # a known address's attempt goes first
        return first and self._taken < slots and self._held[address] < share

    def give_back(self, address: str = "") -> None:
        with self._free:
            self._taken -= 1
            self._held[address] -= 1
            if self._held[address] <= 0:
                del self._held[address]
            self._free.notify_all()


hashing_slots = _HashingSlots()


def _rule(scope: str, name: str, who: str, now: float) -> Rule | None:
    """The window of limit `name` for `who`, at the rate of DRF's throttle `scope` (None: off)."""
    # Read at each request, so that settings overrides (tests) apply.
    rate = limit_windows.rate_of(api_settings.DEFAULT_THROTTLE_RATES.get(scope))
    return limit_windows.window_rule(name, who, rate, now) if rate else None


def _name_ident(username: str, address: str) -> str:
    # Hashed: a name may hold any character, and keys had better not. Stripped: as the views
    # take it (the serializers' and the admin form's fields trim it).
    return hashlib.sha256(f"{username_key(username.strip())}\n{address}".encode()).hexdigest()


def _slowdown(failures: int) -> int:
    """Seconds the next attempt waits after this many failures (0: none)."""
    beyond = failures - settings.LOGIN_SLOWDOWN_AFTER
    if beyond < 0:
        return 0
    return min(2**beyond, settings.LOGIN_SLOWDOWN_MAX_SECONDS)


def _submitted(request, field: str) -> str | None:
    # The API's doors take JSON (any other body is refused by the view, and not parsed here);
    # the admin's login form posts a form, which the admin parses as we do.
    try:
        if not request.path.startswith("/api/"):
            data = request.POST
        elif request.content_type == "application/json":
            data = orjson.loads(request.body)
        else:
            return None
    except (orjson.JSONDecodeError, MultiPartParserError):
        return None
    value = data.get(field) if hasattr(data, "get") else None
    return value[:4096] if isinstance(value, str) else None


def _known_key(username: str, address: str) -> str:
    return f"login-known:{_name_ident(username, address)}"


def _known(username: str | None, address: str) -> bool:
    """Whether the account of this name logged in from this address before."""
    if not username:
        return False
    try:
        return bool(cache.get(_known_key(username, address)))
    except limit_windows.REDIS_FAILURES:
        return False  # Redis away: nobody is known, and every limit still holds


def _remember_known(username: str, address: str) -> None:
    with suppress(*limit_windows.REDIS_FAILURES):
        cache.set(_known_key(username, address), 1, timeout=KNOWN_LOGIN_DAYS * 86400)


def _wait_before(request, username: str | None, known: bool, every_attempt: bool) -> int:
    """Seconds this attempt must wait before it may be tried (0: go ahead). Registration
    (`every_attempt`) counts the attempt per address; a login only meets the failures counted
    there (login_failed), unless the address is one its account knows."""
    now = time.time()
    address = request_address_key(request)
    # A load-test host's attempts are not counted per address (its hundreds of logins would
    # refuse everyone there, the organiser's admin login included); its failures still are.
    rule = _rule("auth", "auth", address, now)
    if rule is not None and not is_exempt(request_client_address(request)):
        if every_attempt:
            verdict = limit_windows.allowed([rule], now)
            if not verdict.allowed:
                return verdict.wait
        elif not known and (paused := limit_windows.paused_for(f"address:{address}")) > 0:
            return max(1, math.ceil(paused))
    if not username:
        return 0  # nothing to count: the request is refused as invalid anyway
    # A failure past the rate pauses the name for the rest of its window (login_failed).
    paused = limit_windows.paused_for(_name_ident(username, address))
    return max(1, math.ceil(paused)) if paused > 0 else 0


def login_failed(sender, credentials, request=None, **kwargs):
    """``user_login_failed``: count the failure of this name from this address."""
    username = credentials.get("username")
    if request is None or not isinstance(username, str):
        return
    http_request = getattr(request, "_request", request)  # DRF's Request wraps Django's
    setattr(http_request, _FAILED_ATTRIBUTE, True)
    address = request_address_key(http_request)
    now = time.time()
    address_rule = _rule("auth", "auth", address, now)
    if address_rule is not None and not is_exempt(request_client_address(http_request)):
        (failures,) = limit_windows.count([address_rule], now)
        left = limit_windows.seconds_left(address_rule, now)
        if failures >= address_rule.limit:  # the address's next attempts wait out the window
            limit_windows.pause(f"address:{address}", left)
        if failures >= settings.LOGIN_CHALLENGE_AFTER:  # and before that, show proof of work
            limit_windows.pause(f"challenge:{address}", left)
    ident = _name_ident(username, address)
    rule = _rule("auth_username", "login_failures", ident, now)
    if rule is None:
        return
    (failures,) = limit_windows.count([rule], now)
    wait = limit_windows.seconds_left(rule, now) if failures >= rule.limit else _slowdown(failures)
    if wait:
        limit_windows.pause(ident, wait)
        setattr(http_request, _WAIT_ATTRIBUTE, wait)


user_login_failed.connect(login_failed, dispatch_uid="reservations.login_limits")


def _work_shown(request, address: str, door: str) -> bool:
    """Whether this attempt may go on: its address has not failed often (or is a load-test
    host's), or it brings a solved challenge."""
    if is_exempt(request_client_address(request)):
        return True
    if limit_windows.paused_for(f"challenge:{address}") <= 0:
        return True
    return challenge_passed(_submitted(request, "altcha"), door)


def _challenged(request, door: str) -> HttpResponse:
    message = "Many logins failed from your network: your device proves it is no script first."
    if request.path.startswith("/api/"):
        return exception_response(ChallengeRequired(challenge_new(door), message))
    return HttpResponse(  # the admin's form cannot solve it: the site's login can
        f"{message} Log in on the site first, then come back.\n",
        status=403,
        content_type="text/plain; charset=utf-8",
    )


def _refused(request, status: int, code: str, message: str, wait: int) -> HttpResponse:
    headers = {"Retry-After": str(wait)}
    if request.path.startswith("/api/"):
        return error_response(status, code, message, headers=headers)
    return HttpResponse(
        f"{message}\n", status=status, content_type="text/plain; charset=utf-8", headers=headers
    )


def login_door(view, *, every_attempt: bool = False):
    """A view that checks passwords (or makes them: `every_attempt` counts each attempt per
    address, not only failures), behind the three limits."""

    @wraps(view)
    def door(request, *args, **kwargs):
        if request.method != "POST":
            return view(request, *args, **kwargs)
        address = request_address_key(request)
        username = _submitted(request, "username")
        known = _known(username, address)
        wait = _wait_before(request, username, known, every_attempt)
        if wait:
            message = f"Too many login attempts; try again in {wait} seconds."
            return _refused(request, 429, "throttled", message, wait)
        door = REGISTRATION if every_attempt else LOGIN
        if not known and not _work_shown(request, address, door):
            return _challenged(request, door)
        shared = not is_exempt(request_client_address(request))
        if not hashing_slots.take(address, wait=SLOT_WAIT_SECONDS, shared=shared, known=known):
            message = "Too many logins at once; try again in a moment."
            return _refused(request, 503, "login_busy", message, 1)
        try:
            response = view(request, *args, **kwargs)
        finally:
            hashing_slots.give_back(address)
        if wait := getattr(request, _WAIT_ATTRIBUTE, 0):
            response["Retry-After"] = str(wait)
        failed = getattr(request, _FAILED_ATTRIBUTE, False)
        if username and not known and not failed and response.status_code < 400:
            _remember_known(username, address)  # it logged in (or was made) from here
        return response

    return door
