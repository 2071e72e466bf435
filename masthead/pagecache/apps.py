"""App config for `masthead.pagecache`."""

from django.apps import AppConfig


class PagecacheConfig(AppConfig):
    name = "masthead.pagecache"
    label = "pagecache"
