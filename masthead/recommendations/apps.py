"""App config for `masthead.recommendations`."""

from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "masthead.recommendations"
    label = "recommendations"
