"""Subscriber addresses at rest: the comments app's encryption and keyed digest, reused.

A shared, versioned key ring is being built (`masthead keys rotate`); until it lands these are
the comment form's functions as they are, so both apps agree on one scheme (move to the ring).
"""

from masthead.comments.privacy import (  # noqa: F401 - re-exported
    decrypt_email,
    email_digest,
    encrypt_email,
    normalise_email,
)
