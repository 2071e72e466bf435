"""App config for `masthead.keyring`: `masthead serve` refuses a ring it cannot open."""

from django.apps import AppConfig


class KeyringConfig(AppConfig):
    name = "masthead.keyring"
    label = "keyring"

    def ready(self):
        from masthead.core.startup import STARTUP_CHECKS

        from .ring import check_opens

        if check_opens not in STARTUP_CHECKS:
            STARTUP_CHECKS.append(check_opens)
