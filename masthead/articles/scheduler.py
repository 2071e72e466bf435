"""The publication scheduler job run by every server process (see core/background.py)."""

from .services import publish_due_articles


def publish_due() -> None:
    publish_due_articles()
