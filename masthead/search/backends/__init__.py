"""Search engines behind one interface, chosen by the database in use (Wagtail's split).

`get_backend()` returns the SQLite FTS5 engine on SQLite and the tsvector engine on
PostgreSQL; `settings.MASTHEAD_SEARCH_BACKEND` (a dotted path) overrides the choice.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.utils.module_loading import import_string

from .base import Hit, SearchBackend, SearchResults

BY_VENDOR = {
    "sqlite": "masthead.search.backends.sqlite_fts5.SQLiteFTS5Backend",
    "postgresql": "masthead.search.backends.postgres.PostgresBackend",
}

__all__ = ["BY_VENDOR", "Hit", "SearchBackend", "SearchResults", "get_backend"]


def get_backend(using: str = "default") -> SearchBackend:
    path = getattr(settings, "MASTHEAD_SEARCH_BACKEND", None)
    path = path or BY_VENDOR.get(connections[using].vendor)
    if not path:
        raise ImproperlyConfigured(
            f"No search backend for the {connections[using].vendor!r} database; "
            "Masthead supports SQLite and PostgreSQL."
        )
    return import_string(path)(using)
