"""The archive's big tables carry no index that another index already serves.

Each index is written for every stored row: 1M articles, their 5M comments, tags, bylines and
8M related-list rows. An index on columns that begin another index (Django's own index of a
foreign key or `db_index` field beside a composite starting with it), or a PostgreSQL
`varchar_pattern_ops` twin of a column never matched by prefix, is only written, never read
(articles 0009, comments 0005, recommendations 0002). Checked on both databases.
"""

from __future__ import annotations

import pytest
from django.db import connection

BIG_TABLES = ["articles_article", "articles_article_tags", "articles_byline",
              "articles_revision", "comments_comment", "recommendations_relatedarticle"]


def indexes(table: str) -> dict[str, dict]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return {name: c for name, c in found.items()
            if c["index"] or c["unique"] or c["primary_key"]}


@pytest.mark.django_db
@pytest.mark.parametrize("table", BIG_TABLES)
def test_no_index_is_a_leading_copy_of_another(table):
    found = indexes(table)
    copies = [
        (name, other)
        for name, c in found.items() if not (c["unique"] or c["primary_key"])
        for other, o in found.items()
        if other != name and o["columns"][: len(c["columns"])] == c["columns"]
    ]
    assert copies == []
    assert not [name for name in found if name.endswith("_like")]


@pytest.mark.django_db
def test_the_lists_keep_one_index_per_way_they_are_read():
    """(article, rank) for a page, (article, related) against repeats, related_holders for
    unpublishing, and the key."""
    found = indexes("recommendations_relatedarticle")
    assert sorted(tuple(c["columns"]) for c in found.values()) == [
        ("article_id", "rank"), ("article_id", "related_id"), ("id",), ("related_id",)]
