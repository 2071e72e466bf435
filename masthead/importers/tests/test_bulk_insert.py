"""`bulk_insert.insert` stores exactly what `bulk_create` stores (every column, on SQLite and
PostgreSQL) and gives each instance its id (issue 20: the import's big tables go through it)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from masthead.articles.models import Article, Revision, Section
from masthead.comments.models import Comment
from masthead.importers import bulk_insert

pytestmark = pytest.mark.django_db


def _articles(section, tag: str) -> list[Article]:
    when = timezone.now().replace(microsecond=123456) - dt.timedelta(days=3)
    return [Article(headline=f"Story {i} «{tag}»", slug=f"story-{i}-{tag}", body="Body *x*",
                    body_html="<p>Body</p>", word_count=i, kind="article", status="published",
                    published_at=when, pub_date=when.date(), created_at=when, updated_at=when,
                    section=section if i % 2 else None, external_key=f"{tag}-{i}",
                    featured=bool(i % 3), lead_image_alt="")
            for i in range(3)]


def _comments(article, tag: str) -> list[Comment]:
    return [Comment(article=article, depth=0, author_name=f"Reader {tag}", author_url="",
                    email_encrypted="", email_digest="", body="Hm.\nYes", status="approved",
                    created_at=timezone.now(), ip_address="2001:db8::1" if i else None,
                    external_key=f"{tag}-c{i}", spam_score=0.25 if i else None,
                    spam_verdict="ham") for i in range(2)]


def _rows(model, ids) -> list[dict]:
    return [{k: v for k, v in row.items() if k not in ("id", "external_key", "slug",
                                                       "headline", "author_name")}
            for row in model.objects.filter(pk__in=ids).order_by("pk").values()]


def test_insert_stores_what_bulk_create_stores_and_sets_ids():
    section = Section.objects.create(name="World", slug="world")
    ours, django = _articles(section, "ours"), _articles(section, "django")
    bulk_insert.insert(Article, ours)
    Article.objects.bulk_create(django)
    assert all(a.pk and not a._state.adding for a in ours)
    assert [Article.objects.get(pk=a.pk).external_key for a in ours] == [
        a.external_key for a in ours]
    assert _rows(Article, [a.pk for a in ours]) == _rows(Article, [a.pk for a in django])

    c_ours, c_django = _comments(ours[0], "ours"), _comments(ours[0], "django")
    for c in c_django:
        c.created_at = c_ours[0].created_at
    for c in c_ours:
        c.created_at = c_ours[0].created_at
    bulk_insert.insert(Comment, c_ours)
    Comment.objects.bulk_create(c_django)
    assert _rows(Comment, [c.pk for c in c_ours]) == _rows(Comment, [c.pk for c in c_django])

    revisions = [Revision(article=a, note="imported", data={"headline": a.headline, "n": [1]})
                 for a in ours]
    bulk_insert.insert(Revision, revisions)
    assert Revision.objects.get(pk=revisions[1].pk).data == {"headline": ours[1].headline,
                                                              "n": [1]}


def test_insert_splits_many_rows_into_several_statements(monkeypatch):
    monkeypatch.setattr(bulk_insert, "COPY_ROWS", 500)  # PostgreSQL's COPY
    section = Section.objects.create(name="World", slug="world")
    when = timezone.now()
    many = [Article(headline=f"S{i}", slug=f"s{i}", status="draft", created_at=when,
                    updated_at=when, section=section) for i in range(1200)]
    bulk_insert.insert(Article, many)
    assert len({a.pk for a in many}) == 1200
    assert Article.objects.get(pk=many[1100].pk).headline == "S1100"


def test_postgresql_copies_with_ids_from_the_sequence():
    """One COPY whatever the number of rows, its ids drawn from the table's own sequence: a
    row saved afterwards through the ORM takes the next id, not one already used."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    section = Section.objects.create(name="World", slug="world")
    ours = _articles(section, "copy")
    with CaptureQueriesContext(connection) as captured:
        bulk_insert.insert(Article, ours)
    assert [q["sql"].split()[0] for q in captured.captured_queries] == ["SELECT"]  # nextval
    later = Article.objects.create(headline="Later", slug="later", status="draft")
    assert later.pk > max(a.pk for a in ours)
    assert sorted(Article.objects.filter(external_key__startswith="copy-")
                  .values_list("pk", flat=True)) == sorted(a.pk for a in ours)
