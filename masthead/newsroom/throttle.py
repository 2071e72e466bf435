"""Login throttling: after repeated failures an account, or a client address, must wait.

Limits (settings, with defaults): `MASTHEAD_LOGIN_FAILURES_PER_ACCOUNT` = 5 and
`MASTHEAD_LOGIN_FAILURES_PER_IP` = 20 within `MASTHEAD_LOGIN_WINDOW_SECONDS` = 900. The account
limit stops guessing one password from many addresses; the address limit stops one client
trying many accounts. While throttled the password is not even checked, so a correct guess
cannot be told apart from a wrong one. A successful login clears the account's failures.
The cost, as with any lockout: someone can keep an account locked by failing on purpose;
the window is short and an admin can still reset the password meanwhile.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from masthead.core.clientip import client_ip as core_client_ip

from .models import LoginFailure


def _limits() -> tuple[int, int, int]:
    return (
        getattr(settings, "MASTHEAD_LOGIN_FAILURES_PER_ACCOUNT", 5),
        getattr(settings, "MASTHEAD_LOGIN_FAILURES_PER_IP", 20),
        getattr(settings, "MASTHEAD_LOGIN_WINDOW_SECONDS", 900),
    )


def _key(username: str) -> str:
    return (username or "").strip().lower()[:150]


def is_throttled(username: str, ip: str | None) -> bool:
    per_account, per_ip, window = _limits()
    since = timezone.now() - dt.timedelta(seconds=window)
    recent = LoginFailure.objects.filter(created_at__gte=since)
    if _key(username) and recent.filter(username=_key(username)).count() >= per_account:
        return True
    return bool(ip) and recent.filter(ip_address=ip).count() >= per_ip


def record_failure(username: str, ip: str | None) -> None:
    _, _, window = _limits()
    now = timezone.now()
    LoginFailure.objects.create(username=_key(username), ip_address=ip or None, created_at=now)
    # Old rows are useless; pruning here keeps the table small without a separate job.
    LoginFailure.objects.filter(created_at__lt=now - dt.timedelta(seconds=window)).delete()


def clear(username: str) -> None:
    LoginFailure.objects.filter(username=_key(username)).delete()


def client_ip(request) -> str | None:
    """The client's address, behind trusted proxies too (masthead.core.clientip)."""
    return core_client_ip(request)
