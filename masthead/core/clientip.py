"""The reader's address: the one function every per-client limit and record uses.

Behind a load balancer or nginx the socket address is the proxy's, so per-IP limits would
count every reader as one (issue 14: 10 readers through nginx, 5 comments refused). The proxy
appends the address it saw to `X-Forwarded-For`; anyone can send that header, so it is read
only when the request came from a proxy in `MASTHEAD_TRUSTED_PROXIES`, and then from the right:
each trusted hop is skipped, and the first address a trusted proxy did not vouch for is the
client (the leftmost entries are whatever the client chose to send).
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1:value.index("]")]
    elif value.count(":") == 1:  # "192.0.2.1:443"
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket: one address, one limit.
    return getattr(address, "ipv4_mapped", None) or address


def _trusted(address, networks) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_ip(request) -> str | None:
    """The client's address as text, or None when the socket gives none that parses."""
    peer = _parse(request.META.get("REMOTE_ADDR", ""))
    networks = getattr(settings, "MASTHEAD_TRUSTED_PROXIES", ())
    if peer is None or not networks or not _trusted(peer, networks):
        return str(peer) if peer else None
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    client = peer
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            # A hop a trusted proxy wrote cannot be garbage; this one came from further left,
            # so the last trusted proxy's peer (already in `client`) is the best we know.
            break
        client = address
        if not _trusted(address, networks):
            break
    return str(client)
