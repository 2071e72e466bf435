"""`masthead keys rotate`: a new encryption key; every stored address re-encrypted."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from masthead.keyring.ring import RingLocked
from masthead.keyring.services import rotate


class Command(BaseCommand):
    help = ("The key ring for personal data at rest. 'rotate': make a new key, re-encrypt and "
            "re-digest every stored address with it, and re-wrap the ring under the current "
            "MASTHEAD_SECRET_KEY (run it after changing the secret key, with the old one in "
            "MASTHEAD_SECRET_KEY_FALLBACKS).")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rotate"])

    def handle(self, action, **options):
        try:
            done = rotate()
        except RingLocked as exc:
            raise CommandError(str(exc), returncode=2) from None
        total = sum(done.rekeyed.values())
        self.stdout.write(f"key v{done.version} is current; {total} stored value(s) re-encrypted"
                          + (f"; deleted key(s) {done.deleted_versions}"
                             if done.deleted_versions else ""))
