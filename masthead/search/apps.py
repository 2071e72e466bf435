"""App config for `masthead.search`: connects the index to the article signals."""

from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "masthead.search"
    label = "search"

    def ready(self):
        from . import signal_handlers

        signal_handlers.connect()
