"""The ring as the rest of Masthead uses it: `encrypt`, `decrypt`, `digest`, `load`.

Encryption and digests read the keys from the database on each call (one small query), never
keeping them for the life of a process: another server may rotate the ring at any moment, and a
value encrypted with a key it has since retired would be written under a key on its way out.
What is cached is the unwrapping of a given stored key (crypto.unwrap), and for decryption the
roots by version, which can never change (so an export of many addresses costs no query each).
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.db import IntegrityError, transaction

from . import crypto
from .crypto import RingLocked

__all__ = ["Ring", "RingLocked", "decrypt", "digest", "encrypt", "load", "secrets"]


def secrets() -> tuple[str, ...]:
    """The secret key, then its fallbacks: what can open the ring."""
    return (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ()))


@dataclass(frozen=True)
class Ring:
    """The unwrapped keys, current (highest) version first."""

    roots: dict[int, bytes]

    @property
    def current(self) -> int:
        return max(self.roots)

    def encrypt(self, text: str) -> str:
        return crypto.encrypt(self.roots[self.current], self.current, text) if text else ""

    def digest(self, text: str) -> str:
        return crypto.digest(self.roots[self.current], text) if text else ""

    def decrypt(self, token: str) -> str | None:
        """The text, or None when no key of the ring (nor the secret key, for values from
        before the ring) opens it."""
        if not token:
            return ""
        version = crypto.version_of(token)
        if version is None:
            return crypto.legacy_decrypt(token, secrets())
        root = self.roots.get(version)
        if root is None:
            return None
        try:
            return crypto.decrypt(root, token)
        except (InvalidToken, ValueError):
            return None

    def is_current(self, token: str) -> bool:
        return crypto.version_of(token) == self.current


def load(data_key_model=None, *, create: bool = True) -> Ring:
    """Every key of the ring, unwrapped; the first key is made when there is none.

    `data_key_model` lets a migration pass its historical model. Raises RingLocked when the
    stored keys do not open with the secret key or its fallbacks.
    """
    if data_key_model is None:
        from .models import DataKey as data_key_model
    rows = list(data_key_model.objects.values_list("version", "wrapped"))
    if not rows and create:
        root = crypto.new_root()
        try:
            # A savepoint: two servers creating the first key at once must not break the
            # caller's transaction; the loser reads the winner's key.
            with transaction.atomic():
                data_key_model.objects.create(version=1, wrapped=crypto.wrap(root, secrets()[0]))
        except IntegrityError:
            pass
        rows = list(data_key_model.objects.values_list("version", "wrapped"))
    if not rows:
        raise RingLocked("the key ring is empty")
    return Ring({version: crypto.unwrap(wrapped, secrets()) for version, wrapped in rows})


def check_opens() -> None:
    """For `masthead serve`: refuse to start when the stored keys do not open (ConfigError)."""
    from django.db import DatabaseError

    from masthead.config import ConfigError

    from .models import DataKey

    try:
        for wrapped in DataKey.objects.values_list("wrapped", flat=True):
            crypto.unwrap(wrapped, secrets())
    except RingLocked as exc:
        raise ConfigError(str(exc)) from None
    except DatabaseError:
        pass  # not migrated yet: nothing is encrypted, and `migrate` comes next


def encrypt(text: str) -> str:
    return load().encrypt(text)


# Decryption only: a version's root key never changes, so a process may keep the roots it has
# opened (a miss, or a token its cached root does not open, reads the database again).
# Encryption and digests always read which version is current.
_opened: dict[int, bytes] = {}


def decrypt(token: str) -> str | None:
    version = crypto.version_of(token) if token else None
    root = _opened.get(version) if version is not None else None
    if root is not None:
        try:
            return crypto.decrypt(root, token)
        except (InvalidToken, ValueError):
            pass  # restored from a backup, a version made again: read the database
    ring = load()
    _opened.clear()
    _opened.update(ring.roots)
    return ring.decrypt(token)


def digest(text: str) -> str:
    return load().digest(text)
