"""The lists' foreign keys are not database constraints (migration 0003), and nothing shows it.

PostgreSQL checked both deferred keys of every written row at COMMIT: 233 s of a 1M rebuild.
Without them, a deleted article must still leave every list (Django's collector), a row whose
article vanished outside Django must never be shown, and pins (`RelatedOverride`, which keeps its
constraints) keep their constraints. Checked on both databases.
"""

from __future__ import annotations

import pytest
from django.db import connection

from masthead.articles.models import Article
from masthead.recommendations.models import RelatedArticle
from masthead.recommendations.reading import shown_related

pytestmark = pytest.mark.django_db


def foreign_key_columns(table: str) -> set[str]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return {c["columns"][0] for c in found.values() if c["foreign_key"]}


POSTGRESQL_ONLY = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite keeps the clause (removing it would copy the table; migration 0003)")


@POSTGRESQL_ONLY
def test_postgresql_checks_no_key_of_the_lists_and_keeps_the_pins_keys():
    assert not foreign_key_columns("recommendations_relatedarticle") & {
        "article_id", "related_id"}
    assert {"article_id", "related_id"} <= foreign_key_columns(
        "recommendations_relatedoverride")


def test_deleting_an_article_removes_its_list_and_its_place_in_others(make_article):
    a, b, c = (make_article(f"Story {i}") for i in range(3))
    RelatedArticle.objects.bulk_create([
        RelatedArticle(article=a, related=b, rank=0, score=0.9),
        RelatedArticle(article=a, related=c, rank=1, score=0.8),
        RelatedArticle(article=b, related=a, rank=0, score=0.9),
        RelatedArticle(article=c, related=b, rank=0, score=0.7),
    ])
    b.delete()
    assert sorted(RelatedArticle.objects.values_list("article_id", "related_id")) == sorted(
        [(a.pk, c.pk)])
    Article.objects.filter(pk=a.pk).delete()  # a queryset delete collects too
    assert not RelatedArticle.objects.exists()


@POSTGRESQL_ONLY
def test_a_row_whose_article_vanished_outside_django_is_not_shown(make_article):
    a, b = make_article("Source"), make_article("Kept")
    missing = Article.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1000
    with connection.cursor() as cursor:  # what a hand-run DELETE of an article leaves
        cursor.execute(
            "INSERT INTO recommendations_relatedarticle "
            "(article_id, related_id, rank, pinned, score, explanation) "
            "VALUES (%s, %s, 0, %s, 0.9, '{}'), (%s, %s, 1, %s, 0.8, '{}')",
            [a.pk, missing, False, a.pk, b.pk, False])
    assert [x.pk for x in shown_related(a.pk, 4)] == [b.pk]
