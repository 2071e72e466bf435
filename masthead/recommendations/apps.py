"""App config for `masthead.recommendations`: connects the stored lists to the article signals."""

from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "masthead.recommendations"
    label = "recommendations"
    verbose_name = "Articles You May Like"

    def ready(self):
        from . import signal_handlers

        signal_handlers.connect()
