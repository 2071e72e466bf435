"""The publication scheduler sweep, run by every job worker (masthead/jobs/worker.py)."""

from .services import publish_due_articles


def publish_due() -> None:
    publish_due_articles()
