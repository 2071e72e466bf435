"""App config for `masthead.integrations`."""

from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "masthead.integrations"
    label = "integrations"
