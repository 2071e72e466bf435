"""Everything the comments app signs with the secret key: form tokens, links and cookies.

- The **form token** (`issue_form_token` / `check_form_token`) is rendered into the comment
  form of the article page. It carries the article id, the time it was issued and a random
  nonce, HMAC-signed. It is the same for every reader of one cached rendering, which is fine:
  it proves "this form came from our page, at least 3 s and at most a day ago", nothing about
  the reader (docs/decisions/comments-csrf-and-cache.md).
- The **submission key** (`submission_key`) makes a POST idempotent: nonce + article + parent
  + email digest + body, so a double click or a retry stores once, while two readers who got
  the same cached nonce never collide.
- **Signed links** for confirming an address and for one-click unsubscribe.
- **Cookies**: `masthead_commenter` lists the reader's own pending comments (the page cache
  bypasses requests that carry it); `masthead_returning` lists approved comments posted from
  this browser, which is what auto-approval trusts (an email alone is not proof of identity).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.utils.crypto import salted_hmac

FORM_SALT = "masthead.comments.form-token"
CONFIRM_SALT = "masthead.comments.confirm"
UNSUBSCRIBE_SALT = "masthead.comments.unsubscribe"
PENDING_COOKIE = "masthead_commenter"
RETURNING_COOKIE = "masthead_returning"
PENDING_COOKIE_SALT = "masthead.comments.pending"
RETURNING_COOKIE_SALT = "masthead.comments.returning"
PENDING_COOKIE_AGE = 7 * 24 * 3600
RETURNING_COOKIE_AGE = 365 * 24 * 3600
CONFIRM_LINK_AGE = 7 * 24 * 3600
COOKIE_MAX_IDS = 20
# A token issued this far in the "future" means clock skew between processes, not an attack.
CLOCK_SKEW = 60


def now() -> float:
    """The clock of the form token (tests replace this, not time.time)."""
    return time.time()


@dataclass(frozen=True)
class FormToken:
    article_id: int
    issued_at: int
    nonce: str


class FormTokenError(ValueError):
    """The form token is missing, forged, for another article, too fresh or too old."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason  # "invalid" | "too_fast" | "expired"


def issue_form_token(article_id: int, issued_at: float | None = None) -> str:
    issued = int(now() if issued_at is None else issued_at)
    return signing.Signer(salt=FORM_SALT).sign_object(
        {"a": int(article_id), "t": issued, "n": secrets.token_urlsafe(12)}
    )


