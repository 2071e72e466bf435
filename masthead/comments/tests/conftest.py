"""Fixtures for the comments app: published articles, a poster that fills the form as a
browser would (with a form token issued long enough ago), moderators, and a trained model."""

from __future__ import annotations

import itertools
import time

import pytest
from django.test import Client

from masthead.articles import services as articles
from masthead.articles.models import Article
from masthead.comments import tokens
from masthead.comments.models import Comment

ORIGIN = "http://testserver"
_n = itertools.count(1)


@pytest.fixture
def make_article(db):
    def make(headline: str | None = None, **fields) -> Article:
        at = fields.pop("published_at", None)
        article = Article(headline=headline or f"Story number {next(_n)}",
                          body="A paragraph of news.\n\nAnother one.", **fields)
        articles.publish_article(article, at=at)
        return article
    return make


@pytest.fixture
def article(make_article):
    return make_article("Council approves the harbour bridge")


def form_data(target, **overrides) -> dict:
    article = target
    data = {
        "author": "Ada Reader",
        "email": "ada@example.org",
        "url": "",
        "comment": "A thoughtful remark about the bridge.",
        "comment_parent": "0",
        "article": str(article.pk),
        "form_token": tokens.issue_form_token(article.pk, issued_at=time.time() - 30),
        "leave_this_empty": "",
    }
    data.update({k: v for k, v in overrides.items()})
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """POST the Leave a Reply form from this site (Origin header as a browser sends it), and
    run what the services schedule after commit (signals, mail) as a real request would."""
    def send(target, client_=None, **overrides):
        with django_capture_on_commit_callbacks(execute=True):
            return (client_ or client).post("/comments/post/", form_data(target, **overrides),
                                            HTTP_ORIGIN=ORIGIN)
    return send


def approved_comment(article, **fields) -> Comment:
    defaults = {"author_name": "Earlier Reader", "body": f"Earlier comment {next(_n)}",
                "status": Comment.Status.APPROVED}
    defaults.update(fields)
    return Comment.objects.create(article=article, **defaults)


@pytest.fixture
def moderator(db):
    from django.contrib.auth import get_user_model

    from masthead.newsroom.roles import assign_role

    user = get_user_model().objects.create_user(
        f"editor{next(_n)}", email="desk@newsroom.example", password="x" * 12,
        first_name="Desk", last_name="Editor")
    assign_role(user, "editor")
    return user


@pytest.fixture
def moderator_client(moderator):
    client = Client()
    client.force_login(moderator)
    return client


@pytest.fixture
def fresh_client():
    return Client()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed(): ...` runs what services schedule after commit (signals, mail)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
