"""The ring's cryptography as pure functions: no database, no settings.

A version's 32-byte random root key is never used directly: HKDF derives one key per purpose
(Fernet encryption, HMAC-SHA256 digest), so a digest key reveals nothing about the encryption
key. Roots are stored wrapped with Fernet under a key derived from the site's secret key;
unwrapping tries the current secret first and then each fallback, so the ring still opens
after the secret key changes, until `masthead keys rotate` re-wraps it.

Ciphertexts are `k<version>:<Fernet token>`. Values written before the ring existed are bare
Fernet tokens under a key derived from the secret key itself (`legacy_decrypt`); they are
read, and re-encrypted by the comments migration and by every rotation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

WRAP_INFO = b"masthead keyring wrap v1"
ENCRYPT_INFO = b"masthead keyring encryption v1"
DIGEST_INFO = b"masthead keyring digest v1"
# The scheme before the ring (masthead/comments/privacy.py until issue 14).
LEGACY_ENCRYPT_INFO = b"masthead comment email encryption v1"
LEGACY_DIGEST_INFO = b"masthead comment email digest v1"


class RingLocked(Exception):
    """The stored keys open with neither the secret key nor any fallback."""


@lru_cache(maxsize=64)
def derive(material: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(material)


def _fernet(key: bytes) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(key))


def _wrappers(secrets: list[str]) -> MultiFernet:
    return MultiFernet([_fernet(derive(s.encode("utf-8"), WRAP_INFO)) for s in secrets])


def new_root() -> bytes:
    return os.urandom(32)


def wrap(root: bytes, secret: str) -> str:
    return _wrappers([secret]).encrypt(root).decode("ascii")


@lru_cache(maxsize=64)
def unwrap(wrapped: str, secrets: tuple[str, ...]) -> bytes:
    """The root key; `secrets` is the current key first, then the fallbacks."""
    try:
        return _wrappers(list(secrets)).decrypt(wrapped.encode("ascii"))
    except (InvalidToken, ValueError):
        raise RingLocked(
            "the key ring does not open with MASTHEAD_SECRET_KEY or any of "
            "MASTHEAD_SECRET_KEY_FALLBACKS (was the secret key changed without keeping the old "
            "one as a fallback?)"
        ) from None


def encrypt(root: bytes, version: int, text: str) -> str:
    token = _fernet(derive(root, ENCRYPT_INFO)).encrypt(text.encode("utf-8"))
    return f"k{version}:{token.decode('ascii')}"


def version_of(token: str) -> int | None:
    """The key version a ciphertext names; None for a value from before the ring."""
    head, sep, _ = token.partition(":")
    if sep and head[:1] == "k" and head[1:].isdigit():
        return int(head[1:])
    return None


def decrypt(root: bytes, token: str) -> str:
    """Raises InvalidToken when the token was not made with this root."""
    body = token.partition(":")[2]
    return _fernet(derive(root, ENCRYPT_INFO)).decrypt(body.encode("ascii")).decode("utf-8")


def digest(root: bytes, text: str) -> str:
    return hmac.new(derive(root, DIGEST_INFO), text.encode("utf-8"), hashlib.sha256).hexdigest()


def legacy_decrypt(token: str, secrets: tuple[str, ...]) -> str | None:
    for secret in secrets:
        key = derive(secret.encode("utf-8"), LEGACY_ENCRYPT_INFO)
        try:
            return _fernet(key).decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, ValueError):
            continue
    return None
