"""Commenter email privacy: encryption at rest and a keyed digest for look-ups.

Both go through the key ring (masthead/keyring), not the secret key: the keys are versioned,
shared by every server through the database, and `masthead keys rotate` moves every stored
address to a new key with `rekey` below (named in settings.MASTHEAD_KEYRING_USERS). The
digest cannot be reversed with a dictionary of addresses by anyone without the ring.
Normalising (trim, lower-case) before hashing makes the digest match however the reader typed
their address.
"""

from __future__ import annotations

from masthead.keyring import ring as keyring

BATCH = 500


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def encrypt_email(email: str, ring: keyring.Ring | None = None) -> str:
    """`ring`: one the caller loaded for a batch (an import of 5M comments spent a third of
    its time reading the ring twice a comment); by default the ring as it is now."""
    email = normalise_email(email)
    if not email:
        return ""
    return ring.encrypt(email) if ring is not None else keyring.encrypt(email)


def decrypt_email(token: str) -> str:
    """The address, or "" when there is none or no key opens it."""
    return (keyring.decrypt(token) or "") if token else ""


def email_digest(email: str, ring: keyring.Ring | None = None) -> str:
    """Keyed hash of the normalised address ("" for no address); `ring` as above."""
    email = normalise_email(email)
    if not email:
        return ""
    return ring.digest(email) if ring is not None else keyring.digest(email)


def rekey(ring, comment_model=None, commenter_model=None) -> int:
    """Move every stored address not under the ring's current key to it; rows changed.

    Digests change with the key, so a comment's and its commenter's change together (the
    caller's transaction). A commenter row without its own ciphertext takes the address from
    a comment with the same digest, and keeps it from now on. Migrations pass their models.
    """
    if comment_model is None:
        from .models import Comment as comment_model
        from .models import Commenter as commenter_model
    prefix = f"k{ring.current}:"
    by_old_digest: dict[str, str] = {}
    changed = 0
    stale = comment_model.objects.exclude(email_encrypted="").exclude(
        email_encrypted__startswith=prefix)
    for batch in _batches(stale, "email_encrypted", "email_digest"):
        done = []
        for comment in batch:
            email = ring.decrypt(comment.email_encrypted)
            if email is None:
                continue  # no key opens it: left as it is (decrypt_email gives "")
            by_old_digest[comment.email_digest] = email
            comment.email_encrypted = ring.encrypt(email)
            comment.email_digest = ring.digest(email)
            done.append(comment)
        changed += comment_model.objects.bulk_update(done, ["email_encrypted", "email_digest"])
    stale = commenter_model.objects.exclude(email_encrypted__startswith=prefix)
    for batch in _batches(stale, "email_encrypted", "email_digest"):
        done = []
        for commenter in batch:
            email = (ring.decrypt(commenter.email_encrypted) if commenter.email_encrypted
                     else by_old_digest.get(commenter.email_digest))
            if email is None:
                continue
            commenter.email_encrypted = ring.encrypt(email)
            commenter.email_digest = ring.digest(email)
            done.append(commenter)
        changed += commenter_model.objects.bulk_update(done, ["email_encrypted", "email_digest"])
    return changed


def _batches(queryset, *fields):
    """Rows by primary key in slices: no server-side cursor (PgBouncer), bounded memory."""
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last).order_by("pk").only("pk", *fields)[:BATCH])
        if not batch:
            return
        last = batch[-1].pk
        yield batch
