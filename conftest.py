"""Fixtures shared by every app's tests: small factories over the real services."""

from __future__ import annotations

import datetime as dt
import itertools
import os
from pathlib import Path

import pytest
from django.utils import timezone

_counter = itertools.count(1)


def shared_data_dir() -> Path:
    """`../shared/data` beside the repository (or $MASTHEAD_SHARED_DATA)."""
    given = os.environ.get("MASTHEAD_SHARED_DATA")
    return Path(given) if given else Path(__file__).resolve().parent.parent / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    path = shared_data_dir()
    if not path.is_dir():
        pytest.skip(f"shared data not found at {path} (set MASTHEAD_SHARED_DATA)")
    return path


@pytest.fixture
def make_article(db):
    """Create an article through `save_article`: published an hour ago unless told otherwise."""
    from masthead.articles import services
    from masthead.articles.models import Article

    def make(headline=None, *, body="Some text.\n\n## A sub-heading\n\nMore text.", section="World",
             tags=(), authors=("Ada Reporter",), status="published", published_at=None, **fields):
        n = next(_counter)
        article = Article(
            headline=headline or f"Headline number {n}",
            body=body,
            status=status,
            published_at=published_at if published_at is not None else (
                timezone.now() - dt.timedelta(hours=1, minutes=n) if status != "draft" else None
            ),
            section=services.get_or_create_section(section) if section else None,
            **fields,
        )
        return services.save_article(
            article, tags=list(tags),
            authors=[services.get_or_create_author(a) for a in authors],
        )

    return make
