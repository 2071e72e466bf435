"""Search fixtures: articles published through the real services with their after-commit
signals run (so the index is written exactly as in production), and each search backend."""

from __future__ import annotations

import pytest
from django.db import connection

from masthead.search.backends.postgres import PostgresBackend
from masthead.search.backends.sqlite_fts5 import SQLiteFTS5Backend

# backend name -> (database vendor it needs, class)
BACKENDS = {"sqlite_fts5": ("sqlite", SQLiteFTS5Backend), "postgres": ("postgresql", PostgresBackend)}


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what a block schedules on commit (signals, indexing) when the block ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def publish(make_article, committed):
    def go(*args, **kwargs):
        with committed():
            return make_article(*args, **kwargs)
    return go


@pytest.fixture(params=list(BACKENDS))
def backend(request, db):
    """Each backend in turn: the contract suite runs against every engine."""
    vendor, backend_class = BACKENDS[request.param]
    if connection.vendor != vendor:
        pytest.skip(f"the {request.param} backend needs a {vendor} database; this run uses "
                    f"{connection.vendor} (set MASTHEAD_DATABASE_URL to run it)")
    return backend_class()
