"""POST a webhook without being turned against the network we run in (SSRF defence).

The host is resolved once, *every* address it resolves to is checked (a name with one public
and one private address is refused, which also defeats DNS answers that differ between check
and use), and the connection is made to the checked address itself, with the original name in
`Host` and in TLS (SNI and certificate check). Refused: loopback, private, link-local (cloud
metadata at 169.254.169.254), shared, reserved, multicast and unspecified ranges, IPv4 mapped
into IPv6 included — unless MASTHEAD_WEBHOOKS_ALLOW_PRIVATE. `http.client` follows no
redirect: a 3xx is a failed attempt like any other non-2xx.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

MAX_RESPONSE_BYTES = 64 * 1024


class Refused(ValueError):
    """The URL may not be used as a webhook target (message says why)."""


class DeliveryError(Exception):
    """The attempt failed before an HTTP status came back."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        name = f"[{self.host}]" if ":" in self.host else self.host
        return name if self.port == default else f"{name}:{self.port}"


def parse(url: str) -> Target:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Refused("The URL is not valid.") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused("A webhook URL starts with http:// or https:// and names a host.")
    if parts.username or parts.password:
        raise Refused("A webhook URL may not carry a user name or password.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80),
                  path)


def _forbidden(address: ipaddress._BaseAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def resolve(target: Target) -> str:
    """The address to connect to, after checking every address the host has."""
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Refused(f"The host {target.host!r} does not resolve.") from exc
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise Refused(f"The host {target.host!r} has no address.")
    if not settings.MASTHEAD_WEBHOOKS_ALLOW_PRIVATE:
        for text in addresses:
            if _forbidden(ipaddress.ip_address(text.split("%", 1)[0])):
                raise Refused(f"{target.host} resolves to {text}, a private or reserved "
                              "address; webhooks go to the public internet only.")
    return addresses[0]


def check(url: str) -> Target:
    target = parse(url)
    resolve(target)
    return target


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to a fixed address, verifying the certificate for the URL's host name."""

    def __init__(self, address: str, hostname: str, port: int, timeout: float):
        super().__init__(address, port, timeout=timeout, context=ssl.create_default_context())
        self._hostname = hostname

    def connect(self):
        sock = socket.create_connection((self.host, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self._hostname)


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int, int]:
    """(status code, milliseconds). Raises Refused or DeliveryError."""
    target = parse(url)
    address = resolve(target)
    if target.scheme == "https":
        connection = _PinnedHTTPS(address, target.host, target.port, timeout)
    else:
        connection = http.client.HTTPConnection(address, target.port, timeout=timeout)
    started = time.monotonic()
    try:
        connection.request("POST", target.path, body=body, headers={
            **headers, "Host": target.host_header, "Content-Type": "application/json",
            "User-Agent": "Masthead-Webhooks/1"})
        response = connection.getresponse()
        response.read(MAX_RESPONSE_BYTES)
        return response.status, int((time.monotonic() - started) * 1000)
    except (OSError, http.client.HTTPException) as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}"[:300]) from exc
    finally:
        connection.close()
