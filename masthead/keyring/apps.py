"""App config for `masthead.keyring`."""

from django.apps import AppConfig


class KeyringConfig(AppConfig):
    name = "masthead.keyring"
    label = "keyring"
