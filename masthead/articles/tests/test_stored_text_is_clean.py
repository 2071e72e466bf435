"""Every save cleans text fields (core/signal_handlers.py; issue 15, item 1)."""

from __future__ import annotations

import pytest

from masthead.articles.models import Article, Section, Tag
from masthead.articles.services import get_or_create_tags
from masthead.comments.models import Comment

pytestmark = pytest.mark.django_db


def test_any_model_saved_with_control_characters_is_stored_clean(make_article):
    section = Section.objects.create(name="Lo\x0ccal", slug="local", description="a\x00b")
    section.refresh_from_db()
    assert (section.name, section.description) == ("Local", "ab")
    article = make_article("Head\x0bline", body="Bo\x1bdy\ud800.")
    article.refresh_from_db()
    assert (article.headline, article.body) == ("Headline", "Body.")
    comment = Comment.objects.create(article=article, author_name="Ad\x07a", body="x\x0cy")
    comment.refresh_from_db()
    assert (comment.author_name, comment.body) == ("Ada", "xy")


def test_update_fields_and_deferred_fields_are_respected(make_article, django_assert_num_queries):
    article = make_article("Clean")
    lazy = Article.objects.only("pk", "headline").get(pk=article.pk)
    lazy.headline = "Dirty\x0c"
    with django_assert_num_queries(1):  # the UPDATE only: no deferred field is loaded
        lazy.save(update_fields=["headline"])
    assert Article.objects.get(pk=article.pk).headline == "Dirty"


def test_a_name_that_only_differs_by_control_characters_is_the_same_tag():
    first = get_or_create_tags(["Ports"])[0]
    assert get_or_create_tags(["Po\x0crts", "\x01"]) == [first]
    assert Tag.objects.count() == 1
