"""App config for `masthead.articles`."""

from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "masthead.articles"
    label = "articles"
