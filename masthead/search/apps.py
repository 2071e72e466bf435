"""App config for `masthead.search`."""

from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "masthead.search"
    label = "search"
