"""App config for `masthead.core`: connects the stored-text cleaning receiver and registers
the deploy checks (`masthead check --deploy`)."""

from django.apps import AppConfig
from django.db.models.signals import pre_save


class CoreConfig(AppConfig):
    name = "masthead.core"
    label = "core"

    def ready(self):
        from .signal_handlers import clean_stored_text

        pre_save.connect(clean_stored_text, dispatch_uid="masthead.core.clean_stored_text")

        from . import checks

        checks.register()
