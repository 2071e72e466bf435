"""App config for `masthead.core`: registers the deploy checks (`masthead check --deploy`)."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "masthead.core"
    label = "core"

    def ready(self):
        from . import checks

        checks.register()
