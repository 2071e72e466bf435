"""App config for `masthead.comments`."""

from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "masthead.comments"
    label = "comments"
