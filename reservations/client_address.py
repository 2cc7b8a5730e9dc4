"""Who the client is, as far as our own proxies vouch for it: the one rule every limit keys on.

Each proxy of ours appends the address it was called from to ``X-Forwarded-For``; whatever
stands to the left of those entries the client wrote itself. With ``NUM_PROXIES = n`` the
client is the n-th entry from the right; with 0 (no proxy of ours) the header is ignored and
the peer address is the client. Believing the whole header would let one client pose as
millions (issue 12: 60 wrong passwords, each with another header, were never throttled).

The Django path (DRF's throttles), the fast path and the socket side all call these, so a
client counts as the same client on each of them; every per-address limit keys on
``address_key`` of that address (an IPv6 client by its /64).
"""

import functools
import ipaddress

from django.conf import settings


def client_address(*, peer: str | None, forwarded_for: str | None) -> str:
    """The client's address from the peer address and the X-Forwarded-For header (or None)."""
    proxies = settings.NUM_PROXIES
    if proxies <= 0 or not forwarded_for:
        return peer or ""
    entries = [entry.strip() for entry in forwarded_for.split(",")]
    # Fewer entries than proxies: the first proxy's entry is the best there is.
    return entries[-min(proxies, len(entries))] or (peer or "")


def request_client_address(request) -> str:
    """client_address of a Django (or DRF) request."""
    return client_address(
        peer=request.META.get("REMOTE_ADDR"),
        forwarded_for=request.META.get("HTTP_X_FORWARDED_FOR"),
    )


def scope_client_address(scope: dict) -> str:
    """client_address of an ASGI scope (the fast path, the WebSocket consumer)."""
    client = scope.get("client")
    forwarded = [
        value.decode("latin-1")
        for name, value in scope.get("headers", ())
        if name == b"x-forwarded-for"
    ]
    return client_address(
        peer=client[0] if client else None, forwarded_for=", ".join(forwarded) or None
    )


def address_key(address: str) -> str:
    """The bucket an address counts in for every per-address limit (login, booking, anonymous
    reads, sockets): an IPv4 address is its own; an IPv6 address counts as its network of
    ``IPV6_PREFIX_LENGTH`` bits (64), since one subscriber is handed a whole /64 and may
    take a fresh address from it for every request. An IPv4 address written as IPv6
    (``::ffff:a.b.c.d``) is the IPv4 address; anything that is not an address is itself."""
    return _address_key(address, settings.IPV6_PREFIX_LENGTH)


# Every booking call asks (the fast path too): parsed once per address while it is in use.
@functools.lru_cache(maxsize=65536)
def _address_key(address: str, prefix_length: int) -> str:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 4:
        return address
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    host_bits = 128 - prefix_length
    return f"{ipaddress.IPv6Address(int(ip) >> host_bits << host_bits)}/{prefix_length}"


def request_address_key(request) -> str:
    """address_key of a Django (or DRF) request's client."""
    return address_key(request_client_address(request))


@functools.lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(network, strict=False) for network in spec)


def address_in(address: str, networks: list[str] | tuple[str, ...]) -> bool:
    """Whether the address is in one of the networks (CIDR, or single addresses)."""
    parsed = _networks(tuple(networks))
    if not parsed:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in parsed)


def is_exempt(address: str) -> bool:
    """Whether the address is a load-test host's (LIMITS_EXEMPT_NETWORKS): no limit counts it,
    booking, reading or sockets."""
    return address_in(address, settings.LIMITS_EXEMPT_NETWORKS)


def holds_key(address: str) -> str | None:
    """The network a hold is taken from, for the rules of holds per address (rules.py):
    address_key, or None for a load-test host (LIMITS_EXEMPT_NETWORKS), no address, or with
    the rules off (SEAT_ADDRESS_HOLD_LIMIT 0)."""
    if not address or not settings.SEAT_ADDRESS_HOLD_LIMIT or is_exempt(address):
        return None
    return address_key(address)[:64]
