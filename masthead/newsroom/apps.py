"""App config for `masthead.newsroom`: keeps the role groups in step with migrations."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_groups(sender, **kwargs):
    from .roles import ensure_groups

    ensure_groups()


class NewsroomConfig(AppConfig):
    name = "masthead.newsroom"
    label = "newsroom"

    def ready(self):
        post_migrate.connect(_ensure_groups, sender=self)
