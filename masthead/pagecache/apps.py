"""App config for `masthead.pagecache`: connects the purge receivers."""

from django.apps import AppConfig


class PagecacheConfig(AppConfig):
    name = "masthead.pagecache"
    label = "pagecache"
    verbose_name = "Page cache"

    def ready(self):
        from django.test.signals import setting_changed

        from . import signal_handlers, stores

        signal_handlers.connect()
        setting_changed.connect(stores.reset, dispatch_uid="pagecache-reset-store")
