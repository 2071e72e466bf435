"""App config for `masthead.webhooks`: connects the receivers that enqueue deliveries."""

from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "masthead.webhooks"
    label = "webhooks"

    def ready(self):
        from . import signal_handlers

        signal_handlers.connect()
