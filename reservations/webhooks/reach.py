"""Where a webhook may go, and how long an attempt may take (docs/LEDGER.md "Webhooks").

A receiver is on the public internet: a name that resolves to a loopback, private, link-local,
CGNAT, multicast, unspecified or IPv6 unique-local address (this machine, compose's Redis and
PostgreSQL, a cloud's metadata service) is refused, unless the operator names it in
WEBHOOK_ALLOWED_HOSTS. It is checked when an endpoint is saved (the admin) and again at every
connect, against the very address then connected to: a second DNS answer cannot slip in
between the check and the connect.

Every attempt has one deadline (WEBHOOK_TIMEOUT_SECONDS) for all of it, from the connect to the
last byte read: each network operation may take only what is left of it, so a receiver
that drips its answer a byte at a time is cut off at the deadline, not kept for an hour. (The
DNS lookup is the system resolver's, bounded by its own timeouts.)
"""

import ipaddress
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from urllib.parse import urlsplit

import httpcore
from django.conf import settings

# The monotonic time the attempt on this thread must end by (none: no attempt).
_deadline: ContextVar[float | None] = ContextVar("webhook_deadline", default=None)


class Unreachable(httpcore.ConnectError):
    """A destination a webhook may not go to, in words for the organiser (to httpcore, a
    connection that failed)."""


class Unresolved(Unreachable):
    """A name with no address (yet): nothing to send to, and nothing inside either."""


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.partition("%")[0])  # fe80::1%eth0: its scope aside
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    # is_global is False for loopback, private, link-local, CGNAT, unspecified and unique-local
    # space, but True for much of multicast.
    return ip.is_global and not ip.is_multicast


def _named_internal(host: str) -> bool:
    return host.lower().rstrip(".") in {
        name.lower().rstrip(".") for name in settings.WEBHOOK_ALLOWED_HOSTS
    }


def addresses(host: str, port: int) -> list[str]:
    """The addresses `host` resolves to, each one a webhook may go to; else Unreachable."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise Unresolved(f"{host} does not resolve.") from exc
    resolved = list(dict.fromkeys(sockaddr[0] for *_, sockaddr in found))
    if not _named_internal(host):
        for address in resolved:
            if not is_public(address):
                raise Unreachable(
                    f"{host} resolves to {address}, which is not on the public internet: a "
                    "receiver inside needs its name in WEBHOOK_ALLOWED_HOSTS."
                )
    return resolved


def destination_problem(url: str) -> str | None:
    """What keeps a webhook from going to `url`, if anything (the admin, at save). A name
    that does not resolve yet is taken: each connect checks it again."""
    parts = urlsplit(url)
    try:
        addresses(parts.hostname or "", parts.port or _PORTS[parts.scheme])
    except Unresolved:
        return None
    except Unreachable as exc:
        return str(exc)
    return None


_PORTS = {"http": 80, "https": 443}


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """The network operations of the attempt within, on this thread, end `seconds` from now."""
    token = _deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def _left(timeout: float | None, expired: type[httpcore.TimeoutException]) -> float | None:
    end = _deadline.get()
    if end is None:
        return timeout
    left = end - time.monotonic()
    if left <= 0:
        raise expired("the attempt's deadline has passed")
    return left if timeout is None else min(timeout, left)


class _WithinDeadline(httpcore.NetworkStream):
    """A connection whose every read, write and TLS handshake ends by the attempt's deadline
    (a pooled connection serves attempts one after another: each is held to its own)."""

    def __init__(self, stream: httpcore.NetworkStream):
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None) -> "_WithinDeadline":
        left = _left(timeout, httpcore.ConnectTimeout)
        return _WithinDeadline(self._stream.start_tls(ssl_context, server_hostname, left))

    def get_extra_info(self, info: str):
        return self._stream.get_extra_info(info)


class PublicOnly(httpcore.SyncBackend):
    """Connects only to an address `addresses` allows, by that address (TLS still checks the
    certificate against the name), and holds the connection to the attempt's deadline."""

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        allowed = addresses(host, port)
        failure = httpcore.ConnectError(f"{host} has no address")
        for address in allowed:
            left = _left(timeout, httpcore.ConnectTimeout)
            try:
                stream = super().connect_tcp(address, port, left, local_address, socket_options)
            except httpcore.ConnectError as exc:
                failure = exc
                continue
            return _WithinDeadline(stream)
        raise failure
