"""App config for `masthead.feeds`."""

from django.apps import AppConfig


class FeedsConfig(AppConfig):
    name = "masthead.feeds"
    label = "feeds"
