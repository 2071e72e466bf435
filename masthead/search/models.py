"""The search index tables.

- `Word`: the vocabulary of surface words in indexed articles, for "did you mean" (both
  backends; stems from the engines' own vocabularies would suggest "elect" for "electon").
- `Fts5Entry`: a read-only view of the SQLite FTS5 virtual table `search_fts`.
- `PgDocument`: PostgreSQL's `search_document` table with its `tsvector` columns.

Both carry each article's filter terms (`facets.py`) so that filters are matched in the index.

The engine tables are created by migration 0002 only on their own database (an FTS5 virtual
table cannot be described by Django, and a `tsvector` + GIN index only exists on PostgreSQL),
so both models are unmanaged. Their link to the article is a plain, constraint-free relation
with DO_NOTHING: Django's delete collector never looks for the other database's table, and
deleting an article removes its entry through `signal_handlers` instead.
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models

from masthead.articles.models import Article


class Word(models.Model):
    word = models.CharField(max_length=64, primary_key=True)
    # Articles containing the word when it was counted (exact after `search reindex`; words
    # first seen since then count 1). Only used to prefer common words among suggestions.
    documents = models.PositiveIntegerField(default=1)

    def __str__(self):
        return self.word


class Fts5Entry(models.Model):
    """One row of the FTS5 table; `rowid` is the article id. Written with SQL by the backend."""

    article = models.OneToOneField(
        Article, on_delete=models.DO_NOTHING, primary_key=True, db_column="rowid",
        db_constraint=False, related_name="+",
    )
    title = models.TextField()
    standfirst = models.TextField()
    body = models.TextField()
    facets = models.TextField(default="")  # filter terms, space-separated (facets.py)

    class Meta:
        managed = False
        db_table = "search_fts"


class PgDocument(models.Model):
    """One article's text and vectors on PostgreSQL (see backends/postgres.py for `lede`)."""

    article = models.OneToOneField(
        Article, on_delete=models.DO_NOTHING, primary_key=True, db_constraint=False,
        related_name="+",
    )
    title = models.TextField()
    standfirst = models.TextField()
    body = models.TextField()
    published_at = models.DateTimeField(null=True)
    vector = SearchVectorField(null=True)
    lede_vector = SearchVectorField(null=True)
    facets = SearchVectorField(null=True)  # filter terms as lexemes (facets.py), GIN-indexed
    # Lexemes of the headline and standfirst, GIN-indexed (backends/postgres_page.py).
    head_vector = SearchVectorField(null=True)

    class Meta:
        managed = False
        db_table = "search_document"
