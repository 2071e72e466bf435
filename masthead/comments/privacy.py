"""Commenter email privacy: encryption at rest and a keyed digest for look-ups.

Both keys are derived from the site's secret key with HKDF, each for its own purpose, so the
digest cannot be reversed with a dictionary of addresses by anyone without the secret, and the
ciphertext is useless without it. Normalising (trim, lower-case) before hashing makes the
digest match however the reader typed their address.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


@lru_cache(maxsize=4)
def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        secret.encode("utf-8")
    )


def _fernet() -> Fernet:
    key = _derive(settings.SECRET_KEY, b"masthead comment email encryption v1")
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_email(email: str) -> str:
    email = normalise_email(email)
    if not email:
        return ""
    return _fernet().encrypt(email.encode("utf-8")).decode("ascii")


def decrypt_email(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError):
        return ""


def email_digest(email: str) -> str:
    """Keyed hash of the normalised address ("" for no address)."""
    email = normalise_email(email)
    if not email:
        return ""
    key = _derive(settings.SECRET_KEY, b"masthead comment email digest v1")
    return hmac.new(key, email.encode("utf-8"), hashlib.sha256).hexdigest()
