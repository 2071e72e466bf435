"""Login throttling: after repeated failures an account, or a client address, must wait.

Limits (settings, with defaults): `MASTHEAD_LOGIN_FAILURES_PER_ACCOUNT` = 5 and
`MASTHEAD_LOGIN_FAILURES_PER_IP` = 20 within `MASTHEAD_LOGIN_WINDOW_SECONDS` = 900. The account
limit stops guessing one password from many addresses; the address limit stops one client
trying many accounts. While throttled the password is not even checked, so a correct guess
cannot be told apart from a wrong one. A successful login clears the account's failures.
The cost, as with any lockout: someone can keep an account locked by failing on purpose;
the window is short and an admin can still reset the password meanwhile.

Check and count are one step (issue 15): `begin(username, ip)` counts the recent failures and,
if under both limits, records this attempt as a failure *before* the password is checked, all
in one transaction that holds a lock on the account and the address. Concurrent attempts
therefore queue for the slot, and at most `limit` of them ever reach the password check (with
"check, then count after a wrong password", 40 parallel guesses got 12 checks against a
limit of 5). A correct password then takes its attempt back (`succeeded`).
- PostgreSQL: transaction-scoped advisory locks, one per account and per address, taken in a
  fixed order so two attempts cannot deadlock.
- SQLite: every transaction begins IMMEDIATE (masthead/config.py), so it holds the database's
  write lock from its first statement: attempts are serialised by the database itself.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from masthead.core.clientip import client_ip as core_client_ip
from masthead.core.text import clean_text

from .models import LoginFailure


def _limits() -> tuple[int, int, int]:
    return (
        getattr(settings, "MASTHEAD_LOGIN_FAILURES_PER_ACCOUNT", 5),
        getattr(settings, "MASTHEAD_LOGIN_FAILURES_PER_IP", 20),
        getattr(settings, "MASTHEAD_LOGIN_WINDOW_SECONDS", 900),
    )


def _key(username: str) -> str:
    # Counted before the form validates the name: a NUL (which PostgreSQL's text refuses) or
    # any other character stored text may not hold is dropped here (clean_text).
    return clean_text(username or "").strip().lower()[:150]


def _lock_id(kind: str, value: str) -> int:
    """A signed 64-bit advisory lock number for one account or address."""
    digest = hashlib.blake2b(f"masthead.login.{kind}:{value}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _serialise(username: str, ip: str | None) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite: the IMMEDIATE transaction already holds the write lock
    ids = sorted({_lock_id("user", username)} | ({_lock_id("ip", ip)} if ip else set()))
    with connection.cursor() as cursor:
        for lock in ids:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock])


def _over_limit(username: str, ip: str | None, since) -> bool:
    per_account, per_ip, _ = _limits()
    recent = LoginFailure.objects.filter(created_at__gte=since)
    if username and recent.filter(username=username).count() >= per_account:
        return True
    return bool(ip) and recent.filter(ip_address=ip).count() >= per_ip


@dataclass(frozen=True)
class Attempt:
    """A login attempt allowed through, already counted as a failure (`failure_id`; None
    when the form has no username, so no password will be checked)."""

    failure_id: int | None


def begin(username: str, ip: str | None) -> Attempt | None:
    """Claim one login attempt; None when throttled (then do not check the password)."""
    _, _, window = _limits()
    key = _key(username)
    now = timezone.now()
    with transaction.atomic():
        _serialise(key, ip)
        if _over_limit(key, ip, now - dt.timedelta(seconds=window)):
            return None
        if not key:
            return Attempt(None)
        failure = LoginFailure.objects.create(username=key, ip_address=ip or None,
                                              created_at=now)
    # Old rows are useless; pruning here keeps the table small without a separate job.
    LoginFailure.objects.filter(created_at__lt=now - dt.timedelta(seconds=window)).delete()
    return Attempt(failure.pk)


def succeeded(attempt: Attempt, username: str) -> None:
    """The password was right: the attempt was no failure, and the account starts afresh."""
    if attempt.failure_id is not None:
        LoginFailure.objects.filter(pk=attempt.failure_id).delete()
    clear(username)


def clear(username: str) -> None:
    LoginFailure.objects.filter(username=_key(username)).delete()


def client_ip(request) -> str | None:
    """The client's address, behind trusted proxies too (masthead.core.clientip)."""
    return core_client_ip(request)