def read_form_token(value: str) -> FormToken | None:
    try:
        data = signing.Signer(salt=FORM_SALT).unsign_object(value or "")
        return FormToken(int(data["a"]), int(data["t"]), str(data["n"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def check_form_token(value: str, article_id: int) -> FormToken:
    token = read_form_token(value)
    if token is None or token.article_id != int(article_id):
        raise FormTokenError(
            "This form could not be verified. Please reload the page and try again.", "invalid"
        )
    age = now() - token.issued_at
    min_age = getattr(settings, "MASTHEAD_COMMENTS_MIN_FORM_SECONDS", 3)
    max_age = getattr(settings, "MASTHEAD_COMMENTS_MAX_FORM_AGE", 86400)
    if age < -CLOCK_SKEW:
        raise FormTokenError("This form could not be verified. Please reload the page.",
                             "invalid")
    if age < min_age:
        raise FormTokenError(
            "That was very quick. Please check your comment and submit it again.", "too_fast"
        )
    if age > max_age:
        raise FormTokenError(
            "This form has expired. Please submit your comment again.", "expired"
        )
    return token


def submission_key(token: FormToken, parent_id: int | None, email_digest: str, body: str) -> str:
    normalised = " ".join(body.split())
    material = "\x1f".join(
        [token.nonce, str(token.article_id), str(parent_id or 0), email_digest, normalised]
    )
    return hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()


# Signed links ---------------------------------------------------------------------------------

def address_check(email: str, secret: str | None = None) -> str:
    """A short keyed hash of the (normalised) address a confirmation link was mailed to.

    Keyed with the secret key, not the key ring: `masthead keys rotate` re-digests every
    stored address, and a link mailed before a rotation must still confirm after it."""
    return salted_hmac(CONFIRM_SALT, email, secret=secret, algorithm="sha256").hexdigest()[:16]


def address_matches(email: str, check: str) -> bool:
    """`check` made for `email` with the secret key or a fallback (as the link's signature
    itself is accepted under SECRET_KEY_FALLBACKS)."""
    return any(hmac.compare_digest(address_check(email, secret), check)
               for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS])


def confirm_token(comment_id: int, email: str) -> str:
    """The signed link for comment `comment_id`, bound to the address it is mailed to (the
    comment must still carry that address: an erased comment's link confirms nothing)."""
    return signing.dumps({"c": comment_id, "a": address_check(email)}, salt=CONFIRM_SALT)


def read_confirm_token(value: str) -> tuple[int, str, str] | None:
    """(comment id, "address", check) — or (id, "digest", prefix of the address's ring digest)
    for links mailed before rotation-proof links; None for a forged or expired link."""
    try:
        data = signing.loads(value, salt=CONFIRM_SALT, max_age=CONFIRM_LINK_AGE)
        if "a" in data:
            return int(data["c"]), "address", str(data["a"])
        return int(data["c"]), "digest", str(data["d"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def unsubscribe_token(comment_id: int) -> str:
    # No expiry: an unsubscribe link in an old mail must still work (RFC 8058 spirit). It names
    # the subscribed comment, not the address's digest, which `masthead keys rotate` changes.
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(f"c{int(comment_id)}")


def read_unsubscribe_token(value: str) -> tuple[str, str] | None:
    """("comment", id) — or ("digest", hex) for links mailed before issue 14."""
    try:
        signed = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(value or "")
    except signing.BadSignature:
        return None
    if signed[:1] == "c" and signed[1:].isdecimal():
        return "comment", signed[1:]
    return "digest", signed


# Cookies --------------------------------------------------------------------------------------

def _read_ids(request, name: str, salt: str, max_age: int) -> list[int]:
    raw = request.get_signed_cookie(name, default="", salt=salt, max_age=max_age)
    ids = []
    for part in (raw or "").split(","):
        if part.isdecimal():
            ids.append(int(part))
    return ids[-COOKIE_MAX_IDS:]


def pending_ids(request) -> list[int]:
    if request is None or PENDING_COOKIE not in request.COOKIES:
        return []
    return _read_ids(request, PENDING_COOKIE, PENDING_COOKIE_SALT, PENDING_COOKIE_AGE)


def returning_ids(request) -> list[int]:
    if request is None or RETURNING_COOKIE not in request.COOKIES:
        return []
    return _read_ids(request, RETURNING_COOKIE, RETURNING_COOKIE_SALT, RETURNING_COOKIE_AGE)


def _set_ids(response, name: str, salt: str, max_age: int, ids: list[int]) -> None:
    ids = list(dict.fromkeys(ids))[-COOKIE_MAX_IDS:]
    response.set_signed_cookie(
        name, ",".join(str(i) for i in ids), salt=salt, max_age=max_age, path="/",
        secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax",
    )


def remember_pending(request, response, comment_id: int) -> None:
    _set_ids(response, PENDING_COOKIE, PENDING_COOKIE_SALT, PENDING_COOKIE_AGE,
             [*pending_ids(request), comment_id])


def forget_pending(response) -> None:
    response.delete_cookie(PENDING_COOKIE, path="/", samesite="Lax")


def remember_returning(request, response, comment_id: int) -> None:
    _set_ids(response, RETURNING_COOKIE, RETURNING_COOKIE_SALT, RETURNING_COOKIE_AGE,
             [*returning_ids(request), comment_id])
