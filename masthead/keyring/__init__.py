"""The key ring: encryption at rest for personal data (commenter, later subscriber, emails)
and for webhook signing secrets.

Owns versioned data keys, stored in the database so every server has them, each wrapped
(encrypted) with a key derived from the site's secret key. Public functions (`ring.py`):
`encrypt(text)`, `decrypt(token)`, `digest(text)` — a keyed hash for look-ups — and
`load()` for loops that want the keys read once; `services.rotate()` (`masthead keys rotate`)
adds a key, re-encrypts and re-digests every stored value through the functions named in
`settings.MASTHEAD_KEYRING_USERS`, and re-wraps the ring under the current secret key. An app
that stores personal data calls the ring and names its re-keying function there; the ring
imports no app. See docs/deploy.md (secrets) and docs/comments.md.
"""
