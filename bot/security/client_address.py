"""Who is on the other end of a request, as a pseudonymous key for limits and lock-outs.

The address is Sanic's: ``request.remote_addr`` when the app trusts a proxy's forwarding headers
(``SANIC_FORWARDED_SECRET`` or ``SANIC_PROXIES_COUNT``), else the socket's peer. Behind a proxy
that is not configured so, every request seems to come from the proxy: configure it (README,
Security). A client is keyed by its IPv4 address, or by its IPv6 /64 (one subscriber line holds a
whole /64, so single IPv6 addresses cost an attacker nothing). The key is an HMAC of that, so
neither Redis, the tracker store nor the lock-out tables keep anyone's address.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from sanic.request import Request

IPV6_PREFIX = 64


def client_address(request: Request) -> str:
    return str(request.remote_addr or request.ip or "unknown")


def _network(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address  # not an address (a unix socket, "unknown"): keyed as it is
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/{IPV6_PREFIX}", strict=False))
    return str(ip)


def client_key(address: str, secret: str) -> str:
    """32 hex characters standing for the client at `address` (same key on every instance
    that shares `secret`)."""
    message = f"client:{_network(address)}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]
