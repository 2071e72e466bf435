"""App config for `masthead.comments`: connects the app's signal receivers."""

from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "masthead.comments"
    label = "comments"

    def ready(self):
        from . import signal_handlers

        signal_handlers.connect()
