"""Newsroom test fixtures: one account per role, logged-in clients, articles owned by someone."""

from __future__ import annotations

import io
import itertools

import pytest
from django.test import Client
from PIL import Image as PILImage

from masthead.articles import services as articles
from masthead.articles.models import Article
from masthead.newsroom.services import author_for
from masthead.newsroom.staff import create_staff_user

PASSWORD = "a long enough test password 42"
_n = itertools.count(1)


@pytest.fixture
def make_user(db):
    def make(role: str, username: str | None = None):
        user, _ = create_staff_user(username or f"{role}{next(_n)}", role, password=PASSWORD)
        return user
    return make


@pytest.fixture
def client_for():
    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client
    return make


@pytest.fixture
def make_owned(db):
    """An article created by `user`, with them on the byline, in the given state."""
    def make(user, *, status="draft", headline=None, body="First paragraph.\n\n## Sub\n\nMore."):
        article = Article(headline=headline or f"Story {next(_n)}", body=body)
        articles.save_article(article, user=user, authors=[author_for(user)], note="created")
        if status == "published":
            articles.publish_article(article, user=user)
        elif status == "review":
            article.status = Article.Status.REVIEW
            articles.save_article(article, user=user)
        return article
    return make


def png_bytes(width=1000, height=600, mode="RGB", color=(200, 40, 40)) -> bytes:
    out = io.BytesIO()
    PILImage.new(mode, (width, height), color).save(out, "PNG")
    return out.getvalue()


def editor_post(article: Article | None = None, *, author=None, **overrides) -> dict:
    """A complete, valid editor form submission (what the browser would send)."""
    data = {
        "headline": article.headline if article else "A new headline",
        "slug": article.slug if article else "",
        "standfirst": "", "body": article.body if article else "Body text.\n\n## Sub\n\nMore.",
        "section": "", "tags": "", "lead_image": "", "lead_image_alt": "",
        "lead_image_caption": "", "comments_enabled": "on", "publish_at": "",
        "version": article.updated_at.isoformat() if article and article.pk else "",
        "action": "save",
    }
    if author is not None:
        data["lead_author"] = str(author.pk)
    elif article is not None and article.pk:
        data["lead_author"] = str(article.byline_authors[0].pk)
    data.update(overrides)
    return data
