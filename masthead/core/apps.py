"""App config for `masthead.core`."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "masthead.core"
    label = "core"
