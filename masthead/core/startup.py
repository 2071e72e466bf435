"""Refuse to start a server or worker that cannot work, with one line saying why.

`check_can_start()` is called by `masthead serve` and `masthead worker` before they start:
the shared secret (PostgreSQL), the database and Redis answering (masthead/core/health.py),
then each function in `STARTUP_CHECKS`, which apps above core fill in their `ready()` (the key
ring checks that it opens with the secret key or its fallbacks). A server that started anyway
would answer 500s (or, with a per-machine key, refuse its neighbours' sessions) instead.
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from masthead.config import ConfigError, require_shared_secret

from . import health

# Functions raising ConfigError with a one-line reason; appended to by apps' `ready()`.
STARTUP_CHECKS: list = []


def check_can_start() -> None:
    """Raises ConfigError with a one-line reason."""
    from django.db import connections

    require_shared_secret()
    try:
        for check in health.run():
            if not check.ok:
                raise ConfigError(f"{_describe(check.name)} does not answer ({check.detail})")
        for check in STARTUP_CHECKS:
            check()
    finally:
        # The server forks its workers next: none may inherit this process's connection.
        connections.close_all()


def _describe(name: str) -> str:
    if name == "database":
        from django.db import connection

        where = connection.settings_dict.get("HOST") or connection.settings_dict.get("NAME")
        port = connection.settings_dict.get("PORT")
        return f"the database ({where}{':' + str(port) if port else ''})"
    if name.startswith("redis"):
        return f"{name} ({', '.join(_without_password(u) for u in health.redis_urls())})"
    return name


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


def check_port_free(host: str, port: int) -> None:
    """Another server already listening there would silently share its traffic (issue 14)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # SO_REUSEADDR ignores connections in TIME_WAIT, as the server's own bind will; a live
        # listener still makes bind fail.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
