"""App config for `masthead.importers`."""

from django.apps import AppConfig


class ImportersConfig(AppConfig):
    name = "masthead.importers"
    label = "importers"
