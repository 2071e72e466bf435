"""What the newsletters app signs: the sign-up form token and the links in its emails.

- The **form token** sits in the sign-up form of cached pages (article, section, /newsletters/),
  so it is the same for every reader of one rendering: it proves "this form came from our site,
  at least 2 s and at most a day ago", nothing about the reader — as the comment form's token
  (docs/decisions/comments-csrf-and-cache.md).
- **Confirmation links** expire (7 days) and carry the subscriber's current nonce, which
  confirming clears: a link works once.
- **Preferences and unsubscribe links** never expire (an old email's link must still work) and
  carry the subscriber's `link_tag` (from when the row was made), so a link dies with an erased
  or re-created subscriber but survives `masthead keys rotate`, which changes every address
  digest (links sent before this tag carried a digest prefix; they still work until a rotation).
"""

from __future__ import annotations

import secrets
import time

from django.conf import settings
from django.core import signing

FORM_SALT = "masthead.newsletters.form"
CONFIRM_SALT = "masthead.newsletters.confirm"
PREFS_SALT = "masthead.newsletters.preferences"
UNSUB_SALT = "masthead.newsletters.unsubscribe"
CONFIRM_LINK_AGE = 7 * 24 * 3600
CLOCK_SKEW = 60


def now() -> float:
    return time.time()


class TokenError(ValueError):
    pass


def issue_form_token() -> str:
    return signing.Signer(salt=FORM_SALT).sign_object(
        {"t": int(now()), "n": secrets.token_urlsafe(9)})


def check_form_token(value: str) -> None:
    try:
        issued = int(signing.Signer(salt=FORM_SALT).unsign_object(value or "")["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise TokenError("This form could not be verified. Please reload the page and try "
                         "again.") from None
    age = now() - issued
    if age < -CLOCK_SKEW:
        raise TokenError("This form could not be verified. Please reload the page.")
    if age < getattr(settings, "MASTHEAD_NEWSLETTERS_MIN_FORM_SECONDS", 2):
        raise TokenError("That was very quick. Please submit the form again.")
    if age > getattr(settings, "MASTHEAD_COMMENTS_MAX_FORM_AGE", 86400):
        raise TokenError("This form has expired. Please submit it again.")


def confirm_token(subscriber_id: int, nonce: str) -> str:
    return signing.dumps({"s": subscriber_id, "n": nonce}, salt=CONFIRM_SALT)


def read_confirm_token(value: str) -> tuple[int, str]:
    try:
        data = signing.loads(value, salt=CONFIRM_SALT, max_age=CONFIRM_LINK_AGE)
        return int(data["s"]), str(data["n"])
    except signing.SignatureExpired:
        raise TokenError("This confirmation link has expired. Please sign up again to get a "
                         "new one.") from None
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise TokenError("This confirmation link is not valid.") from None


def link_tag(subscriber) -> str:
    """What ties a personal link to this subscriber row: its creation time, in microseconds.
    Not the address digest, which changes with every key rotation. (An editor's test copy is
    an unsaved row: its links lead nowhere.)"""
    if subscriber.created_at is None:
        return "0"
    return f"{int(subscriber.created_at.timestamp() * 1_000_000):x}"


def tag_matches(subscriber, tag: str) -> bool:
    return tag in (link_tag(subscriber), subscriber.email_digest[:12])


def _personal(salt: str, subscriber_id: int, tag: str, newsletter_id: int = 0) -> str:
    return signing.Signer(salt=salt).sign(f"{subscriber_id}.{newsletter_id}.{tag}")


def _read_personal(salt: str, value: str) -> tuple[int, int, str]:
    try:
        raw = signing.Signer(salt=salt).unsign(value or "")
        sid, nid, digest = raw.split(".")
        return int(sid), int(nid), digest
    except (signing.BadSignature, ValueError):
        raise TokenError("This link is not valid.") from None


def preferences_token(subscriber) -> str:
    return _personal(PREFS_SALT, subscriber.pk, link_tag(subscriber))


def read_preferences_token(value: str) -> tuple[int, str]:
    sid, _, digest = _read_personal(PREFS_SALT, value)
    return sid, digest


def unsubscribe_token(subscriber, newsletter_id: int) -> str:
    return _personal(UNSUB_SALT, subscriber.pk, link_tag(subscriber), newsletter_id)


def read_unsubscribe_token(value: str) -> tuple[int, int, str]:
    return _read_personal(UNSUB_SALT, value)
