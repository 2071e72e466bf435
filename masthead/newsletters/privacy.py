"""Subscriber addresses at rest, on the shared key ring (masthead/keyring), as for commenters.

An address is stored encrypted under the ring's current key, with a keyed digest for look-ups;
both change when `masthead keys rotate` makes a new key, which calls `rekey` below (named in
settings.MASTHEAD_KEYRING_USERS) in its transaction, so a look-up by digest never sees half a
rotation. Addresses are normalised (trimmed, lower-cased) before both, so the digest matches
however the reader typed theirs.
"""

from __future__ import annotations

from masthead.keyring import ring as keyring

BATCH = 500


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def encrypt_email(email: str) -> str:
    email = normalise_email(email)
    return keyring.encrypt(email) if email else ""


def decrypt_email(token: str) -> str:
    """The address, or "" when there is none or no key opens it."""
    return (keyring.decrypt(token) or "") if token else ""


def email_digest(email: str) -> str:
    email = normalise_email(email)
    return keyring.digest(email) if email else ""


def rekey(ring, subscriber_model=None) -> int:
    """Move every subscriber address not under the ring's current key to it; rows changed.

    The digest moves with it (same row, same statement). A value no key opens is left as it is.
    Migrations may pass their historical model.
    """
    if subscriber_model is None:
        from .models import Subscriber as subscriber_model
    stale = subscriber_model.objects.exclude(email_encrypted__startswith=f"k{ring.current}:")
    changed, last = 0, 0
    while True:
        # By primary key in slices: bounded memory, no server-side cursor (PgBouncer).
        batch = list(stale.filter(pk__gt=last).order_by("pk")
                     .only("pk", "email_encrypted", "email_digest")[:BATCH])
        if not batch:
            return changed
        last = batch[-1].pk
        done = []
        for subscriber in batch:
            email = ring.decrypt(subscriber.email_encrypted)
            if not email:
                continue
            subscriber.email_encrypted = ring.encrypt(email)
            subscriber.email_digest = ring.digest(email)
            done.append(subscriber)
        changed += subscriber_model.objects.bulk_update(done, ["email_encrypted",
                                                               "email_digest"])
